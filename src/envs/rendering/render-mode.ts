import { describe, InvalidArgumentError } from "../../errors.js";
import type { RenderMode } from "../env.js";

/** Validate a `renderMode` option against the env's `metadata.renderModes`. */
export function checkRenderMode(where: string, mode: unknown, allowed: readonly RenderMode[]): RenderMode | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode !== "string" || !allowed.includes(mode as RenderMode)) {
    throw new InvalidArgumentError(
      `${where}: renderMode ${describe(mode)} is not supported; expected one of ${allowed.map((m) => JSON.stringify(m)).join(", ")} or undefined`,
    );
  }
  return mode as RenderMode;
}
