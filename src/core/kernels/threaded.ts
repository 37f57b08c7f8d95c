import type { Arena } from "../arena.js";
import type { LayerActivation } from "./kernels.js";
import {
  KIND_ADAM,
  KIND_COLS,
  KIND_ROWS,
  KIND_ROWS_TANH,
  type PoolTask,
  ThreadPool,
  threadSupport,
} from "./thread-pool.js";
import { Epilogue, EpilogueGrad, WasmKernels } from "./wasm.js";

/** Float32 element offset -> byte address. */
const B = 4;

/**
 * Multiply-adds each thread must get before a split pays for its fork/join. bench/threads.ts measures the
 * crossover with the workers awake: 2^18 multiply-adds per thread (about 10 us at 25 G multiply-adds/s) already won
 * there. In training the workers are often asleep when a product comes (acting and env steps run between updates;
 * waking one costs 20-30 us) and the host may not give the second core in full, so 2^18 lost: PPO with CleanRL's
 * settings (minibatch 128, 64-64 networks) took 4.63 s on 2 threads against 3.99 s on 1 (medians of 3 alternating
 * runs, idle machine); at 2^20 it took 4.14 s, and the zoo CartPole run (minibatch 256) was the same at all three
 * (3.27-3.38 s). Batch-64 products of 256-wide layers (DQN) and larger still split.
 */
export const MIN_MACS_PER_THREAD = 1 << 20;

/** Adam elements each thread must get before its (memory-bound) step is split. */
const MIN_ADAM_ELEMENTS_PER_THREAD = 1 << 15;

/** Closes the pool of kernels that were garbage-collected without close(). */
const unclosedPools = new FinalizationRegistry<ThreadPool>((pool) => pool.close());

/**
 * The WebAssembly kernels on a shared memory, with matmul and the fused dense-layer kernels (`linear`,
 * `linearInputGrad`; with matmul's transposed forms these are every product of a dense layer's forward and
 * backward pass) split by rows of the output over a {@link ThreadPool} when the product is large enough. Each
 * element of the output is computed by one thread with the single-thread kernel's arithmetic in the same order, so
 * results are identical bit for bit whatever the thread count. Every other kernel runs on the calling thread.
 * The pool starts at the first product large enough to use it (small networks never start one).
 */
export class ThreadedKernels extends WasmKernels {
  /** Products that worker threads took part in so far (for tests and benchmarks). */
  splitProducts = 0;
  /** The split threshold, {@link MIN_MACS_PER_THREAD}; bench/threads.ts sets it to 0 to measure the crossover. */
  minMacsPerThread = MIN_MACS_PER_THREAD;
  private pool: ThreadPool | null = null;

  constructor(
    arena: Arena,
    private readonly module: WebAssembly.Module,
    name: "wasm-simd" | "wasm-relaxed",
    readonly threads: number,
  ) {
    super(arena, module, name);
  }

  /** Start the workers now and wait until all run (otherwise they start at the first large product). */
  async ready(): Promise<void> {
    await this.threadPool().ready();
  }

  /** Stop the workers; a later large product starts a new pool. */
  close(): void {
    this.pool?.close();
    this.pool = null;
    unclosedPools.unregister(this);
  }

  /** @internal The pool (started if needed), for tests of its failure paths. */
  threadPool(): ThreadPool {
    if (this.pool === null) {
      const support = threadSupport();
      if (support.spawn === null) throw new TypeError(support.reason); // selectKernels checked this already
      this.pool = new ThreadPool(this.threads, this.module, this.arena.memory as WebAssembly.Memory, support.spawn);
      // an engine dropped without close() must not leave its workers (and its memory) alive until the process ends
      unclosedPools.register(this, this.pool, this);
    }
    return this.pool;
  }

  override matmul(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
    packedB = -1,
    packedFresh = false,
  ): void {
    if (!this.split(KIND_ROWS, a, b, c, m, k, n, transA, transB, accumulate, 0, 0, 0, packedB, packedFresh)) {
      super.matmul(a, b, c, m, k, n, transA, transB, accumulate, packedB, packedFresh);
    }
  }

  override linear(
    x: number,
    w: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    act: LayerActivation,
    packedW = -1,
    packedFresh = false,
  ): void {
    const kind = act === "tanh" ? KIND_ROWS_TANH : KIND_ROWS;
    if (!this.split(kind, x, w, out, m, k, n, false, true, false, b * B, Epilogue[act], 0, packedW, packedFresh)) {
      super.linear(x, w, b, out, m, k, n, act, packedW, packedFresh);
    }
  }

  override linearInputGrad(
    gy: number,
    w: number,
    y: number,
    gx: number,
    m: number,
    n: number,
    k: number,
    act: LayerActivation,
  ): void {
    if (!this.split(KIND_ROWS, gy, w, gx, m, n, k, false, false, false, 0, EpilogueGrad[act], y * B, -1, false)) {
      super.linearInputGrad(gy, w, y, gx, m, n, k, act);
    }
  }

