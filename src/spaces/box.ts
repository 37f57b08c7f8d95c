import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { checkShape, Space, type SpaceJSON, shapeSize } from "./space.js";

type Bound = number | ArrayLike<number>;

/**
 * A (possibly unbounded) box in R^n with float32 elements, Gymnasium's `Box(low, high, shape, dtype=np.float32)`.
 * Bounds are rounded to float32 like Gymnasium's cast. Elements are `Float32Array`s in row-major order.
 */
export class Box extends Space<Float32Array> {
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly dtype = "float32" as const;
  /** Number of scalars: the product of the shape. */
  readonly size: number;
  private readonly boundedBelow: Uint8Array;
  private readonly boundedAbove: Uint8Array;

  /**
   * @param low scalar (broadcast to `shape`) or array of lower bounds; `-Infinity` for unbounded.
   * @param high scalar or array of upper bounds; `Infinity` for unbounded.
   * @param shape required when both bounds are scalars; otherwise taken from the array bounds (flat arrays are 1-D).
   */
  constructor(low: Bound, high: Bound, shape?: readonly number[], opts: { seed?: number } = {}) {
    const resolved = resolveShape(low, high, shape);
    super(resolved);
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
   * where only the lower one is, high - Exp(1) where only the upper one is, N(0, 1) where neither is.
   * Writes into `out` when given (no allocation).
   */
  override sample(out?: Float32Array): Float32Array {
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== this.size)) {
      throw new ShapeError(`Box.sample: out must be a Float32Array of length ${this.size}, got ${describe(out)}`);
    }
    const x = out ?? new Float32Array(this.size);
    const rng = this.rng;
    for (let i = 0; i < this.size; i++) {
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
    }
    return true;
  }

  override toJSON(): SpaceJSON {
    return {
      type: "Box",
      low: Array.from(this.low, encodeNumber),
      high: Array.from(this.high, encodeNumber),
      shape: [...this.shape],
      dtype: "float32",
    };
  }

  override toString(): string {
    const lo = uniformValue(this.low);
    const hi = uniformValue(this.high);
    const l = lo === undefined ? "[...]" : String(lo);
    const h = hi === undefined ? "[...]" : String(hi);
    return `Box(${l}, ${h}, (${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), float32)`;
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
