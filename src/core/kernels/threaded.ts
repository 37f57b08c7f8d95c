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

/**
 * The WebAssembly kernels on a shared memory, with matmul and the fused dense-layer kernels (`linear`,
 * `linearInputGrad`; with matmul's transposed forms these are every product of a dense layer's forward and
 * backward pass) split by rows of the output over a {@link ThreadPool} when the product is large enough. Each
 * element of the output is computed by one thread with the single-thread kernel's arithmetic in the same order, so
 * results are identical bit for bit whatever the thread count. Every other kernel runs on the calling thread.
 * The pool starts at the first product large enough to use it (small networks never start one).
 */
export class ThreadedKernels extends WasmKernels {
  /** Products split over more than one thread so far (for tests and benchmarks). */
  splitProducts = 0;
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
  }

  /** @internal The pool (started if needed), for tests of its failure paths. */
  threadPool(): ThreadPool {
    if (this.pool === null) {
      const support = threadSupport();
      if (support.spawn === null) throw new TypeError(support.reason); // selectKernels checked this already
      this.pool = new ThreadPool(this.threads, this.module, this.arena.memory as WebAssembly.Memory, support.spawn);
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
    return Math.max(1, Math.min(this.threads, Math.floor(m / 16), Math.floor((m * k * n) / MIN_MACS_PER_THREAD)));
  }

  /** The row-split form of WasmKernels' matmul: pack B^T once on this thread, then blocks of rows on the pool. */
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
      const task: RowTask = {
        kind,
        a: a * B,
        b: b * B,
        c: c * B,
        m,
        k,
        n,
        transA,
        transB,
        acc,
        scratch,
        bias: biasByte,
        op,
        aux: auxByte === 0 ? c * B : auxByte,
      };
      const w = this.w;
      const pool = this.threadPool();
      if (pool.readyWorkers > 0) this.splitProducts++;
      pool.run(task, parts, (i0, i1) => {
        w.matmulRows(
          task.a,
          task.b,
          task.c,
          m,
          k,
          n,
          transA ? 1 : 0,
          transB ? 1 : 0,
          acc ? 1 : 0,
          scratch,
          biasByte,
          op,
          task.aux,
          i0,
          i1,
        );
        if (kind === 2) w.tanh(task.c + i0 * n * B, task.c + i0 * n * B, (i1 - i0) * n);
      });
    } finally {
      arena.release(mark);
    }
  }
}