  override adamStep(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void {
    // memory-bound: worth a split from about 2^15 elements (128 KiB per array) per thread
    const parts = Math.min(this.threads, Math.floor(n / MIN_ADAM_ELEMENTS_PER_THREAD));
    if (parts < 2) {
      super.adamStep(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step);
      return;
    }
    const s = this.adamScalars(lr, beta1, beta2, step);
    const t = this.task;
    t.kind = KIND_ADAM;
    const g = t.args;
    g[0] = param * B;
    g[1] = grad * B;
    g[2] = m * B;
    g[3] = v * B;
    g[4] = n;
    g[5] = s[0];
    g[6] = s[1];
    g[7] = beta1;
    g[8] = s[2];
    g[9] = beta2;
    g[10] = s[3];
    g[11] = eps;
    g[12] = weightDecay;
    // chunks start at multiples of 4 elements: each element then takes the undivided call's vector or scalar path
    t.total = n;
    t.unit = 4;
    if (this.threadPool().run(t, parts, this.runLocal) > 0) this.splitProducts++;
  }

  /**
   * Runs a product on the pool when it is large enough, split by rows of C, or by columns when B is the larger
   * operand (n > m: a small batch times a wide layer): each thread then packs and reads only its columns of B
   * instead of all of it. A kept B^T (`packedB`, as matmul's) is multiplied by as stored when fresh, else packed
   * into (by columns: each thread its own). Returns false when the product should stay on this thread.
   */
  private split(
    kind: number,
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    acc: boolean,
    biasByte: number,
    op: number,
    auxByte: number,
    packedB: number,
    packedFresh: boolean,
  ): boolean {
    if (k === 0 || m === 0 || n === 0) return false;
    const perThread = Math.floor((m * k * n) / Math.max(1, this.minMacsPerThread));
    // the common case (every product of a 64-64 network's acting and minibatch steps): decided before the wasm call
    if (perThread < 2 || this.threads < 2) return false;
    let packs = this.packsB(m, n, transA, transB);
    // the dot-product path (transB without packing) has no column form
    const byCols = n > m && (packs || !transB) && n >= 16;
    const parts = Math.min(this.threads, perThread, byCols ? Math.floor(n / 8) : Math.floor(m / 16));
    if (parts < 2 || (!byCols && m < 32)) return false;
    const kept = packs && packedB >= 0;
    if (kept && packedFresh) {
      // B^T is packed already: multiply by it as stored, the same arithmetic as the packed path
      b = packedB;
      transB = false;
      packs = false;
    }
    const arena = this.arena;
    const mark = arena.mark();
    try {
      const scratch = !packs ? 0 : kept ? packedB * B : arena.alloc(k * n) * B;
      if (packs && !byCols) this.w.packB(b * B, scratch, n, k);
      const t = this.task;
      t.kind = byCols ? KIND_COLS : kind;
      const g = t.args;
      g[0] = a * B;
      g[1] = b * B;
      g[2] = c * B;
      g[3] = m;
      g[4] = k;
      g[5] = n;
      g[6] = transA ? 1 : 0;
      g[7] = transB ? 1 : 0;
      g[8] = acc ? 1 : 0;
      g[9] = scratch;
      g[10] = biasByte;
      g[11] = op;
      g[12] = auxByte === 0 ? c * B : auxByte;
      t.total = byCols ? n : m;
      t.unit = byCols ? 8 : 16;
      if (this.threadPool().run(t, parts, this.runLocal) > 0) this.splitProducts++;
      // tanh is not fused into the matmul; by columns its pass runs over the whole C after the join
      if (byCols && kind === KIND_ROWS_TANH) this.w.tanh(c * B, c * B, m * n);
    } finally {
      arena.release(mark);
    }
    return true;
  }

  /** Items [i0, i1) of the current task on this thread (made once: a call allocates nothing). */
  private readonly runLocal = (i0: number, i1: number): void => {
    const t = this.task;
    const g = t.args;
    if (t.kind === KIND_ADAM) {
      const o = i0 * B;
      this.w.adamStep(
        g[0] + o,
        g[1] + o,
        g[2] + o,
        g[3] + o,
        i1 - i0,
        g[5],
        g[6],
        g[7],
        g[8],
        g[9],
        g[10],
        g[11],
        g[12],
      );
    } else if (t.kind === KIND_COLS) {
      this.w.matmulCols(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], i0, i1);
    } else {
      this.w.matmulRows(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], i0, i1);
      if (t.kind === KIND_ROWS_TANH) this.w.tanh(g[2] + i0 * g[5] * B, g[2] + i0 * g[5] * B, (i1 - i0) * g[5]);
    }
  };

  private readonly task: PoolTask = { kind: KIND_ROWS, args: new Float64Array(13), total: 0, unit: 16 };
}
