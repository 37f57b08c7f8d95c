import { InvalidArgumentError, TsrlError } from "../../errors.js";

/** A worker thread of a kernel thread pool failed (its kernel trapped) or ended; the message names it. */
export class WorkerError extends TsrlError {}

/** Most threads a pool takes by default: a batch-256 product has 16 chunks of 16 rows, two per thread at 8. */
export const MAX_DEFAULT_THREADS = 8;

// The control block (one SharedArrayBuffer, apart from the arena), int32 words: four for the pool, then four per
// worker slot; then the current task's arguments (float64, so byte addresses up to 4 GiB are exact), then one error
// message (UTF-16) per slot.
const G_TASK = 0; // task counter, bumped (and notified) to hand out a task; the workers wait on it
const G_STATE = 1; // (task counter & 0xffff) << 16 | CLOSED | threads inside the task (bits 0-14)
const G_NEXT = 2; // next chunk to claim
const G_QUIT = 3; // 1 once the pool closes
const GLOBAL_WORDS = 4;
const CLOSED = 0x8000;
const ACTIVE = 0x7fff;
const SLOT_WORDS = 4;
const S_STATE = 0; // 0 starting, 1 ready, 2 ended
const S_INSIDE = 1; // 1 while the worker is inside a task
const S_ERR = 2; // 1 when its part of the last task threw (message in the slot's text)
const S_STARTED = 3; // 1 once the worker has run (never cleared, unlike S_STATE)
const READY = 1;
const ENDED = 2;
const NARGS = 16;
// task kinds, args[0]: the kernel a chunk runs (args[1..13] its arguments, args[14] the items, args[15] per chunk)
export const KIND_ROWS = 1; // matmulRows over rows [i0, i1)
export const KIND_ROWS_TANH = 2; // matmulRows, then tanh over those rows of C
export const KIND_COLS = 3; // matmulCols over columns [i0, i1)
export const KIND_ADAM = 4; // adamStep over elements [i0, i1)
const MSG_CHARS = 240;

/**
 * Polls of a control word before sleeping in Atomics.wait (tens of microseconds): a thread woken from the futex
 * takes tens of microseconds to run, while the matmuls of one training step follow each other within microseconds.
 * Then it sleeps, so an idle pool costs no CPU.
 */
const SPIN = 20000;

/**
 * The worker's whole program, platform-neutral: instantiate the kernel module on the shared memory, then join each
 * task that is still open and claim chunks until none is left. Kept as source text (not a module file) so
 * that Node, bundlers and browsers start it the same way, with nothing to resolve.
 */
