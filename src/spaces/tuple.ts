import { describe, InvalidArgumentError } from "../errors.js";
import { Space, type SpaceJSON } from "./space.js";

/** A fixed-length product of spaces (Gymnasium's `Tuple`); elements are arrays, one entry per subspace. */
export class Tuple extends Space<unknown[]> {
  readonly spaces: readonly Space<unknown>[];

  constructor(spaces: readonly Space<unknown>[], opts: { seed?: number } = {}) {
    super([]);
    if (!Array.isArray(spaces) || !spaces.every((s) => s instanceof Space)) {
      throw new InvalidArgumentError(`Tuple: spaces must be an array of Space, got ${describe(spaces)}`);
    }
    this.spaces = Object.freeze([...spaces]);
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /** Seeds this space and, from its stream, every subspace (one derived seed each). */
  override seed(seed?: number): number {
    const s = super.seed(seed);
    for (const sub of this.spaces) sub.seed(this.rng.nextU32());
    return s;
  }

  override sample(): unknown[] {
    return this.spaces.map((s) => s.sample());
  }

  override contains(x: unknown): boolean {
    return Array.isArray(x) && x.length === this.spaces.length && this.spaces.every((s, i) => s.contains(x[i]));
  }

  override toJSON(): SpaceJSON {
    return { type: "Tuple", spaces: this.spaces.map((s) => s.toJSON()) };
  }

  override toString(): string {
    return `Tuple(${this.spaces.map((s) => s.toString()).join(", ")})`;
  }
}
