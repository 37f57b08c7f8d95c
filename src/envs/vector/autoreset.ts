import { describe, EnvError, InvalidArgumentError, ShapeError, TsrlError } from "../../errors.js";
import type { Space } from "../../spaces/space.js";
import type { Env, Info } from "../env.js";
import { canSnapshot, type EnvSnapshot, SnapshotReader } from "../snapshot.js";
import { Wrapper } from "../wrappers/wrapper.js";
import { actionReader, batchDim, type RowWriter, rowWriter } from "./batching.js";
import type { AutoresetMode, VectorResetOptions } from "./vector-env.js";

/** The batched arrays a sub-env writes its row into (plain or shared memory). */
export interface BatchBuffers {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  finalObservations: Float32Array;
}

/** Allocate batch buffers, in a SharedArrayBuffer when `shared` (for worker threads). */
export function allocateBatch(numEnvs: number, obsDim: number, shared: boolean): BatchBuffers {
  const mem = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    observations: new Float32Array(mem(4 * numEnvs * obsDim)),
    rewards: new Float64Array(mem(8 * numEnvs)),
    terminated: new Uint8Array(mem(numEnvs)),
    truncated: new Uint8Array(mem(numEnvs)),
    finalObservations: new Float32Array(mem(4 * numEnvs * obsDim)),
  };
}

export function checkAutoresetMode(where: string, mode: unknown): AutoresetMode {
  if (mode !== "next-step" && mode !== "same-step") {
    throw new InvalidArgumentError(`${where}: autoresetMode must be "next-step" or "same-step", got ${describe(mode)}`);
  }
  return mode;
}

/** Per-sub-env seeds from a vector reset's `seed` option (Gymnasium: an integer s gives s, s + 1, ...). */
export function subEnvSeeds(where: string, numEnvs: number, seed: VectorResetOptions["seed"]): (number | undefined)[] {
  if (seed === undefined || seed === null) return new Array(numEnvs).fill(undefined);
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InvalidArgumentError(`${where}.reset: seed must be a non-negative safe integer, got ${describe(seed)}`);
    }
    return Array.from({ length: numEnvs }, (_, i) => seed + i);
  }
  if (!Array.isArray(seed) || seed.length !== numEnvs) {
    throw new InvalidArgumentError(
      `${where}.reset: seed must be an integer or an array of ${numEnvs} seeds (null for none), got ${describe(seed)}`,
    );
  }
  return seed.map((s) => (s === null ? undefined : s));
}

/**
 * The `reset_mask` of a vector reset's options as numEnvs flags (null when absent: every sub-env resets), and the
 * options without it (what the sub-envs receive).
 */
export function resetMask(
  where: string,
  numEnvs: number,
  options: Record<string, unknown> | undefined,
): { mask: boolean[] | null; options: Record<string, unknown> | undefined } {
  if (options === undefined || options === null || !("reset_mask" in options)) return { mask: null, options };
  const { reset_mask: m, ...rest } = options;
  const ok =
    m !== null &&
    typeof m === "object" &&
    (m as ArrayLike<unknown>).length === numEnvs &&
    Array.from(m as ArrayLike<unknown>).every((v) => typeof v === "boolean" || v === 0 || v === 1);
  if (!ok) {
    throw new InvalidArgumentError(
      `${where}.reset: options.reset_mask must be ${numEnvs} booleans (or 0/1), one per sub-env, got ${describe(m)}`,
    );
  }
  return {
    mask: Array.from(m as ArrayLike<unknown>, Boolean),
    options: Object.keys(rest).length > 0 ? rest : undefined,
  };
}

/** Validate a vector env's constructor seed and seed its single action space with it. */
export function initialSeed(where: string, seed: unknown, actionSpace: Space<unknown>): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`${where}: seed must be a non-negative safe integer, got ${describe(seed)}`);
  }
  actionSpace.seed(seed);
  return seed;
}

/** Rethrow a sub-env's error with its index, keeping tsrl's error class. */
export function subEnvError(where: string, index: number, e: unknown): Error {
  if (e instanceof TsrlError) {
    const Ctor = e.constructor as new (message: string) => TsrlError;
    const err = new Ctor(`${where}: sub-env ${index}: ${e.message}`);
    err.cause = e;
    return err;
  }
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : describe(e);
  const err = new EnvError(`${where}: sub-env ${index} threw ${detail}`);
  err.cause = e;
  return err;
}

/**
 * One sub-env of a vector env with Gymnasium's autoreset bookkeeping. It writes its results into row `index` of the
 * batch buffers; SyncVectorEnv runs these in its own thread, AsyncVectorEnv one per worker.
 */
