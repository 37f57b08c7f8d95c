import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { nodeBuiltin } from "../../platform/node-builtin.js";
import type { Space } from "../../spaces/space.js";
import { spaceFromJSON, spacesEqual } from "../../spaces/utils.js";
import type { Info } from "../env.js";
import { registeredIds, spec } from "../registry.js";
import type { EnvSnapshot } from "../snapshot.js";
import {
  allocateBatch,
  type BatchBuffers,
  checkActions,
  checkAutoresetMode,
  initialSeed,
  resetMask,
  subEnvSeeds,
} from "./autoreset.js";
import { batchDim } from "./batching.js";
import type {
  AutoresetMode,
  VectorEnv,
  VectorResetOptions,
  VectorResetResult,
  VectorStepResult,
} from "./vector-env.js";
import { readVectorSnapshot, type VectorFrame, vectorSnapshot } from "./vector-snapshot.js";
import {
  ANSWER,
  type AsyncEnvSource,
  type Command,
  DEAD,
  deserializeError,
  type Reply,
  type WorkerData,
} from "./worker-protocol.js";

type WorkerThreads = typeof import("node:worker_threads");

export interface AsyncVectorEnvOptions {
  autoresetMode?: AutoresetMode;
  /** Longest wait for a worker to build its env (default 60 s). */
  startupTimeoutMs?: number;
  /** Longest wait for one reset/step answer (default: no limit, as Gymnasium). */
  stepTimeoutMs?: number;
  /** Used by the first `reset` that is given no seed, and to seed `singleActionSpace`. */
  seed?: number;
}

/** node:worker_threads, fetched without an import so that this module stays importable in browsers. */
function workerThreads(): WorkerThreads {
  try {
    return nodeBuiltin<WorkerThreads>("node:worker_threads", "AsyncVectorEnv");
  } catch (e) {
    throw new EnvError(`${(e as Error).message}; use SyncVectorEnv elsewhere`);
  }
}

/** The worker script beside this module: .ts when running from source (tsx), .js from the compiled package. */
function workerScript(): string {
  const here = import.meta.url;
  return new URL(here.endsWith(".ts") ? "./async-worker.ts" : "./async-worker.js", here).href;
}

/** tsx's loader API, named through a constant: webpack resolves a literal `import.meta.resolve` argument at build time. */
const TSX_API = "tsx/esm/api";

/**
 * Node 20 does not run `--import tsx` in worker threads, so a worker that must load TypeScript (tsrl's sources, or
 * a user's .ts env module under tsx) registers tsx's loader itself first: the URL of tsx's API, or undefined.
 */
function tsxApiFor(script: string): string | undefined {
  const underTsx = process.execArgv.some((a) => a.includes("tsx"));
  if (!script.endsWith(".ts") && !underTsx) return undefined;
  try {
    return import.meta.resolve(TSX_API);
  } catch {
    throw new EnvError("AsyncVectorEnv: running from TypeScript sources needs the tsx package to load the worker");
  }
}

/**
 * Worker bootstrap: mark the worker dead in the shared signal when its thread exits, register tsx when needed, then
 * load the worker script (all given in workerData). A script that fails to load is answered as an error.
 */
const BOOTSTRAP = `const { workerData } = await import("node:worker_threads");
const flags = new Int32Array(workerData.signal);
process.on("exit", () => { Atomics.store(flags, ${DEAD}, 1); Atomics.notify(flags, ${ANSWER}); });
try {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.script);
} catch (e) {
  workerData.port.postMessage({ type: "error", error: { name: e?.name ?? "Error", message: String(e?.message ?? e) } });
  Atomics.store(flags, ${ANSWER}, 1);
  Atomics.notify(flags, ${ANSWER});
}`;

/**
 * Gymnasium's AsyncVectorEnv on Node worker threads: each sub-env lives in its own worker, all step in parallel,
 * and results land directly in shared typed arrays (see {@link VectorEnv}); infos travel as messages. Calls stay
 * synchronous: the caller blocks (Atomics.wait) until every worker has answered.
 *
 * Workers are built from sources that can cross threads: `{ id, options }` (`make` in the worker) or
 * `{ module, exportName, args }` (a module URL whose export builds the env). An error thrown in a worker is rethrown
 * here naming the sub-env; a worker that exits is reported as dead. `close()` always terminates every worker.
 * Workers do not keep the process alive. Running from TypeScript sources works when Node was started with tsx
 * (`node --import tsx`, inherited by the workers).
 */
