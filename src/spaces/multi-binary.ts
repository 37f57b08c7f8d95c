import { describe, InvalidArgumentError } from "../errors.js";
import { isArrayLike } from "./multi-discrete.js";
import { checkShape, Space, type SpaceJSON, shapeSize } from "./space.js";

/** Vectors of 0/1 values of a given shape (Gymnasium's `MultiBinary(n)`), stored as `Uint8Array` (row-major). */
export class MultiBinary extends Space<Uint8Array> {
  readonly size: number;

  constructor(n: number | readonly number[], opts: { seed?: number } = {}) {
    const shape = typeof n === "number" ? [n] : [...n];
    super(checkShape("MultiBinary", shape));
    this.size = shapeSize(shape);
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /** Each bit a fair coin; written into `out` when given. */
  override sample(out?: Uint8Array): Uint8Array {
    if (out !== undefined && (!(out instanceof Uint8Array) || out.length !== this.size)) {
      throw new InvalidArgumentError(
        `MultiBinary.sample: out must be a Uint8Array of length ${this.size}, got ${describe(out)}`,
      );
    }
    const x = out ?? new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) x[i] = this.rng.nextU32() >>> 31;
    return x;
  }

  override contains(x: unknown): boolean {
    if (!isArrayLike(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) if (x[i] !== 0 && x[i] !== 1) return false;
    return true;
  }

  override toJSON(): SpaceJSON {
    return { type: "MultiBinary", shape: [...this.shape] };
  }

  override toString(): string {
    return `MultiBinary(${this.shape.length === 1 ? this.shape[0] : `[${this.shape.join(", ")}]`})`;
  }
}