const WORKER_BODY = `
function start(d) {
  const ctrl = new Int32Array(d.control);
  const slot = ${GLOBAL_WORDS} + d.slot * ${SLOT_WORDS};
  const args = new Float64Array(d.control, d.argsByte, ${NARGS});
  const msg = new Uint16Array(d.control, d.msgByte + d.slot * ${MSG_CHARS * 2}, ${MSG_CHARS});
  const end = () => { Atomics.store(ctrl, slot + ${S_STATE}, ${ENDED}); Atomics.notify(ctrl, ${G_STATE}); };
  if (typeof process === "object" && process.on) process.on("exit", end);
  const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  let seen = Atomics.load(ctrl, ${G_TASK});
  Atomics.store(ctrl, slot + ${S_STARTED}, 1);
  Atomics.store(ctrl, slot + ${S_STATE}, ${READY});
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, ${G_TASK}) === seen) {
      if (++spins > ${SPIN}) { Atomics.wait(ctrl, ${G_TASK}, seen); spins = 0; }
    }
    seen = Atomics.load(ctrl, ${G_TASK});
    if (Atomics.load(ctrl, ${G_QUIT}) === 1) break;
    let joined = false;
    for (;;) {
      const v = Atomics.load(ctrl, ${G_STATE});
      if (v >>> 16 !== (seen & 0xffff) || (v & ${CLOSED}) !== 0) break;
      if (Atomics.compareExchange(ctrl, ${G_STATE}, v, v + 1) === v) { joined = true; break; }
    }
    if (!joined) continue;
    Atomics.store(ctrl, slot + ${S_INSIDE}, 1);
    try {
      const kind = args[0], total = args[14], unit = args[15], chunks = Math.ceil(total / unit);
      for (;;) {
        const c = Atomics.add(ctrl, ${G_NEXT}, 1);
        if (c >= chunks) break;
        const i0 = c * unit, i1 = Math.min(total, i0 + unit);
        if (kind === ${KIND_ADAM}) {
          const o = i0 * 4;
          k.adamStep(args[1] + o, args[2] + o, args[3] + o, args[4] + o, i1 - i0, args[6], args[7], args[8], args[9],
            args[10], args[11], args[12], args[13]);
        } else if (kind === ${KIND_COLS}) {
          k.matmulCols(args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
            args[11], args[12], args[13], i0, i1);
        } else {
          k.matmulRows(args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
            args[11], args[12], args[13], i0, i1);
          if (kind === ${KIND_ROWS_TANH}) { const p = args[3] + i0 * args[6] * 4; k.tanh(p, p, (i1 - i0) * args[6]); }
        }
      }
    } catch (e) {
      const text = String(e && e.message ? e.message : e).slice(0, ${MSG_CHARS - 1});
      msg[0] = text.length;
      for (let i = 0; i < text.length; i++) msg[i + 1] = text.charCodeAt(i);
      Atomics.store(ctrl, slot + ${S_ERR}, 1);
    }
    Atomics.store(ctrl, slot + ${S_INSIDE}, 0);
    Atomics.sub(ctrl, ${G_STATE}, 1);
    Atomics.notify(ctrl, ${G_STATE});
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

/** The worker program as a blob: URL, made once per page or worker. */
let browserWorkerUrl: string | undefined;

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
  browserWorkerUrl ??= URL.createObjectURL(
    new Blob([`${WORKER_BODY}\nself.onmessage = (e) => start(e.data);`], { type: "text/javascript" }),
  );
  const url = browserWorkerUrl;
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

/**
 * Work for the pool: `kind` (KIND_*) names the kernel, `args` its 13 arguments in the order of assembly/kernels.ts
 * (byte addresses and scalars; booleans as 0/1) without the range, and the work is `total` items (rows, columns or
 * elements) handed out in chunks that are multiples of `unit` (the kernel's alignment: see matmulRows/matmulCols).
 */
export interface PoolTask {
  kind: number;
  readonly args: Float64Array;
  total: number;
  unit: number;
}
/**
 * `threads - 1` workers, each with the kernel module instantiated on the arena's shared memory, and the calling
 * thread. A call writes the task to a shared control block, wakes the workers (one Atomics.notify) and claims
 * chunks (of rows, columns or elements: see PoolTask) from a shared counter like the workers do; when none is left it
 * closes the task to late workers and waits (Atomics.wait) for those inside: no message per call. A worker that is
 * slow to wake (a busy machine) or not started yet (workers start asynchronously; `ready()` waits for all) simply
 * takes fewer chunks, and the calling thread never waits for one that took none. Which thread computes a chunk
 * does not change its bits.
 */
export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly msgs: Uint16Array;
  private readonly handles: (WorkerHandle | null)[] = [];
  /** Slots whose worker ended or failed, reported by the next call, with the error that ended it if known. */
  private readonly ended = new Set<number>();
  private readonly endErrors = new Map<number, string>();
  /** Workers that ended before they started (e.g. a page whose policy refuses them), for ready() to report. */
  private readonly startFailures: string[] = [];
  private seq = 0;
  private closed = false;

  constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    spawn: Spawn,
  ) {
    const workers = threads - 1;
    const words = GLOBAL_WORDS + workers * SLOT_WORDS;
    const argsByte = Math.ceil((words * 4) / 8) * 8;
    const msgByte = argsByte + NARGS * 8;
    const control = new SharedArrayBuffer(msgByte + workers * MSG_CHARS * 2);
    this.ctrl = new Int32Array(control, 0, words);
    this.args = new Float64Array(control, argsByte, NARGS);
    this.msgs = new Uint16Array(control, msgByte, workers * MSG_CHARS);
    for (let s = 0; s < workers; s++) {
      this.handles.push(
        spawn({ module, memory, control, slot: s, argsByte, msgByte }, (error) => {
          const message = error instanceof Error ? error.message : String(error);
          if (error !== undefined && !this.endErrors.has(s)) this.endErrors.set(s, message);
          const w = GLOBAL_WORDS + s * SLOT_WORDS;
          Atomics.store(this.ctrl, w + S_STATE, ENDED);
          const started = Atomics.load(this.ctrl, w + S_STARTED) === 1;
          if (this.closed || this.handles[s] === null) return;
          if (started) this.ended.add(s);
          else {
            // it never took a task, so nothing is lost: the pool goes on without it (ready() reports it)
            this.handles[s] = null;
            this.startFailures.push(`worker ${s + 1}: ${error === undefined ? "exited" : message}`);
          }
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
      if (this.startFailures.length > 0) {
        throw new WorkerError(`kernel thread pool: workers failed to start (${this.startFailures.join("; ")})`);
      }
      if (this.readyWorkers === this.handles.length) return;
      if (Date.now() - t0 > timeoutMs) {
        throw new WorkerError(`kernel thread pool: workers not started after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Items [0, total) of `task` in about two chunks per part (at most `parts` threads' worth, chunks a multiple of
   * task.unit) over the calling thread and whichever workers join; `runLocal(i0, i1)` computes a chunk on the calling
   * thread. Returns how many chunks the workers computed. Throws WorkerError naming a worker that failed or ended
   * (after every thread has left the task).
   */
  run(task: PoolTask, parts: number, runLocal: (i0: number, i1: number) => void): number {
    this.throwIfEnded();
    const total = task.total;
    if (parts <= 1 || this.readyWorkers === 0) {
      runLocal(0, total);
      return 0;
    }
    const unit = task.unit;
    const per = unit * Math.max(1, Math.floor(Math.ceil(total / unit) / (2 * parts)));
    const chunks = Math.ceil(total / per);
    const a = this.args;
    a[0] = task.kind;
    a.set(task.args, 1);
    a[14] = total;
    a[15] = per;
    const ctrl = this.ctrl;
    for (let s = 0; s < this.handles.length; s++) Atomics.store(ctrl, GLOBAL_WORDS + s * SLOT_WORDS + S_ERR, 0);
    Atomics.store(ctrl, G_NEXT, 0);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(ctrl, G_STATE, (this.seq & 0xffff) << 16);
    Atomics.store(ctrl, G_TASK, this.seq);
    Atomics.notify(ctrl, G_TASK);
    let local = 0;
    try {
      if (this.callerWorks) {
        for (;;) {
          const c = Atomics.add(ctrl, G_NEXT, 1);
          if (c >= chunks) break;
          runLocal(c * per, Math.min(total, c * per + per));
          local++;
        }
      } else {
        while (Atomics.load(ctrl, G_NEXT) < chunks && !this.anyFailed()) {
          Atomics.wait(ctrl, G_STATE, Atomics.load(ctrl, G_STATE), 1);
        }
      }
    } finally {
      this.closeTask();
    }
    this.throwIfFailed();
    return chunks - local;
  }

  /**
   * @internal Tests set it false: the calling thread then leaves every chunk to the workers (and waits), so that
   * a comparison with one thread is sure to compare rows computed on worker threads.
   */
  callerWorks = true;

  /** Stop the workers (idempotent). The pool is unusable after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, G_QUIT, 1);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.ctrl, G_TASK, this.seq);
    Atomics.notify(this.ctrl, G_TASK);
    for (let s = 0; s < this.handles.length; s++) {
      this.handles[s]?.terminate();
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
    return this.handles[s] !== null && Atomics.load(this.ctrl, GLOBAL_WORDS + s * SLOT_WORDS + S_STATE) === READY;
  }

  /** Let no more workers join the current task, and wait until those inside have left it. */
  private closeTask(): void {
    const ctrl = this.ctrl;
    for (;;) {
      const v = Atomics.load(ctrl, G_STATE);
      if (Atomics.compareExchange(ctrl, G_STATE, v, v | CLOSED) === v) break;
    }
    let spins = 0;
    for (;;) {
      const v = Atomics.load(ctrl, G_STATE);
      if ((v & ACTIVE) === 0) return;
      // spin first (chunks finish within microseconds of each other), then sleep in slices so that a worker that
      // ended inside the task (it will never leave it) is still noticed
      if (++spins <= SPIN) continue;
      Atomics.wait(ctrl, G_STATE, v, 50);
      for (let s = 0; s < this.handles.length; s++) {
        const w = GLOBAL_WORDS + s * SLOT_WORDS;
        if (Atomics.load(ctrl, w + S_STATE) === ENDED && Atomics.load(ctrl, w + S_INSIDE) === 1) {
          Atomics.store(ctrl, w + S_INSIDE, 0);
          Atomics.sub(ctrl, G_STATE, 1);
          if (this.handles[s] !== null) this.ended.add(s);
        }
      }
    }
  }

  /** Whether a worker's part of the current task threw, or a worker ended. */
  private anyFailed(): boolean {
    for (let s = 0; s < this.handles.length; s++) {
      const w = GLOBAL_WORDS + s * SLOT_WORDS;
      if (this.handles[s] === null) continue;
      if (Atomics.load(this.ctrl, w + S_ERR) === 1 || Atomics.load(this.ctrl, w + S_STATE) === ENDED) return true;
    }
    return false;
  }

  /** Throw WorkerError for the first worker whose part of the last task threw, or that ended. */
  private throwIfFailed(): void {
    for (let s = 0; s < this.handles.length; s++) {
      const w = GLOBAL_WORDS + s * SLOT_WORDS;
      if (Atomics.load(this.ctrl, w + S_ERR) !== 1) continue;
      Atomics.store(this.ctrl, w + S_ERR, 0);
      const m = this.msgs.subarray(s * MSG_CHARS + 1, s * MSG_CHARS + 1 + this.msgs[s * MSG_CHARS]);
      throw new WorkerError(
        `kernel thread pool: worker ${s + 1} of ${this.threads - 1} failed: ${String.fromCharCode(...m)}`,
      );
    }
    this.throwIfEnded();
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
