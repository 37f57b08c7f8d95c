import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { checkOptionKeys } from "../env.js";

/**
 * Gymnasium's `maybe_parse_reset_bounds`: reset options `{ low, high }` override the default range of the
 * initial state; unknown keys, non-finite values and low > high are errors.
 */
export function parseResetBounds(
  where: string,
  options: Record<string, unknown> | undefined,
  defaultLow: number,
  defaultHigh: number,
): [number, number] {
  if (options === undefined) return [defaultLow, defaultHigh];
  checkOptionKeys(`${where}.reset`, options, ["low", "high"]);
  const low = options.low === undefined ? defaultLow : finiteOption(where, "low", options.low);
  const high = options.high === undefined ? defaultHigh : finiteOption(where, "high", options.high);
  if (low > high) {
    throw new InvalidArgumentError(`${where}.reset: options.low must be <= options.high, got low ${low}, high ${high}`);
  }
  return [low, high];
}

export function finiteOption(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${where}: option ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** Validate a state vector for `setState`: `n` finite numbers. */
export function checkState(where: string, state: ArrayLike<number>, n: number, layout: string): void {
  let ok = state != null && typeof state.length === "number" && state.length === n;
  for (let i = 0; ok && i < n; i++) ok = typeof state[i] === "number" && Number.isFinite(state[i]);
  if (!ok) {
    throw new InvalidArgumentError(
      `${where}.setState: expected ${n} finite numbers [${layout}], got ${describe(state)}`,
    );
  }
}

export function notResetError(where: string): EnvError {
  return new EnvError(`${where}: step() called before reset(); call reset() first`);
}

export function discreteActionError(where: string, action: unknown, n: number): EnvError {
  return new EnvError(
    `${where}: action ${describe(action)} is not in the action space Discrete(${n}) (an integer 0..${n - 1})`,
  );
}

/** True for a Box(1) action holding a finite number (bounds are not checked: classic control clips). */
export function isFiniteScalarAction(action: ArrayLike<number>): boolean {
  return action != null && action.length === 1 && typeof action[0] === "number" && Number.isFinite(action[0]);
}

export function scalarActionError(where: string, action: unknown, low: number, high: number): EnvError {
  return new EnvError(
    `${where}: action ${describe(action)} is not a finite action of shape [1] (Box(${low}, ${high}, (1,), float32); values outside the bounds are clipped)`,
  );
}
