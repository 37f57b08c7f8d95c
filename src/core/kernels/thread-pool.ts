import { InvalidArgumentError, TsrlError } from "../../errors.js";

/** A worker thread of a kernel thread pool failed (its kernel trapped) or ended; the message names it. */
export class WorkerError extends TsrlError {}

/** Most threads a pool takes by default (the row blocks of a batch-256 matmul stop paying past about this). */
export const MAX_DEFAULT_THREADS = 8;

// Layout of the control block (one SharedArrayBuffer, apart from the arena): per worker slot, four int32 words,
// then the task arguments (float64, so byte addresses up to 4 GiB are exact), then an error message (UTF-16).
const WORDS = 4;
const STATE = 0; // 0 starting, 1 ready, 2 ended
const SEQ = 1; // task number the calling thread bumps to hand the slot a task
const DONE = 2; // task number the worker finished last
const ERR = 3; // 1 when its last task threw (message in the slot's text)
const READY = 1;
const ENDED = 2;
const NARGS = 16;
const MSG_CHARS = 240;
const QUIT = -1;

/**
 * Spins on the task word before sleeping in Atomics.wait: a worker woken from the futex took tens of microseconds
 * (bench/threads.ts prints the fork/join cost with and without), while the matmuls of one training step follow
 * each other within microseconds. About 50 us of spinning, then sleep, so an idle pool costs no CPU.
 */
const SPIN = 20000;

/**
 * The worker's whole program, platform-neutral: instantiate the kernel module on the shared memory, then take
 * tasks from its slot until told to quit. Kept as source text (not a module file) so that Node, bundlers and
 * browsers start it the same way, with nothing to resolve.
 */
const WORKER_BODY = `
function start(d) {
  const ctrl = new Int32Array(d.control);
  const base = d.slot * ${WORDS};
  const args = new Float64Array(d.control, d.argsByte + d.slot * ${NARGS * 8}, ${NARGS});
  const msg = new Uint16Array(d.control, d.msgByte + d.slot * ${MSG_CHARS * 2}, ${MSG_CHARS});
  const end = () => { Atomics.store(ctrl, base + ${STATE}, ${ENDED}); Atomics.notify(ctrl, base + ${DONE}); };
  if (typeof process === "object" && process.on) process.on("exit", end);
  const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  Atomics.store(ctrl, base + ${STATE}, ${READY});
  let seq = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, base + ${SEQ}) === seq) {
      if (++spins > ${SPIN}) { Atomics.wait(ctrl, base + ${SEQ}, seq); spins = 0; }
    }
    seq = Atomics.load(ctrl, base + ${SEQ});
    if (args[0] === ${QUIT}) break;
    try {
      k.matmulRows(args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
        args[11], args[12], args[13], args[14], args[15]);
      if (args[0] === 2) {
        const row = args[3] + args[14] * args[6] * 4;
        k.tanh(row, row, (args[15] - args[14]) * args[6]);
      }
      Atomics.store(ctrl, base + ${ERR}, 0);
    } catch (e) {
      const text = String(e && e.message ? e.message : e).slice(0, ${MSG_CHARS - 1});
      msg[0] = text.length;
      for (let i = 0; i < text.length; i++) msg[i + 1] = text.charCodeAt(i);
      Atomics.store(ctrl, base + ${ERR}, 1);
    }
    Atomics.store(ctrl, base + ${DONE}, seq);
    Atomics.notify(ctrl, base + ${DONE});
  }
  end();
}
`;

/** What starting a worker needs from the platform: Node's worker_threads or the browser's Worker. */
interface WorkerHandle {
  terminate(): unknown;
}
interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  slot: number;
  argsByte: number;
  msgByte: number;
}
/** `onEnd` is called when the worker ends, with the error that ended it if one did. */
type Spawn = (init: WorkerInit, onEnd: (error?: unknown) => void) => WorkerHandle;

interface NodeWorker extends WorkerHandle {
  unref(): void;
  on(event: "exit" | "error", listener: (e?: unknown) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (code: string, opts: { eval: true; workerData: WorkerInit }) => NodeWorker;
  isMainThread: boolean;
}

function nodeWorkerThreads(): NodeWorkerThreads | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined) ?? null;
}

interface BrowserWorker extends WorkerHandle {
  postMessage(data: unknown): void;
  addEventListener(type: "error", listener: (e: { message?: string }) => void): void;
}
type BrowserWorkerCtor = new (url: string) => BrowserWorker;

/**
 * How this runtime starts kernel workers, or why it cannot: no SharedArrayBuffer (a page served without the
 * COOP/COEP headers is not crossOriginIsolated), no worker API, or a thread that may not block in Atomics.wait
 * (a browser's main thread: run training in a Web Worker to get threads there).
 */
