import type { Arena } from "../arena.js";
import type { LayerActivation } from "./kernels.js";
import { type RowTask, ThreadPool, threadSupport } from "./thread-pool.js";
import { Epilogue, EpilogueGrad, WasmKernels } from "./wasm.js";

/** Float32 element offset -> byte address. */
const B = 4;

/**
 * Multiply-adds each thread must get before a split pays for its fork/join. bench/threads.ts measures the
 * crossover: the fork/join of a 2-thread call cost about 5-10 us on an idle 2-core AMD EPYC (Node 20), a single
 * thread multiplies at about 50 GFLOP/s (25 G multiply-adds/s), so a block of 2^18 multiply-adds (about 10 us)
 * is where two threads start to win; smaller products stay on the calling thread.
 */
export const MIN_MACS_PER_THREAD = 1 << 18;

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
  ): void {
    const parts = this.parts(m, k, n);
    if (parts === 1) {
      super.matmul(a, b, c, m, k, n, transA, transB, accumulate);
      return;
    }
    this.rows(1, a, b, c, m, k, n, transA, transB, accumulate, 0, 0, 0, parts);
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
  ): void {
    const parts = this.parts(m, k, n);
    if (parts === 1) {
      super.linear(x, w, b, out, m, k, n, act);
      return;
    }
    this.rows(act === "tanh" ? 2 : 1, x, w, out, m, k, n, false, true, false, b * B, Epilogue[act], 0, parts);
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
    const parts = this.parts(m, n, k);
    if (parts === 1) {
      super.linearInputGrad(gy, w, y, gx, m, n, k, act);
      return;
    }
    this.rows(1, gy, w, gx, m, n, k, false, false, false, 0, EpilogueGrad[act], y * B, parts);
  }

  /** How many threads a product of m x k x n multiply-adds gets: 1 when splitting would not pay. */
  private parts(m: number, k: number, n: number): number {
    if (m < 32 || k === 0 || n === 0) return 1;
    return Math.max(
      1,
      Math.min(this.threads, Math.floor(m / 16), Math.floor((m * k * n) / Math.max(1, this.minMacsPerThread))),
    );
  }

  /** The row-split form of WasmKernels' matmul: pack B^T once on this thread, then chunks of rows on the pool. */
  private rows(
    kind: 1 | 2,
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
    parts: number,
  ): void {
    const arena = this.arena;
    const mark = arena.mark();
    try {
      const packs = this.w.matmulPacksB(m, n, transA ? 1 : 0, transB ? 1 : 0) !== 0;
      const scratch = packs ? arena.alloc(k * n) * B : 0;
      if (packs) this.w.packB(b * B, scratch, n, k);
      const t = this.task;
      t.kind = kind;
      t.a = a * B;
      t.b = b * B;
      t.c = c * B;
      t.m = m;
      t.k = k;
      t.n = n;
      t.transA = transA;
      t.transB = transB;
      t.acc = acc;
      t.scratch = scratch;
      t.bias = biasByte;
      t.op = op;
      t.aux = auxByte === 0 ? c * B : auxByte;
      if (this.threadPool().run(t, parts, this.runLocal) > 0) this.splitProducts++;
    } finally {
      arena.release(mark);
    }
  }

  /** Rows [i0, i1) of the current task on this thread (made once: a call allocates nothing). */
  private readonly runLocal = (i0: number, i1: number): void => {
    const t = this.task;
    const ta = t.transA ? 1 : 0;
    const tb = t.transB ? 1 : 0;
    const acc = t.acc ? 1 : 0;
    this.w.matmulRows(t.a, t.b, t.c, t.m, t.k, t.n, ta, tb, acc, t.scratch, t.bias, t.op, t.aux, i0, i1);
    if (t.kind === 2) this.w.tanh(t.c + i0 * t.n * B, t.c + i0 * t.n * B, (i1 - i0) * t.n);
  };

  private readonly task: RowTask = {
    kind: 1,
    a: 0,
    b: 0,
    c: 0,
    m: 0,
    k: 0,
    n: 0,
    transA: false,
    transB: false,
    acc: false,
    scratch: 0,
    bias: 0,
    op: 0,
    aux: 0,
  };
}