export class AsyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly obsDim: number;
  readonly actDim: number;
  readonly autoresetMode: AutoresetMode;
  private readonly wt: WorkerThreads;
  private readonly workers: import("node:worker_threads").Worker[] = [];
  private readonly ports: import("node:worker_threads").MessagePort[] = [];
  private readonly signals: Int32Array[] = [];
  private readonly sources: readonly AsyncEnvSource[];
  private readonly stepTimeoutMs: number;
  private readonly buffers: BatchBuffers;
  private readonly actions: Float64Array;
  private readonly infos: Info[];
  private readonly stepResult: VectorStepResult;
  private initialSeed: number | undefined;
  private state: "new" | "ready" | "broken" | "closed" = "new";
  private readonly subEnvsCanSnapshot: boolean;

  constructor(sources: readonly AsyncEnvSource[], opts: AsyncVectorEnvOptions = {}) {
    if (!Array.isArray(sources) || sources.length === 0 || !sources.every(isSource)) {
      throw new InvalidArgumentError(
        `AsyncVectorEnv: sources must be a non-empty array of { id, options } or { module, exportName, args }, got ${describe(sources)}`,
      );
    }
    this.autoresetMode = checkAutoresetMode("AsyncVectorEnv", opts.autoresetMode ?? "next-step");
    const startup = timeout("startupTimeoutMs", opts.startupTimeoutMs ?? 60_000);
    this.stepTimeoutMs = timeout("stepTimeoutMs", opts.stepTimeoutMs ?? Infinity);
    this.sources = sources.map(withWorkerSetup);
    this.numEnvs = sources.length;
    this.wt = workerThreads();
    try {
      const ready = this.spawnWorkers(startup);
      this.singleObservationSpace = spaceFromJSON(ready[0].observationSpace);
      this.singleActionSpace = spaceFromJSON(ready[0].actionSpace);
      ready.forEach((r, i) => {
        const obs = spaceFromJSON(r.observationSpace);
        const act = spaceFromJSON(r.actionSpace);
        if (!spacesEqual(obs, this.singleObservationSpace) || !spacesEqual(act, this.singleActionSpace)) {
          throw new InvalidArgumentError(
            `AsyncVectorEnv: sub-env ${i} has spaces ${obs} / ${act}, sub-env 0 has ${this.singleObservationSpace} / ${this.singleActionSpace}; all must be equal`,
          );
        }
      });
      this.subEnvsCanSnapshot = ready.every((r) => r.canSnapshot);
      this.obsDim = batchDim(this.singleObservationSpace);
      this.actDim = batchDim(this.singleActionSpace);
      this.buffers = allocateBatch(this.numEnvs, this.obsDim, true);
      this.actions = new Float64Array(new SharedArrayBuffer(8 * this.numEnvs * this.actDim));
      const b = this.buffers;
      this.broadcast(
        {
          type: "buffers",
          observations: b.observations.buffer as SharedArrayBuffer,
          rewards: b.rewards.buffer as SharedArrayBuffer,
          terminated: b.terminated.buffer as SharedArrayBuffer,
          truncated: b.truncated.buffer as SharedArrayBuffer,
          finalObservations: b.finalObservations.buffer as SharedArrayBuffer,
          actions: this.actions.buffer as SharedArrayBuffer,
        },
        "setup",
        startup,
      );
    } catch (e) {
      this.terminateWorkers();
      this.state = "closed";
      throw e;
    }
    this.infos = new Array(this.numEnvs).fill(undefined).map(() => ({}));
    this.stepResult = { ...this.buffers, infos: this.infos };
    this.initialSeed = initialSeed("AsyncVectorEnv", opts.seed, this.singleActionSpace);
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    this.checkUsable();
    const { mask, options } = resetMask("AsyncVectorEnv", this.numEnvs, opts.options);
    if (mask !== null && this.state !== "ready") {
      throw new EnvError("AsyncVectorEnv.reset: options.reset_mask needs a first reset of every sub-env; call reset()");
    }
    const seeds = subEnvSeeds("AsyncVectorEnv", this.numEnvs, opts.seed ?? (mask ? undefined : this.initialSeed));
    if (mask === null) this.initialSeed = undefined;
    this.exchange(
      (i) => ({ type: "reset", seed: seeds[i], options }),
      "reset",
      this.stepTimeoutMs,
      mask === null ? undefined : (i) => mask[i],
    );
    this.state = "ready";
    return { observations: this.buffers.observations, infos: this.infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    this.checkUsable();
    if (this.state !== "ready") throw new EnvError("AsyncVectorEnv.step was called before reset(); call reset() first");
    checkActions("AsyncVectorEnv", actions, this.numEnvs, this.actDim);
    for (let k = 0; k < actions.length; k++) this.actions[k] = actions[k];
    this.exchange(() => STEP, "step", this.stepTimeoutMs);
    return this.stepResult;
  }

  /**
   * Every sub-env's complete state (gathered from the workers), autoreset flags and the batch of observations, for
   * exact resume; undefined when a sub-env cannot snapshot (see src/envs/snapshot.ts).
   */
  get snapshot(): (() => EnvSnapshot) | undefined {
    if (!this.subEnvsCanSnapshot) return undefined;
    return () => {
      this.checkUsable();
      const replies = this.gather(() => SNAPSHOT, "snapshot");
      return vectorSnapshot(
        this.frame(),
        replies.map((r) => (r as Extract<Reply, { type: "snapshot" }>).snapshot),
      );
    };
  }

  /**
   * Restore a {@link snapshot}: this env's part is checked here, then every worker checks its sub-env's part, and
   * only when all accepted do they apply it (otherwise all drop it): a rejected snapshot changes nothing.
   */
  get restore(): ((s: EnvSnapshot) => void) | undefined {
    if (!this.subEnvsCanSnapshot) return undefined;
    return (snap) => {
      this.checkUsable();
      const v = readVectorSnapshot(this.frame(), snap);
      try {
        this.gather((i) => ({ type: "prepareRestore", snapshot: v.subs[i] }), "restore");
      } catch (e) {
        if (this.state !== "broken") this.gather(() => DROP_RESTORE, "restore");
        throw e;
      }
      this.gather(() => APPLY_RESTORE, "restore");
      v.applySpaces();
      this.buffers.observations.set(v.observations);
      if (v.started) this.state = "ready";
      else if (this.state === "ready") this.state = "new";
      this.initialSeed = v.initialSeed;
    };
  }

  private frame(): VectorFrame {
    return {
      kind: "AsyncVectorEnv",
      numEnvs: this.numEnvs,
      obsDim: this.obsDim,
      autoresetMode: this.autoresetMode,
      started: this.state === "ready",
      initialSeed: this.initialSeed,
      spaces: [this.singleActionSpace, this.singleObservationSpace],
      observations: this.buffers.observations,
    };
  }

  /** Send each worker its command and collect every reply (not for the hot path: it allocates). */
  private gather(command: (i: number) => Command, what: string): Reply[] {
    for (let i = 0; i < this.numEnvs; i++) this.ports[i].postMessage(command(i));
    const replies: Reply[] = [];
    let failure: Error | null = null;
    for (let i = 0; i < this.numEnvs; i++) {
      try {
        replies.push(this.receive(i, what, this.stepTimeoutMs));
      } catch (e) {
        failure ??= e as Error;
      }
    }
    if (failure) throw failure;
    return replies;
  }

  /** Terminates every worker (also after errors). Resolves once they have exited. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    await this.terminateWorkers();
  }

  private spawnWorkers(timeoutMs: number): Extract<Reply, { type: "ready" }>[] {
    const script = workerScript();
    const tsxApi = tsxApiFor(script);
    for (let i = 0; i < this.numEnvs; i++) {
      const { port1, port2 } = new this.wt.MessageChannel();
      const signal = new SharedArrayBuffer(8);
      const workerData: WorkerData = {
        source: this.sources[i],
        index: i,
        mode: this.autoresetMode,
        signal,
        port: port2,
        script,
        tsxApi,
      };
      const worker = new this.wt.Worker(BOOTSTRAP, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      // failures are reported through the signal; this keeps an 'error' event from crashing the process
      worker.on("error", () => {});
      this.workers.push(worker);
      this.ports.push(port1);
      this.signals.push(new Int32Array(signal));
    }
    const replies: Extract<Reply, { type: "ready" }>[] = [];
    let failure: Error | null = null;
    for (let i = 0; i < this.numEnvs; i++) {
      try {
        replies.push(this.receive(i, "startup", timeoutMs) as Extract<Reply, { type: "ready" }>);
      } catch (e) {
        failure ??= e as Error;
      }
    }
    if (failure) throw failure;
    return replies;
  }

  /**
   * Send each worker (those `only` selects, default all) its command, then collect every answer; the first failure
   * is thrown after all answered.
   */
  private exchange(
    command: (i: number) => Command,
    what: string,
    timeoutMs: number,
    only: (i: number) => boolean = ALL,
  ): void {
    for (let i = 0; i < this.numEnvs; i++) if (only(i)) this.ports[i].postMessage(command(i));
    let failure: Error | null = null;
    for (let i = 0; i < this.numEnvs; i++) {
      if (!only(i)) continue;
      try {
        const r = this.receive(i, what, timeoutMs);
        if (r.type === "info") this.infos[i] = r.info;
      } catch (e) {
        failure ??= e as Error;
      }
    }
    if (failure) throw failure;
  }

  private broadcast(command: Command, what: string, timeoutMs: number): void {
    this.exchange(() => command, what, timeoutMs);
  }

  /** Block until worker i answers (or is found dead, or the timeout passes). */
  private receive(i: number, what: string, timeoutMs: number): Reply {
    const flags = this.signals[i];
    const deadline = performance.now() + timeoutMs;
    const name = `AsyncVectorEnv: sub-env ${i} (${describeSource(this.sources[i])})`;
    while (Atomics.load(flags, ANSWER) === 0) {
      if (Atomics.load(flags, DEAD) === 1) {
        this.state = "broken";
        throw new EnvError(`${name}: its worker exited during ${what}`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.state = "broken";
        throw new EnvError(`${name}: no answer to ${what} within ${timeoutMs} ms`);
      }
      Atomics.wait(flags, ANSWER, 0, Math.min(left, 50));
    }
    Atomics.store(flags, ANSWER, 0);
    const msg = this.wt.receiveMessageOnPort(this.ports[i]);
    if (msg === undefined) throw new EnvError(`${name}: its worker signalled without an answer during ${what}`);
    const reply = msg.message as Reply;
    if (reply.type === "error") throw deserializeError(`${name} ${what}`, reply.error);
    return reply;
  }

  private checkUsable(): void {
    if (this.state === "closed") throw new EnvError("AsyncVectorEnv was closed; make a new one");
    if (this.state === "broken") {
      throw new EnvError("AsyncVectorEnv: a worker died or stopped answering earlier; close() it and make a new one");
    }
  }

  private async terminateWorkers(): Promise<void> {
    for (const p of this.ports) p.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const STEP: Command = { type: "step" };
const ALL = () => true;
const SNAPSHOT: Command = { type: "snapshot" };
const APPLY_RESTORE: Command = { type: "applyRestore" };
const DROP_RESTORE: Command = { type: "dropRestore" };

function isSource(s: unknown): s is AsyncEnvSource {
  if (typeof s !== "object" || s === null) return false;
  const o = s as Record<string, unknown>;
  return typeof o.id === "string" || typeof o.module === "string";
}

/** An `{ id }` source of a registration that names a `workerSetup` carries it to the worker. */
function withWorkerSetup(s: AsyncEnvSource): AsyncEnvSource {
  if (!("id" in s) || s.setup !== undefined || !registeredIds().includes(s.id)) return s;
  const setup = spec(s.id).workerSetup;
  return setup === undefined ? s : { ...s, setup };
}

function describeSource(s: AsyncEnvSource): string {
  return "id" in s ? s.id : `${s.module}#${s.exportName ?? "default"}`;
}

function timeout(name: string, v: number): number {
  if (typeof v !== "number" || !(v > 0)) {
    throw new InvalidArgumentError(`AsyncVectorEnv: ${name} must be a number of milliseconds > 0, got ${describe(v)}`);
  }
  return v;
}