export function threadSupport(): { spawn: Spawn; reason: null } | { spawn: null; reason: string } {
  const g = globalThis as {
    SharedArrayBuffer?: unknown;
    crossOriginIsolated?: boolean;
    Worker?: BrowserWorkerCtor;
    document?: unknown;
    Blob?: new (parts: string[], opts: { type: string }) => unknown;
    URL?: { createObjectURL(blob: unknown): string };
  };
  if (typeof g.SharedArrayBuffer !== "function" || g.crossOriginIsolated === false) {
    return {
      spawn: null,
      reason:
        "SharedArrayBuffer is unavailable (a web page must be cross-origin isolated: serve it with the headers " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
    };
  }
  const wt = nodeWorkerThreads();
  if (wt !== null) {
    return {
      reason: null,
      spawn: (init, onEnd) => {
        const w = new wt.Worker(`${WORKER_BODY}\nstart(process.getBuiltinModule("node:worker_threads").workerData);`, {
          eval: true,
          workerData: init,
        });
        w.on("error", onEnd);
        w.on("exit", () => onEnd());
        w.unref(); // an idle pool never keeps Node's process alive
        return w;
      },
    };
  }
  if (g.document !== undefined) {
    return {
      spawn: null,
      reason: "a browser's main thread may not block in Atomics.wait: run training in a Web Worker to use threads",
    };
  }
  const { Worker, Blob, URL } = g;
  if (Worker === undefined || Blob === undefined || URL === undefined) {
    return { spawn: null, reason: "this runtime has no Worker API" };
  }
  const url = URL.createObjectURL(
    new Blob([`${WORKER_BODY}\nself.onmessage = (e) => start(e.data);`], { type: "text/javascript" }),
  );
  return {
    reason: null,
    spawn: (init, onEnd) => {
      const w = new Worker(url);
      w.addEventListener("error", (e) => onEnd(e.message));
      w.postMessage(init);
      return w;
    },
  };
}

/** The machine's hardware threads (Node's os.availableParallelism, the browser's hardwareConcurrency), at least 1. */
export function machineThreads(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const n =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

/** The default thread count: the machine's, at most {@link MAX_DEFAULT_THREADS}. */
export function defaultThreads(): number {
  return Math.min(machineThreads(), MAX_DEFAULT_THREADS);
}

/** Validate a `threads` option (undefined: the default); `what` names it in the error. */
export function checkThreads(threads: unknown, what = "threads"): number {
  if (threads === undefined) return defaultThreads();
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1) {
    throw new InvalidArgumentError(
      `${what} must be an integer >= 1, got ${typeof threads === "number" ? threads : JSON.stringify(threads)}`,
    );
  }
  return threads;
}

/** One block of rows of a matmul for one thread: the arguments of assembly/kernels.ts's matmulRows, byte addresses. */
export interface RowTask {
  /** 1: matmulRows; 2: matmulRows, then tanh over the block's rows of C */
  kind: 1 | 2;
  a: number;
  b: number;
  c: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  acc: boolean;
  scratch: number;
  bias: number;
  op: number;
  aux: number;
}

/**
 * `threads - 1` workers, each with the kernel module instantiated on the arena's shared memory, and the calling
 * thread as the last of the team. A call hands each worker the bounds of its block of rows through its slot of a
 * shared control block and wakes it (Atomics.notify), runs its own block, then waits for each worker's "done"
 * word (Atomics.wait): no message per call. Workers start asynchronously; a call uses the ones already up (the
 * results do not depend on how many take part), and `ready()` waits for all.
 */
