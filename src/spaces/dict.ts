import { describe, InvalidArgumentError } from "../errors.js";
import { Space, type SpaceJSON } from "./space.js";

/**
 * A product of named spaces (Gymnasium's `Dict`); elements are objects with one entry per key. Keys are kept
 * sorted, as Gymnasium sorts a plain dict, so flattening order does not depend on how the object was written.
 */
export class Dict extends Space<Record<string, unknown>> {
  readonly spaces: Readonly<Record<string, Space<unknown>>>;
  readonly keys: readonly string[];

  constructor(spaces: Record<string, Space<unknown>>, opts: { seed?: number } = {}) {
    super([]);
    if (
      typeof spaces !== "object" ||
      spaces === null ||
      Array.isArray(spaces) ||
      !Object.values(spaces).every((s) => s instanceof Space)
    ) {
      throw new InvalidArgumentError(`Dict: spaces must be an object of Space values, got ${describe(spaces)}`);
    }
    this.keys = Object.freeze(Object.keys(spaces).sort());
    const sorted: Record<string, Space<unknown>> = {};
    for (const k of this.keys) sorted[k] = spaces[k];
    this.spaces = Object.freeze(sorted);
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /** Seeds this space and, from its stream, every subspace in key order. */
  override seed(seed?: number): number {
    const s = super.seed(seed);
    for (const k of this.keys) this.spaces[k].seed(this.rng.nextU32());
    return s;
  }

  override sample(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) out[k] = this.spaces[k].sample();
    return out;
  }

  override contains(x: unknown): boolean {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
    const obj = x as Record<string, unknown>;
    if (Object.keys(obj).length !== this.keys.length) return false;
    return this.keys.every((k) => k in obj && this.spaces[k].contains(obj[k]));
  }

  override toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const k of this.keys) spaces[k] = this.spaces[k].toJSON();
    return { type: "Dict", spaces };
  }

  override toString(): string {
    return `Dict(${this.keys.map((k) => `${JSON.stringify(k)}: ${this.spaces[k]}`).join(", ")})`;
  }
}
