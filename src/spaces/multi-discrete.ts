import { describe, InvalidArgumentError } from "../errors.js";
import { Space, type SpaceJSON } from "./space.js";

/** A vector of discrete values, element i in {start[i], ..., start[i] + nvec[i] - 1} (Gymnasium's `MultiDiscrete`). */
export class MultiDiscrete extends Space<Int32Array> {
  readonly nvec: Int32Array;
  readonly start: Int32Array;

  constructor(nvec: ArrayLike<number>, opts: { start?: ArrayLike<number>; seed?: number } = {}) {
    const n = nvec?.length;
    if (typeof n !== "number" || n === 0 || !Array.prototype.every.call(nvec, (v: number) => isInt32(v) && v > 0)) {
      throw new InvalidArgumentError(
        `MultiDiscrete: nvec must be a non-empty array of positive int32, got ${describe(nvec)}`,
      );
    }
    super([n]);
    this.nvec = Int32Array.from(nvec);
    const start = opts.start ?? new Int32Array(n);
    if (start.length !== n || !Array.prototype.every.call(start, (v: number) => isInt32(v))) {
      throw new InvalidArgumentError(`MultiDiscrete: start must be ${n} int32 values, got ${describe(start)}`);
    }
    this.start = Int32Array.from(start);
    for (let i = 0; i < n; i++) {
      if (!isInt32(this.start[i] + this.nvec[i] - 1)) {
        throw new InvalidArgumentError(`MultiDiscrete: start[${i}] + nvec[${i}] - 1 must fit in int32`);
      }
    }
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /** A uniform element; written into `out` when given. */
  override sample(out?: Int32Array): Int32Array {
    const n = this.nvec.length;
    if (out !== undefined && (!(out instanceof Int32Array) || out.length !== n)) {
      throw new InvalidArgumentError(
        `MultiDiscrete.sample: out must be an Int32Array of length ${n}, got ${describe(out)}`,
      );
    }
    const x = out ?? new Int32Array(n);
    for (let i = 0; i < n; i++) x[i] = this.start[i] + this.rng.int(this.nvec[i]);
    return x;
  }

  override contains(x: unknown): boolean {
    if (!isArrayLike(x) || x.length !== this.nvec.length) return false;
    for (let i = 0; i < this.nvec.length; i++) {
      const v = x[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < this.start[i] || v >= this.start[i] + this.nvec[i]) {
        return false;
      }
    }
    return true;
  }

  override toJSON(): SpaceJSON {
    return {
      type: "MultiDiscrete",
      nvec: Array.from(this.nvec),
      start: Array.from(this.start),
      shape: [...this.shape],
    };
  }

  override toString(): string {
    return `MultiDiscrete([${this.nvec.join(", ")}])`;
  }
}

function isInt32(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
}

export function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}