export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly msgs: Uint16Array;
  private readonly handles: (WorkerHandle | null)[] = [];
  /** Slots whose worker ended or failed, reported by the next call, with the error that ended it if known. */
  private readonly ended = new Set<number>();
  private readonly endErrors = new Map<number, string>();
  private readonly seq: number[] = [];
  private closed = false;

  constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    spawn: Spawn,
  ) {
    const workers = threads - 1;
    const argsByte = Math.ceil((workers * WORDS * 4) / 8) * 8;
    const msgByte = argsByte + workers * NARGS * 8;
    const control = new SharedArrayBuffer(msgByte + workers * MSG_CHARS * 2);
    this.ctrl = new Int32Array(control, 0, workers * WORDS);
    this.args = new Float64Array(control, argsByte, workers * NARGS);
    this.msgs = new Uint16Array(control, msgByte, workers * MSG_CHARS);
    for (let s = 0; s < workers; s++) {
      this.seq.push(0);
      this.handles.push(
        spawn({ module, memory, control, slot: s, argsByte, msgByte }, (error) => {
          if (error !== undefined && !this.endErrors.has(s)) {
            this.endErrors.set(s, error instanceof Error ? error.message : String(error));
          }
          Atomics.store(this.ctrl, s * WORDS + STATE, ENDED);
          if (!this.closed && this.handles[s] !== null) this.ended.add(s);
        }),
      );
    }
  }

  /** Workers started and not ended. */
  get readyWorkers(): number {
    let n = 0;
    for (let s = 0; s < this.handles.length; s++) if (this.isReady(s)) n++;
    return n;
  }

  /** Resolves when every worker has started (rejects with WorkerError if one ends first, or after `timeoutMs`). */
  async ready(timeoutMs = 30000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      this.throwIfEnded();
      if (this.readyWorkers === this.handles.length) return;
      if (Date.now() - t0 > timeoutMs)
        throw new WorkerError(`kernel thread pool: workers not started after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Split rows [0, m) of a matmul over the calling thread and the ready workers, in blocks whose starts are
   * multiples of 16 rows (see matmulRows), at most `parts` of them; `runLocal(i0, i1)` computes the calling
   * thread's block. Throws WorkerError naming a worker that failed or ended (after every other block is done).
   */
  run(task: RowTask, parts: number, runLocal: (i0: number, i1: number) => void): void {
    this.throwIfEnded();
    const team: number[] = [];
    for (let s = 0; s < this.handles.length && team.length < parts - 1; s++) if (this.isReady(s)) team.push(s);
    const blocks = Math.ceil(task.m / 16);
    const count = team.length + 1;
    const bound = (t: number) => Math.min(task.m, 16 * Math.floor((blocks * t) / count));
    // workers take blocks 1..count-1, the calling thread block 0
    for (let t = 1; t < count; t++) {
      const s = team[t - 1];
      const a = this.args;
      const o = s * NARGS;
      a[o] = task.kind;
      a[o + 1] = task.a;
      a[o + 2] = task.b;
      a[o + 3] = task.c;
      a[o + 4] = task.m;
      a[o + 5] = task.k;
      a[o + 6] = task.n;
      a[o + 7] = task.transA ? 1 : 0;
      a[o + 8] = task.transB ? 1 : 0;
      a[o + 9] = task.acc ? 1 : 0;
      a[o + 10] = task.scratch;
      a[o + 11] = task.bias;
      a[o + 12] = task.op;
      a[o + 13] = task.aux;
      a[o + 14] = bound(t);
      a[o + 15] = bound(t + 1);
      this.hand(s);
    }
    try {
      runLocal(0, bound(1));
    } finally {
      this.join(team);
    }
  }

  /** Stop the workers (idempotent). The pool is unusable after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let s = 0; s < this.handles.length; s++) {
      const h = this.handles[s];
      if (h === null) continue;
      this.args[s * NARGS] = QUIT;
      this.hand(s);
      h.terminate();
      this.handles[s] = null;
    }
  }

  /** @internal End worker `slot` (0-based) as a crash would: for tests of the failure path. */
  killWorker(slot: number): Promise<void> {
    const h = this.handles[slot];
    if (h === null || h === undefined) return Promise.resolve();
    return Promise.resolve(h.terminate()).then(() => undefined);
  }

  private isReady(s: number): boolean {
    return this.handles[s] !== null && Atomics.load(this.ctrl, s * WORDS + STATE) === READY;
  }

  private hand(s: number): void {
    this.seq[s] = (this.seq[s] + 1) | 0;
    Atomics.store(this.ctrl, s * WORDS + SEQ, this.seq[s]);
    Atomics.notify(this.ctrl, s * WORDS + SEQ);
  }

  /** Wait for every worker of `team` to finish its task; then throw for the first that failed or ended. */
  private join(team: number[]): void {
    const ctrl = this.ctrl;
    let failure: string | null = null;
    for (const s of team) {
      const done = s * WORDS + DONE;
      let spins = 0;
      for (;;) {
        const d = Atomics.load(ctrl, done);
        if (d === this.seq[s]) break;
        if (Atomics.load(ctrl, s * WORDS + STATE) === ENDED) {
          this.ended.add(s);
          break;
        }
        // spin first (most blocks finish within microseconds of each other), then sleep in slices so that a
        // worker that ended without a word is still noticed
        if (++spins > SPIN) Atomics.wait(ctrl, done, d, 50);
      }
      if (Atomics.load(ctrl, s * WORDS + ERR) === 1 && failure === null && !this.ended.has(s)) {
        const m = this.msgs.subarray(s * MSG_CHARS + 1, s * MSG_CHARS + 1 + this.msgs[s * MSG_CHARS]);
        failure = `kernel thread pool: worker ${s + 1} of ${this.threads - 1} failed: ${String.fromCharCode(...m)}`;
        Atomics.store(ctrl, s * WORDS + ERR, 0);
      }
    }
    this.throwIfEnded();
    if (failure !== null) throw new WorkerError(failure);
  }

  /** Report (once) workers that ended, and drop them: later calls run on the rest. */
  private throwIfEnded(): void {
    if (this.ended.size === 0) return;
    const gone = [...this.ended].sort((x, y) => x - y);
    this.ended.clear();
    for (const s of gone) this.handles[s] = null;
    const why = gone.flatMap((s) => (this.endErrors.has(s) ? [`worker ${s + 1}: ${this.endErrors.get(s)}`] : []));
    throw new WorkerError(
      `kernel thread pool: worker${gone.length > 1 ? "s" : ""} ${gone.map((s) => s + 1).join(", ")} of ${this.threads - 1} ended unexpectedly` +
        `${why.length > 0 ? ` (${why.join("; ")})` : ""}; the pool goes on with ${this.handles.filter((h) => h !== null).length} worker(s)`,
    );
  }
}
