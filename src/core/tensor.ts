import { InvalidArgumentError } from "../errors.js";
import type { Engine } from "./engine.js";
import type { TapeNode } from "./tape.js";

/** The element type of an engine's arena: float32 (wasm kernels) or float64 (TS kernels, gradient checks). */
export type FloatArray = Float32Array | Float64Array;

/**
 * @internal The transposed copy W^T [cols, rows] of a 2-D parameter W [rows, cols] that the wasm matmul multiplies
 * by in `linear` (and `matmul` with transB), kept so it is built once per change of W instead of once per call.
 * `fresh` is cleared by every write to W (`Tensor.markWritten`); shared by W and its aliases (same storage).
 */
export interface WeightPack {
  readonly offset: number;
  readonly rows: number;
  fresh: boolean;
}

/**
 * A dense row-major array living in its engine's arena. The Tensor object itself only holds the shape and the
 * element offset; the numbers are read with `data()` / `toArray()` / `item()`.
 *
 * Lifetime: a tensor made inside `engine.scope(fn)` is freed when `fn` returns (its `offset` becomes -1 and
 * any later use throws). Tensors made outside every scope (parameters, optimizer state) persist.
 */
export class Tensor {
  readonly engine: Engine;
  readonly shape: readonly number[];
  readonly size: number;
  /** Element offset into `engine.arena.view`; -1 once the scope that made this tensor has ended. */
  offset: number;
  /** Whether gradients flow back into this tensor. */
  requiresGrad: boolean;
  /** Gradient of the last `backward` w.r.t. this tensor (leaves only; parameters keep a persistent buffer). */
  grad: Tensor | null = null;
  /** True for tensors not produced by a recorded op (inputs, parameters). Only leaves keep `.grad`. */
  readonly isLeaf: boolean;
  /** True when made outside every scope: it lives as long as the engine. */
  readonly persistent: boolean;
  /** @internal The tape node that made this tensor (valid while `producer.out === this`), or null. */
  producer: TapeNode | null = null;
  /** @internal How many recorded ops took this tensor as an input (a backward may fuse into a sole consumer). */
  uses = 0;
  /** @internal The packed W^T cache of a 2-D parameter (and of its aliases), or null. */
  pack: WeightPack | null = null;

  constructor(
    engine: Engine,
    shape: readonly number[],
    size: number,
    offset: number,
    requiresGrad: boolean,
    isLeaf: boolean,
    persistent: boolean,
  ) {
    this.engine = engine;
    this.shape = shape;
    this.size = size;
    this.offset = offset;
    this.requiresGrad = requiresGrad;
    this.isLeaf = isLeaf;
    this.persistent = persistent;
  }

  get rank(): number {
    return this.shape.length;
  }

  /**
   * A live view of the elements. Valid until the arena next grows (any later allocation may grow it). Writing
   * through it is allowed: the call counts as a write (see {@link markWritten}).
   */
  data(): FloatArray {
    const off = this.live();
    this.markWritten();
    return this.engine.arena.view.subarray(off, off + this.size);
  }

  /** A copy of the elements as plain numbers. */
  toArray(): number[] {
    const off = this.live();
    return Array.from(this.engine.arena.view.subarray(off, off + this.size));
  }

  /** The single element of a tensor of size 1. */
  item(): number {
    if (this.size !== 1) {
      throw new InvalidArgumentError(`item() needs a tensor of size 1, got shape [${this.shape.join(", ")}]`);
    }
    return this.engine.arena.view[this.live()];
  }

  /** Copy `values` (length `size`) into this tensor, e.g. to load parameters or refill an input buffer. */
  set(values: ArrayLike<number>): void {
    if (values.length !== this.size) {
      throw new InvalidArgumentError(
        `Tensor.set: values has length ${values.length}, expected ${this.size} for shape [${this.shape.join(", ")}]`,
      );
    }
    this.engine.arena.view.set(values, this.live());
    this.markWritten();
  }

  /**
   * Declare that this tensor's values changed. `set`, `data()`, the optimizers, `polyakUpdate` and nn/init do it
   * for you; code that writes a parameter any other way (through `engine.arena.view` or a kernel called on its
   * offset) must call it, or `linear` may keep multiplying by a cached copy of the old weights.
   */
  markWritten(): void {
    if (this.pack !== null) this.pack.fresh = false;
  }

  /** The offset, or a clear error when the tensor's scope has already ended. */
  live(): number {
    if (this.offset < 0) {
      throw new InvalidArgumentError(
        `tensor of shape [${this.shape.join(", ")}] was used after the scope that created it ended; ` +
          "copy results out (item(), toArray()) before the scope returns",
      );
    }
    return this.offset;
  }

  toString(): string {
    return `Tensor([${this.shape.join(", ")}]${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

/** Number of elements of a shape; validates that every dimension is a non-negative integer. */
export function shapeSize(shape: readonly number[], what = "shape"): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${what} must hold non-negative integers, got [${shape.join(", ")}]`);
    }
    n *= d;
  }
  return n;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
