import { describe, InvalidArgumentError } from "../errors.js";
import { Space, type SpaceJSON } from "./space.js";

/** The integers {start, ..., start + n - 1} (Gymnasium's `Discrete(n, start)`). Elements are plain numbers. */
export class Discrete extends Space<number> {
  readonly n: number;
  readonly start: number;
  /** Rejection threshold 2^32 - (2^32 mod n): accepting only draws below it keeps every value equally likely. */
  private readonly limit: number;

  constructor(n: number, opts: { start?: number; seed?: number } = {}) {
    super([]);
    const start = opts.start ?? 0;
    if (!Number.isSafeInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new InvalidArgumentError(`Discrete: n must be an integer in [1, 2^32], got ${describe(n)}`);
    }
    if (!Number.isSafeInteger(start)) {
      throw new InvalidArgumentError(`Discrete: start must be a safe integer, got ${describe(start)}`);
    }
    this.n = n;
    this.start = start;
    this.limit = 2 ** 32 - (2 ** 32 % n);
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /**
   * A uniform element; with `mask` (n entries, 1 = allowed) a uniform element among the allowed ones, or `start`
   * when none is allowed, as in Gymnasium.
   */
  override sample(mask?: ArrayLike<number>): number {
    if (mask === undefined) {
      // Rng.int's unbiased rejection with the threshold precomputed (the same draws, without a float modulo per call)
      const rng = this.rng;
      let x = rng.nextU32();
      while (x >= this.limit) x = rng.nextU32();
      return this.start + (x % this.n);
    }
    if (mask.length !== this.n || !Array.prototype.every.call(mask, (m: number) => m === 0 || m === 1)) {
      throw new InvalidArgumentError(
        `Discrete.sample: mask must have ${this.n} entries, each 0 or 1, got ${describe(mask)}`,
      );
    }
    let count = 0;
    for (let i = 0; i < this.n; i++) count += mask[i];
    if (count === 0) return this.start;
    let k = this.rng.int(count);
    for (let i = 0; i < this.n; i++) {
      if (mask[i] === 1 && k-- === 0) return this.start + i;
    }
    return this.start; // unreachable: k < count
  }

  override contains(x: unknown): boolean {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  override toJSON(): SpaceJSON {
    return { type: "Discrete", n: this.n, start: this.start };
  }

  override toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}
