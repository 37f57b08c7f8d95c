import { InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";
import type { Arena, ArenaDType } from "./arena.js";
import { type KernelPreference, type Kernels, makeCompute, ThreadedKernels } from "./kernels/index.js";
import { type OpDef, TapeNode } from "./tape.js";
import { fmtShape, shapeSize, Tensor } from "./tensor.js";

export interface EngineOptions {
  /** Element type: "float32" (default; wasm SIMD kernels when available) or "float64" (TS kernels). */
  dtype?: ArenaDType;
  /**
   * Kernel choice (see `selectKernels`): "auto" (wasm when available, else TS), "wasm" (the best wasm build; throws
   * if unavailable), "wasm-simd" / "wasm-relaxed" (that build) or "ts".
   */
  kernels?: KernelPreference;
  /** Check every op's output and every gradient for NaN/Infinity and throw NonFiniteError naming the op. */
  checkFinite?: boolean;
  /** Initial arena size in bytes (it grows as needed). */
  initialBytes?: number;
  /**
   * Threads for the large matrix products (integer >= 1; default: the machine's cores, at most 8). Results are
   * identical bit for bit whatever the count. Where threads cannot run (no SharedArrayBuffer, a browser's main
   * thread, the "ts" kernels) the engine runs on one and says why in `threadsNote`.
   */
  threads?: number;
}

/** Elements reserved at a time for parameters (and as many for their gradients). */
const PARAM_CHUNK = 1 << 15;

/**
 * One arena (all tensor storage) + one set of kernels + one autograd tape.
 *
 * Usage in a training loop:
 * ```ts
 * engine.scope(() => {
 *   const loss = mean(square(sub(net.forward(x), y)));
 *   engine.backward(loss);          // accumulates into each parameter's persistent .grad
 *   opt.step();
 * });                               // every temporary of the step is freed here
 * ```
 */
export class Engine {
  readonly dtype: ArenaDType;
  readonly arena: Arena;
  readonly kernels: Kernels;
  /** Threads the large products run on (1: the calling thread only). */
  readonly threads: number;
  /** Why the engine runs on fewer threads than asked for, or null. */
  readonly threadsNote: string | null;
  /** When true, every op output and gradient is checked for NaN/Infinity (slower; for debugging). */
  checkFinite: boolean;

  private gradEnabled = true;
  /** Where the next parameter and its gradient go (element offsets of two zeroed blocks of `capacity`). */
  private readonly paramChunk = { values: 0, grads: 0, used: 0, capacity: 0 };
  /** Where the next 2-D parameter's packed W^T goes (see `Tensor.pack`). */
  private readonly packChunk = { offset: 0, used: 0, capacity: 0 };
  private depth = 0;
  /** Pooled tape: tape[0..tapeLen) are the recorded ops of the current graph, oldest first. */
  private readonly tape: TapeNode[] = [];
  private tapeLen = 0;
  /** Tensors made inside scopes, so they can be marked dead when their scope ends. */
  private readonly scoped: Tensor[] = [];
  private scopedLen = 0;
  /** Leaves whose `.grad` was allocated inside a scope: that gradient is dropped when the scope ends. */
  private readonly gradOwners: Tensor[] = [];
  private gradOwnersLen = 0;

  constructor(opts: EngineOptions = {}) {
    // makeCompute rejects an unknown dtype, kernel choice or thread count with InvalidArgumentError
    const compute = makeCompute(opts, "Engine threads");
    this.arena = compute.arena;
    this.dtype = this.arena.dtype;
    this.kernels = compute.kernels;
    this.threads = compute.threads;
    this.threadsNote = compute.threadsNote;
    this.checkFinite = opts.checkFinite ?? false;
  }

  /** Start the kernel worker threads now and wait until they run (otherwise they start at the first large product). */
  async ready(): Promise<void> {
    if (this.kernels instanceof ThreadedKernels) await this.kernels.ready();
  }

  /**
   * Stop the kernel worker threads (idle workers never keep Node's process alive, so this is optional). The engine
   * stays usable: a later large product starts them again.
   */
  close(): void {
    if (this.kernels instanceof ThreadedKernels) this.kernels.close();
  }

  // ---------------------------------------------------------------- creation

  /** A new tensor holding a copy of `values` (row-major, length = product of `shape`). */
  tensor(values: ArrayLike<number>, shape: readonly number[], opts?: { requiresGrad?: boolean }): Tensor {
    const size = shapeSize(shape, "Engine.tensor shape");
    if (values === null || typeof values !== "object" || typeof values.length !== "number") {
      throw new InvalidArgumentError(`Engine.tensor values must be an array or typed array of numbers`);
    }
    if (values.length !== size) {
      throw new ShapeError(`Engine.tensor: values has length ${values.length}, shape ${fmtShape(shape)} needs ${size}`);
    }
    const t = this.empty(shape, size, opts?.requiresGrad ?? false);
    this.arena.view.set(values, t.offset);
    if (this.checkFinite) this.assertFinite("tensor (input)", t);
    return t;
  }

  zeros(shape: readonly number[], opts?: { requiresGrad?: boolean }): Tensor {
    return this.full(shape, 0, opts);
  }

  full(shape: readonly number[], value: number, opts?: { requiresGrad?: boolean }): Tensor {
    const size = shapeSize(shape, "Engine.full shape");
    if (typeof value !== "number") throw new InvalidArgumentError(`Engine.full value must be a number, got ${value}`);
    const t = this.empty(shape, size, opts?.requiresGrad ?? false);
    this.arena.view.fill(value, t.offset, t.offset + size);
    return t;
  }

  /**
   * A persistent, trainable tensor (zero-filled; initialise it with nn/init) with a persistent zeroed `.grad`.
   * Must be made outside every scope so it outlives the training steps.
   */
  parameter(shape: readonly number[]): Tensor {
    if (this.depth > 0) {
      throw new InvalidArgumentError("Engine.parameter must be called outside engine.scope(): parameters persist");
    }
    const size = shapeSize(shape, "Engine.parameter shape");
    // Parameters made one after another lie back to back (each padded to the arena's alignment), and so do their
    // gradients, at one fixed distance: zeroing, the clip's scaling and the SGD/RMSprop steps then run one kernel call
    // over a whole network instead of one per tensor (nn/module.ts `paramRunEnd`; Adam and Polyak stay per tensor).
    const padded = this.arena.paddedLength(size);
    const chunk = this.paramChunk;
    if (chunk.used + padded > chunk.capacity) {
      chunk.capacity = Math.max(PARAM_CHUNK, padded);
      chunk.values = this.arena.allocZeroed(chunk.capacity);
      chunk.grads = this.arena.allocZeroed(chunk.capacity);
      chunk.used = 0;
    }
    const t = new Tensor(this, shape.slice(), size, chunk.values + chunk.used, true, true, true);
    t.grad = new Tensor(this, t.shape, size, chunk.grads + chunk.used, false, true, true);
    chunk.used += padded;
    // room for the W^T that the wasm matmul multiplies by, so linear packs a weight once per change, not per call
    if (shape.length === 2 && this.kernels.name !== "ts") {
      t.pack = { offset: this.reserve(this.packChunk, padded), rows: shape[0], fresh: false };
    }
    return t;
  }

  /** `n` elements from `chunk`, a new block when it is full (persistent: call outside every scope). */
  private reserve(chunk: { offset: number; used: number; capacity: number }, n: number): number {
    if (chunk.used + n > chunk.capacity) {
      chunk.capacity = Math.max(PARAM_CHUNK, n);
      chunk.offset = this.arena.alloc(chunk.capacity);
      chunk.used = 0;
    }
    const off = chunk.offset + chunk.used;
    chunk.used += n;
    return off;
  }

  /** True when called inside a `scope` (allocations are temporary). */
  get inScope(): boolean {
    return this.depth > 0;
  }

  /** True unless inside `noGrad`. */
  get isGradEnabled(): boolean {
    return this.gradEnabled;
  }

  // ---------------------------------------------------------------- scopes

  /**
   * Run `fn`; every tensor allocated inside is freed when it returns (or throws), and the ops it recorded are
   * dropped from the tape. Copy out what you need (`item()`, `toArray()`) before returning.
   */
  scope<T>(fn: () => T): T {
    const mark = this.arena.mark();
    const tapeStart = this.tapeLen;
    const scopedStart = this.scopedLen;
    const ownersStart = this.gradOwnersLen;
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      for (let i = scopedStart; i < this.scopedLen; i++) {
        const t = this.scoped[i];
        t.offset = -1;
        t.grad = null;
      }
      this.scopedLen = scopedStart;
      for (let i = ownersStart; i < this.gradOwnersLen; i++) this.gradOwners[i].grad = null;
      this.gradOwnersLen = ownersStart;
      this.truncateTape(tapeStart);
      this.arena.release(mark);
    }
  }

  /** `scope(fn)` under `noGrad`: the acting hot path's temporaries, in one call (no closure made per call). */
  noGradScope<T>(fn: () => T): T {
    const prev = this.gradEnabled;
    this.gradEnabled = false;
    try {
      return this.scope(fn);
    } finally {
      this.gradEnabled = prev;
    }
  }

  /** Run `fn` without recording ops (no gradients flow through what it computes). */
  noGrad<T>(fn: () => T): T {
    const prev = this.gradEnabled;
    this.gradEnabled = false;
    try {
      return fn();
    } finally {
      this.gradEnabled = prev;
    }
  }

  // ---------------------------------------------------------------- backward

  /**
   * Reverse-mode differentiation of `output` along the recorded tape. A scalar output gets an upstream gradient
   * of 1; any other shape needs `upstream` of the same shape. Gradients ACCUMULATE into leaves' `.grad`
   * (parameters: their persistent buffer; other leaves with requiresGrad: a buffer allocated in the current
   * scope). The tape is consumed unless `retainGraph` is set (then `backward` may run again on the same graph,
   * e.g. for the J^T u products of a conjugate-gradient loop).
   */
  backward(output: Tensor, upstream?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    if (!(output instanceof Tensor) || output.engine !== this) {
      throw new InvalidArgumentError("backward: output must be a Tensor of this engine");
    }
    output.live();
    if (upstream === undefined) {
      if (output.size !== 1) {
        throw new ShapeError(
          `backward: output of shape ${fmtShape(output.shape)} is not a scalar; pass an upstream gradient of that shape`,
        );
      }
    } else if (!(upstream instanceof Tensor) || upstream.engine !== this) {
      throw new InvalidArgumentError("backward: upstream must be a Tensor of this engine");
    } else if (upstream.size !== output.size || !sameShape(upstream.shape, output.shape)) {
      throw new ShapeError(
        `backward: upstream shape ${fmtShape(upstream.shape)} must equal output shape ${fmtShape(output.shape)}`,
      );
    }
    if (!output.requiresGrad) {
      throw new InvalidArgumentError(
        "backward: output does not require grad (no parameter or requiresGrad input reached it, or it was made in noGrad)",
      );
    }
    // Leaf gradients must outlive this call: allocate the missing ones before taking the mark below.
    const tape = this.tape;
    for (let i = 0; i < this.tapeLen; i++) {
      const n = tape[i];
      this.ensureLeafGrad(n.a);
      this.ensureLeafGrad(n.b);
      this.ensureLeafGrad(n.c);
    }
    this.ensureLeafGrad(output);
    const mark = this.arena.mark();
    try {
      const seed = this.gradOf(output);
      const view = this.arena.view;
      if (upstream === undefined) view[seed] += 1;
      else {
        const u = upstream.live();
        for (let i = 0; i < output.size; i++) view[seed + i] += view[u + i];
      }
      for (let i = this.tapeLen - 1; i >= 0; i--) {
        const n = tape[i];
        const out = n.out as Tensor;
        if (out.grad === null) continue;
        (n.op as OpDef).backward(n, this);
        if (this.checkFinite) this.checkNodeGrads(n);
        if (!out.isLeaf) out.grad = null; // intermediate gradients live only for this call
      }
    } finally {
      for (let i = 0; i < this.tapeLen; i++) {
        const out = tape[i].out as Tensor;
        if (!out.isLeaf) out.grad = null;
      }
      if (!opts.retainGraph) this.truncateTape(0);
      this.arena.release(mark);
    }
  }

  /** Drop every recorded op (scope exit and backward do this for you). */
  clearTape(): void {
    this.truncateTape(0);
  }

  /** Number of ops currently on the tape (for tests and diagnostics). */
  get tapeLength(): number {
    return this.tapeLen;
  }

  // ---------------------------------------------------------------- internals used by ops and optimizers

  /**
   * @internal Allocate an uninitialised tensor (tracked by the current scope). A persistent leaf that requires
   * grad gets its persistent zeroed `.grad` right away, so backward never allocates it inside a scope.
   */
  empty(shape: readonly number[], size: number, requiresGrad: boolean, isLeaf = true): Tensor {
    const off = this.arena.alloc(size);
    const t = new Tensor(this, shape, size, off, requiresGrad, isLeaf, this.depth === 0);
    if (this.depth > 0) this.track(t);
    else if (requiresGrad && isLeaf) {
      const g = this.arena.allocZeroed(size);
      t.grad = new Tensor(this, shape, size, g, false, true, true);
    }
    return t;
  }

  /** @internal A tensor sharing `src`'s storage under another shape (reshape, stopGradient). */
  alias(src: Tensor, shape: readonly number[], requiresGrad: boolean, isLeaf: boolean): Tensor {
    const t = new Tensor(this, shape, src.size, src.live(), requiresGrad, isLeaf, this.depth === 0);
    t.pack = src.pack; // same storage: a write through either invalidates the one cache
    if (this.depth > 0) this.track(t);
    return t;
  }

  /** @internal Whether an op on these inputs must be recorded. */
  needsGrad(a: Tensor, b?: Tensor | null, c?: Tensor | null): boolean {
    return this.gradEnabled && (a.requiresGrad || b?.requiresGrad === true || c?.requiresGrad === true);
  }

  /** @internal Record an op application; returns the node so the op can fill its slots. */
  record(op: OpDef, out: Tensor, a: Tensor | null, b: Tensor | null = null, c: Tensor | null = null): TapeNode {
    let n = this.tape[this.tapeLen];
    if (n === undefined) {
      n = new TapeNode();
      this.tape.push(n);
    }
    this.tapeLen++;
    n.op = op;
    n.out = out;
    n.a = a;
    n.b = b;
    n.c = c;
    n.n0 = 0;
    n.n1 = 0;
    n.index = null;
    out.producer = n;
    if (a !== null) a.uses++;
    if (b !== null) b.uses++;
    if (c !== null) c.uses++;
    return n;
  }

  /**
   * @internal Element offset of `t`'s gradient buffer during backward, allocating a zeroed one on first use;
   * -1 when `t` needs no gradient. Call before reading `arena.view` (it may allocate).
   */
  gradOf(t: Tensor | null): number {
    if (t === null || !t.requiresGrad) return -1;
    let g = t.grad;
    if (g === null) {
      // zeroed by the kernel: a typed array's fill on a shared memory (threads) is several times slower
      const off = this.arena.alloc(t.size);
      this.kernels.fill(off, 0, t.size);
      g = new Tensor(this, t.shape, t.size, off, false, true, false);
      t.grad = g;
    }
    return g.offset;
  }

  /**
   * @internal For an op that WRITES its input's whole gradient rather than adding to it: the gradient's offset when
   * `t` has no gradient buffer yet (one is made, uninitialised) and is an intermediate with this op as its only
   * consumer; otherwise -1 (use `gradOf` and accumulate).
   */
  soleGrad(t: Tensor): number {
    if (!t.requiresGrad || t.isLeaf || t.grad !== null || t.uses !== 1) return -1;
    const g = new Tensor(this, t.shape, t.size, this.arena.alloc(t.size), false, true, false);
    t.grad = g;
    return g.offset;
  }

  /** @internal In check mode: throw NonFiniteError naming `op` if `t` holds NaN or Infinity. */
  assertFinite(op: string, t: Tensor, what = "output"): void {
    const v = this.arena.view;
    const off = t.offset;
    for (let i = 0; i < t.size; i++) {
      if (!Number.isFinite(v[off + i])) {
        throw new NonFiniteError(
          `${op}: ${what} of shape ${fmtShape(t.shape)} has a non-finite value ${v[off + i]} at index ${i}`,
        );
      }
    }
  }

  private track(t: Tensor): void {
    if (this.scopedLen < this.scoped.length) this.scoped[this.scopedLen] = t;
    else this.scoped.push(t);
    this.scopedLen++;
  }

  private ensureLeafGrad(t: Tensor | null): void {
    if (t?.isLeaf && t.requiresGrad && t.grad === null) {
      this.gradOf(t);
      if (this.depth > 0) {
        if (this.gradOwnersLen < this.gradOwners.length) this.gradOwners[this.gradOwnersLen] = t;
        else this.gradOwners.push(t);
        this.gradOwnersLen++;
      }
    }
  }

  private checkNodeGrads(n: TapeNode): void {
    const name = `${(n.op as OpDef).name} (backward)`;
    for (const t of [n.a, n.b, n.c]) {
      if (t?.requiresGrad && t.grad !== null) this.assertFinite(name, t.grad, "gradient");
    }
  }

  private truncateTape(len: number): void {
    for (let i = len; i < this.tapeLen; i++) this.tape[i].clear();
    if (len < this.tapeLen) this.tapeLen = len;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let defaultEngine: Engine | null = null;

/** A shared float32 engine with automatic kernel choice, made on first use. */
export function getDefaultEngine(): Engine {
  if (defaultEngine === null) defaultEngine = new Engine();
  return defaultEngine;
}