export class AutoresetSubEnv {
  readonly obsDim: number;
  readonly actDim: number;
  private readonly readAction: (actions: ArrayLike<number>, offset: number) => unknown;
  private readonly writeRow: RowWriter;
  /** next-step mode: the previous step ended an episode, so the next step resets. */
  private pendingReset = false;

  constructor(
    readonly env: Env<unknown, unknown>,
    readonly index: number,
    readonly mode: AutoresetMode,
    private readonly buffers: BatchBuffers,
  ) {
    this.writeRow = rowWriter(env.observationSpace);
    this.obsDim = batchDim(env.observationSpace);
    this.actDim = batchDim(env.actionSpace);
    this.readAction = actionReader(env.actionSpace);
  }

  reset(seed: number | undefined, options: Record<string, unknown> | undefined): Info {
    // A seeded reset seeds the sub-env's space generators too (SB3's VecEnv.seed does so for action spaces), down
    // the wrapper chain: they are part of its snapshot, so runs of the same seed save identical checkpoints.
    if (seed !== undefined) {
      for (let e: Env<unknown, unknown> | null = this.env; e !== null; e = e instanceof Wrapper ? e.env : null) {
        e.actionSpace.seed(seed);
        e.observationSpace.seed(seed);
      }
    }
    const r = this.env.reset({ seed, options });
    this.pendingReset = false;
    this.writeRow(r.observation, this.buffers.observations, this.index * this.obsDim);
    return r.info;
  }

  /** True when the sub-env can snapshot its complete state. */
  get canSnapshot(): boolean {
    return canSnapshot(this.env);
  }

  /** The sub-env's snapshot plus the autoreset flag. */
  snapshot(): EnvSnapshot {
    if (!canSnapshot(this.env)) throw new EnvError(`sub-env ${this.index} (${this.env}) cannot snapshot its state`);
    const s = this.env.snapshot();
    return { json: { pendingReset: this.pendingReset, env: s.json }, arrays: s.arrays };
  }

  /** Check a {@link snapshot} completely; the returned function applies it. */
  prepareRestore(s: EnvSnapshot, where: string): () => void {
    const reader = new SnapshotReader(`${where} sub-env ${this.index}`, s?.json, s?.arrays);
    const pendingReset = reader.bool("pendingReset");
    if (pendingReset && this.mode !== "next-step")
      throw reader.error("pendingReset is only possible in next-step mode");
    if (!canSnapshot(this.env)) throw reader.error(`${this.env} cannot restore a snapshot`);
    const applyEnv = this.env.prepareRestore({ json: reader.json.env, arrays: reader.arrays });
    return () => {
      applyEnv();
      this.pendingReset = pendingReset;
    };
  }

  /** Step with this sub-env's row of `actions`; returns the info for its row. */
  step(actions: ArrayLike<number>): Info {
    const b = this.buffers;
    const i = this.index;
    const row = i * this.obsDim;
    if (this.pendingReset) {
      // next-step mode: this step only starts the next episode
      const r = this.env.reset();
      this.pendingReset = false;
      this.writeRow(r.observation, b.observations, row);
      b.rewards[i] = 0;
      b.terminated[i] = 0;
      b.truncated[i] = 0;
      return r.info;
    }
    const r = this.env.step(this.readAction(actions, i * this.actDim));
    b.rewards[i] = r.reward;
    b.terminated[i] = r.terminated ? 1 : 0;
    b.truncated[i] = r.truncated ? 1 : 0;
    if (!r.terminated && !r.truncated) {
      this.writeRow(r.observation, b.observations, row);
      return r.info;
    }
    this.writeRow(r.observation, b.finalObservations, row);
    if (this.mode === "next-step") {
      b.observations.set(b.finalObservations.subarray(row, row + this.obsDim), row);
      this.pendingReset = true;
      return r.info;
    }
    // same-step: copy what the reset would overwrite (the env reuses its result objects)
    const finalInfo = { ...r.info };
    const finalObs = b.finalObservations.slice(row, row + this.obsDim);
    const rr = this.env.reset();
    this.writeRow(rr.observation, b.observations, row);
    return { ...rr.info, final_obs: finalObs, final_info: finalInfo };
  }
}

/** Check a flat actions array's length for `numEnvs` rows of `actDim`. */
export function checkActions(where: string, actions: ArrayLike<number>, numEnvs: number, actDim: number): void {
  if (actions === null || typeof actions !== "object" || actions.length !== numEnvs * actDim) {
    throw new ShapeError(
      `${where}.step: actions must hold numEnvs * actDim = ${numEnvs} * ${actDim} = ${numEnvs * actDim} numbers, got ${
        actions === null || typeof actions !== "object" ? describe(actions) : `length ${actions.length}`
      }`,
    );
  }
}
