import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { checkShape, Space, type SpaceJSON, shapeSize } from "./space.js";

type Bound = number | ArrayLike<number>;

/**
 * A (possibly unbounded) box in R^n, Gymnasium's `Box(low, high, shape, dtype)`: float32 elements (bounds rounded to
 * float32 like Gymnasium's cast), or uint8 ones (images: integer bounds in [0, 255], integer elements), which
 * replay buffers store one byte each. Elements are `Float32Array`s in row-major order either way.
 */
export class Box extends Space<Float32Array> {
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly dtype: "float32" | "uint8";
  /** Number of scalars: the product of the shape. */
  readonly size: number;
  private readonly boundedBelow: Uint8Array;
  private readonly boundedAbove: Uint8Array;

  /**
   * @param low scalar (broadcast to `shape`) or array of lower bounds; `-Infinity` for unbounded.
   * @param high scalar or array of upper bounds; `Infinity` for unbounded.
   * @param shape required when both bounds are scalars; otherwise taken from the array bounds (flat arrays are 1-D).
   */
  constructor(
    low: Bound,
    high: Bound,
    shape?: readonly number[],
    opts: { seed?: number; dtype?: "float32" | "uint8" } = {},
  ) {
    const resolved = resolveShape(low, high, shape);
    super(resolved);
    this.dtype = opts.dtype ?? "float32";
    if (this.dtype !== "float32" && this.dtype !== "uint8") {
      throw new InvalidArgumentError(`Box: dtype must be "float32" or "uint8", got ${describe(opts.dtype)}`);
    }
    this.size = shapeSize(resolved);
    this.low = broadcast("low", low, this.size);
    this.high = broadcast("high", high, this.size);
    this.boundedBelow = new Uint8Array(this.size);
    this.boundedAbove = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      if (Number.isNaN(lo) || Number.isNaN(hi) || lo === Infinity || hi === -Infinity || lo > hi) {
        throw new InvalidArgumentError(
          `Box: need -Infinity <= low <= high <= Infinity elementwise, got low[${i}] = ${lo}, high[${i}] = ${hi}`,
        );
      }
      if (this.dtype === "uint8" && !(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi <= 255)) {
        throw new InvalidArgumentError(
          `Box: a uint8 Box needs integer bounds in [0, 255], got low[${i}] = ${lo}, high[${i}] = ${hi}`,
        );
      }
      this.boundedBelow[i] = lo > -Infinity ? 1 : 0;
      this.boundedAbove[i] = hi < Infinity ? 1 : 0;
    }
    if (opts.seed !== undefined) this.seed(opts.seed);
  }

  /** Gymnasium's `is_bounded(manner)`: every element bounded below, above, or both. */
  isBounded(manner: "both" | "below" | "above" = "both"): boolean {
    const below = this.boundedBelow.every((b) => b === 1);
    const above = this.boundedAbove.every((b) => b === 1);
    if (manner === "both") return below && above;
    if (manner === "below") return below;
    if (manner === "above") return above;
    throw new InvalidArgumentError(`Box.isBounded: manner must be "both", "below" or "above", got ${describe(manner)}`);
  }

  /**
   * A random element, as Gymnasium draws it: uniform on [low, high] where both bounds are finite, low + Exp(1)
   * where only the lower one is, high - Exp(1) where only the upper one is, N(0, 1) where neither is; a uniform
   * integer in [low, high] for uint8. Writes into `out` when given (no allocation).
   */
  override sample(out?: Float32Array): Float32Array {
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== this.size)) {
      throw new ShapeError(`Box.sample: out must be a Float32Array of length ${this.size}, got ${describe(out)}`);
    }
    const x = out ?? new Float32Array(this.size);
    const rng = this.rng;
    for (let i = 0; i < this.size; i++) {
      if (this.dtype === "uint8") {
        x[i] = this.low[i] + rng.int(this.high[i] - this.low[i] + 1);
        continue;
      }
      const below = this.boundedBelow[i];
      const above = this.boundedAbove[i];
      if (below && above) x[i] = rng.uniformRange(this.low[i], this.high[i]);
      else if (below) x[i] = this.low[i] + rng.exponential();
      else if (above) x[i] = this.high[i] - rng.exponential();
      else x[i] = rng.normal();
    }
    return x;
  }

  /** True for an array-like of `size` numbers, each within [low, high] (NaN never is). */
  override contains(x: unknown): boolean {
    if (!isNumericArrayLike(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (typeof v !== "number" || !(v >= this.low[i] && v <= this.high[i])) return false;
      if (this.dtype === "uint8" && !Number.isInteger(v)) return false;
    }
    return true;
  }

  override toJSON(): SpaceJSON {
    return {
      type: "Box",
      low: Array.from(this.low, encodeNumber),
      high: Array.from(this.high, encodeNumber),
      shape: [...this.shape],
      dtype: this.dtype,
    };
  }

  override toString(): string {
    const lo = uniformValue(this.low);
    const hi = uniformValue(this.high);
    const l = lo === undefined ? "[...]" : String(lo);
    const h = hi === undefined ? "[...]" : String(hi);
    return `Box(${l}, ${h}, (${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), ${this.dtype})`;
  }
}

function isNumericArrayLike(x: unknown): x is ArrayLike<unknown> {
  if (Array.isArray(x)) return true;
  return (
    ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array || x instanceof BigUint64Array)
  );
}

function resolveShape(low: Bound, high: Bound, shape: readonly number[] | undefined): number[] {
  if (shape !== undefined) return checkShape("Box", shape);
  if (typeof low !== "number") return [low.length];
  if (typeof high !== "number") return [high.length];
  throw new InvalidArgumentError("Box: shape is required when low and high are both scalars");
}

function broadcast(name: string, bound: Bound, size: number): Float32Array {
  if (typeof bound === "number") return new Float32Array(size).fill(bound);
  if (bound == null || typeof bound.length !== "number" || bound.length !== size) {
    throw new ShapeError(`Box: ${name} must be a number or have ${size} elements, got ${describe(bound)}`);
  }
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = Number(bound[i]); // accepts the "Infinity" strings of JSON
    out[i] = v;
  }
  return out;
}

function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function uniformValue(a: Float32Array): number | undefined {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return undefined;
  return a[0];
}
