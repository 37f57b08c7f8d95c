/**
 * The shared `Algorithm` base (SB3's BaseAlgorithm seam): the `learn` loop with callbacks, logging of episode
 * statistics, `predict`, explicit state for checkpoints, `save`/`load`. Split by concern beside it: the registry of
 * algorithm classes (registry.ts), space handling (space-info.ts, features-extractor.ts), config pieces (config.ts),
 * the env types algorithms take (env-like.ts) and checkpoint I/O checks (checkpoint-io.ts).
 *
 * A subclass implements five methods and nothing else of the run loop:
 *   collectRollout()   gather experience: per vector step read `this.lastObs`, choose actions, call `this.envStep(a)`
 *                      (which counts steps, tracks episodes and runs `onStep` callbacks); return early once
 *                      `this.stopRequested` is true
 *   train()            update the parameters from what was collected
 *   policyActions()    batched actions for `predict` (and evaluation), drawing randomness from the given Rng only
 *   getAlgorithmState() / setAlgorithmState()   every array and counter needed to resume bit for bit
 *
 * learn(T):  onTrainingStart; while numTimesteps < T { onRolloutStart; collectRollout; onRolloutEnd; train;
 *            log every `logInterval` iterations }; onTrainingEnd.
 * `onRolloutStart` runs where the model state is complete (after the previous train), so checkpoints taken there
 * (CheckpointCallback, EvalCallback's best model) resume exactly.
 *
 * Nothing here touches the file system directly: `save`/`load` go through `src/platform/fs.ts`, which fetches Node's
 * modules when called, so this file bundles and runs unchanged in a browser (where `toBytes`/`fromBytes` serve).
 */
import { checkInt } from "../../core/checks.js";
import { Engine, type EngineOptions } from "../../core/engine.js";
import { checkThreads } from "../../core/kernels/thread-pool.js";
import { Rng } from "../../core/rng.js";
import type { Info } from "../../envs/env.js";
import { make } from "../../envs/registry.js";
import { makeVec } from "../../envs/vector/make-vec.js";
import { SyncVectorEnv } from "../../envs/vector/sync-vector-env.js";
import { CheckpointError, describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../../errors.js";
import { readFileBytes, writeFileAtomic } from "../../platform/fs.js";
import type { Space } from "../../spaces/space.js";
import { checkMaskRows, type EnvActionMasks } from "./action-masks.js";
import { type Callback, type CallbackContext, CallbackList } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type CheckpointMeta,
  checkpointFromBytes,
  checkpointToBytes,
  LIBRARY_VERSION,
  type StateTensor,
} from "./checkpoint.js";
import {
  arrayTensor,
  checkedRngState,
  checkJsonRoundTrip,
  checkTensorMatch,
  loadCheckpointAs,
} from "./checkpoint-io.js";
import type { BaseConfig } from "./config.js";
import {
  type Action,
  type AnyEnv,
  type EnvIdOptions,
  type EnvInput,
  type EnvStateSnapshot,
  isVectorEnv,
  type VectorEnvLike,
  type VectorStepResult,
} from "./env-like.js";
import { Logger } from "./logger.js";
import { type AlgorithmClass, zooDefaults } from "./registry.js";
import { type LeafSpaceInfo, leafSpaceInfo, type SpaceInfo, spaceInfo } from "./space-info.js";
import { TableSink } from "./table-sink.js";

// The pieces split out by concern are re-exported here, where the algorithms and users import them from.
export { type BaseConfig, checkScheduled, type Scheduled, scheduleValue } from "./config.js";
export {
  type Action,
  type ActionOf,
  type AnyEnv,
  type EnvIdOptions,
  type EnvInput,
  type EnvStateSnapshot,
  isVectorEnv,
  type ObservationOf,
  type StaticSide,
  type VectorEnvLike,
  type VectorStepResult,
} from "./env-like.js";
export {
  type AlgorithmClass,
  getAlgorithmClass,
  listAlgorithms,
  provideZoo,
  registerAlgorithm,
  type TunedDefaults,
} from "./registry.js";
export { type LeafSpaceInfo, leafSpaceInfo, type SpaceInfo, spaceInfo } from "./space-info.js";

// ---------------------------------------------------------------------------------------------------------------
// State

/** An algorithm's own state: named arrays (parameters, optimizer moments, normalizer statistics, replay buffer...)
 * and JSON (counters, RNG states, schedules). Tensor names `replay/...` are optional on load. */
export interface AlgorithmState {
  tensors: Record<string, StateTensor>;
  json: Record<string, unknown>;
}

export interface LearnOptions {
  callbacks?: Callback | Callback[];
  /** Start counting from 0 and reset the env (default true). With false, `totalTimesteps` more steps are run. */
  resetNumTimesteps?: boolean;
}

export interface PredictOptions {
  /** Take the most likely action (argmax / mean) instead of sampling. Default false. */
  deterministic?: boolean;
  /**
   * Allowed actions (1) per observation, [count, n] for Discrete(n) (sum(nvec) for MultiDiscrete), as sb3-contrib's
   * MaskablePPO `action_masks`: masked actions are never chosen. Algorithms that cannot use masks refuse them.
   */
  actionMasks?: ArrayLike<number> | null;
}

export interface SaveOptions {
  /** Include the replay buffer (off-policy algorithms). Default true: needed for an exact resume. */
  includeReplayBuffer?: boolean;
}

export interface LoadOptions {
  /**
   * The env to attach: its spaces must equal the checkpoint's. Default: `make(id)` of the env id the file records
   * (so only a model of an unregistered, custom env needs one).
   */
  env?: AnyEnv | VectorEnvLike;
  /**
   * Restore the env's saved state (physics, generators, time-limit counters) into `env`, so that learning continues
   * exactly where the checkpoint left it (default true). Set false to only use the model (evaluation, another env
   * with the same spaces): the env is then left as it is.
   */
  restoreEnvState?: boolean;
  /** Threads for the loaded model (see BaseConfig.threads); default: the machine's cores, at most 8. */
  threads?: number;
}

const STATS_WINDOW = 100;

// ---------------------------------------------------------------------------------------------------------------
// The base class

/**
 * `O` and `A` are the observation and action types of the env the model was built on (inferred from it:
 * `new PPO(make("CartPole-v1"))` is a `PPO<Float32Array, number>`), so `predict` returns the env's action type.
 */
export abstract class Algorithm<C extends BaseConfig = BaseConfig, O = unknown, A extends Action = Action> {
  /** Registry key and checkpoint tag; each subclass overrides it ("PPO", "DQN", ...). */
  static readonly algorithmName: string = "Algorithm";
  /** The config option names a subclass accepts (besides seed and logInterval): when set, any other key is an
   * error naming the valid ones, so a misspelt option is never silently ignored. */
  static readonly configKeys?: readonly string[];

  readonly config: Readonly<C>;
  readonly env: VectorEnvLike;
  readonly numEnvs: number;
  readonly observationSpace: Space<unknown>;
  readonly actionSpace: Space<unknown>;
  readonly obsInfo: SpaceInfo;
  readonly actInfo: LeafSpaceInfo;
  readonly seed: number;
  /** Threads the networks' large products may use (config.threads, validated); see {@link threadsNote}. */
  readonly threads: number;
  /** Why the networks run on fewer threads than asked (no SharedArrayBuffer...), set by the subclass; or null. */
  threadsNote: string | null = null;
  /** Id of the environment (for checkpoints and messages), or null when unknown. */
  readonly envId: string | null;

  /** Env steps taken so far (all sub-envs counted). */
  numTimesteps = 0;
  /** Target of the current (or last) `learn` call: learning runs while numTimesteps < totalTimesteps. */
  totalTimesteps = 0;
  /** Completed collect/train iterations since the counter was last reset. */
  iterations = 0;
  /** Episodes finished so far. */
  numEpisodes = 0;
  /** Set when a callback asked to stop; `collectRollout` returns early when it sees it. */
  stopRequested = false;

  readonly logger = new Logger();
  /** Training randomness: network init, exploration, minibatch shuffles. */
  protected readonly rng: Rng;
  /** Randomness for `predict` only, so that evaluating during training never perturbs training. */
  protected readonly predictRng: Rng;

  /** Current observation of every sub-env, [numEnvs, obsDim] (null before the first reset). */
  lastObs: Float32Array | null = null;
  /** The infos of the last reset or step (the env's arrays: read them before the next step). */
  protected lastInfos: readonly Info[] = [];
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;
  private readonly recentReturns: number[] = [];
  private readonly recentLengths: number[] = [];
  private readonly ctx: CallbackContext;
  private callbacks: CallbackList = new CallbackList([]);
  /** Next-step vector envs: which sub-envs finished in the last step (Gymnasium's reset_mask); null in same-step. */
  private readonly resetMask: boolean[] | null;
  /** Wall clock and step count at the start of the current learn call (for the time/fps metric only). */
  private learnStartMs = 0;
  private learnStartSteps = 0;

  constructor(input: EnvInput<O, A>, config: C & EnvIdOptions) {
    const env = typeof input === "string" ? envFromId(this.algoName, input, config.nEnvs) : input;
    if (config.nEnvs !== undefined && typeof input !== "string") {
      throw new InvalidArgumentError(
        `${this.algoName}: config.nEnvs applies to an env id (new ${this.algoName}("CartPole-v1", { nEnvs: 8 })), got it with ${describe(input)}; pass a vector env (makeVec) instead`,
      );
    }
    if (env === null || typeof env !== "object") {
      throw new InvalidArgumentError(`${this.algoName}: env must be an Env or a vector env, got ${describe(env)}`);
    }
    if (isVectorEnv(env)) {
      if (env.autoresetMode !== "same-step" && env.autoresetMode !== "next-step") {
        throw new InvalidArgumentError(
          `${this.algoName}: vector env autoresetMode must be "same-step" or "next-step", got ${describe(env.autoresetMode)}`,
        );
      }
      this.env = env;
      this.resetMask = env.autoresetMode === "next-step" ? new Array(env.numEnvs).fill(false) : null;
    } else {
      // SB3 wraps a single env in a DummyVecEnv; here: a same-step SyncVectorEnv of one
      this.env = new SyncVectorEnv([() => env as AnyEnv], { autoresetMode: "same-step" });
      this.resetMask = null;
    }
    this.numEnvs = this.env.numEnvs;
    this.observationSpace = this.env.singleObservationSpace;
    this.actionSpace = this.env.singleActionSpace;
    this.obsInfo = spaceInfo(this.observationSpace, `${this.algoName}: observation space`, false, true);
    // MultiDiscrete actions reach the algorithm; those without a head for them (DQN, tabular) reject them
    this.actInfo = leafSpaceInfo(this.actionSpace, `${this.algoName}: action space`, true);
    // a SyncVectorEnv (a wrapped single env included) tells its id through its first sub-env
    const firstSub = (this.env as { envs?: readonly AnyEnv[] }).envs?.[0];
    this.envId = this.env.envId ?? firstSub?.spec?.id ?? null;

    const known = (this.constructor as { configKeys?: readonly string[] }).configKeys;
    if (known !== undefined) {
      const base = ["seed", "logInterval", "verbose", "threads", "nEnvs"];
      const unknown = Object.keys(config).filter((k) => !base.includes(k) && !known.includes(k));
      if (unknown.length > 0) {
        const valid = [...new Set([...known, ...base])].sort();
        // SB3 users write snake_case: name the camelCase option they mean
        const hints = unknown
          .filter((k) => valid.includes(camelCase(k)))
          .map((k) => ` (${JSON.stringify(k)} is ${JSON.stringify(camelCase(k))} here)`);
        throw new InvalidArgumentError(
          `${this.algoName}: unknown config option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}${hints.join("")}; valid options: ${valid.join(", ")}`,
        );
      }
    }
    const seed = config.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InvalidArgumentError(
        `${this.algoName}: config.seed must be a non-negative safe integer, got ${describe(seed)}`,
      );
    }
    const logInterval = checkInt(`${this.algoName}: config.logInterval`, config.logInterval ?? 1, 1);
    const verbose = config.verbose ?? 0;
    if (verbose !== 0 && verbose !== 1) {
      throw new InvalidArgumentError(`${this.algoName}: config.verbose must be 0 or 1, got ${describe(verbose)}`);
    }
    if (verbose === 1) this.logger.addSink(new TableSink((text) => console.log(text.trimEnd())));
    this.seed = seed;
    this.threads = checkThreads(config.threads, `${this.algoName}: config.threads`);
    // SB3's set_random_seed seeds the action space too; both spaces' generators are part of the env snapshot a
    // checkpoint holds, so seeding them keeps checkpoints of identical runs identical byte for byte
    this.actionSpace.seed(seed);
    this.observationSpace.seed(seed);
    // threads is a resource and nEnvs the env's shape, not the model's: checkpoints store neither
    const { threads: _resource, nEnvs: _envShape, ...modelConfig } = config;
    this.config = Object.freeze({ ...modelConfig, seed, logInterval } as C);
    this.rng = new Rng(seed);
    this.predictRng = new Rng(seed + 0x5eed);
    this.episodeReturns = new Float64Array(this.numEnvs);
    this.episodeLengths = new Int32Array(this.numEnvs);
    this.ctx = { model: this, numTimesteps: 0, step: null };
  }

  /** An engine for this algorithm's networks on {@link threads} threads (why fewer, if so, in threadsNote). */
  protected makeEngine(opts: Omit<EngineOptions, "threads"> = {}): Engine {
    const engine = new Engine({ ...opts, threads: this.threads });
    this.threadsNote = engine.threadsNote;
    return engine;
  }

  /**
   * The env's action masks of the current observations, when this algorithm takes masks (a subclass sets it for
   * Discrete/MultiDiscrete actions with `useActionMasks`); null: `predict` refuses masks.
   */
  protected envMasks: EnvActionMasks | null = null;

  /** Whether `predict` takes action masks (and evaluation passes the env's): see {@link envMasks}. */
  get takesActionMasks(): boolean {
    return this.envMasks !== null;
  }

  /** Refresh {@link envMasks} from the env after a reset or step. */
  protected readMasks(): void {
    this.envMasks?.read(this.env, this.lastInfos);
  }

  /** The subclass's registered name. */
  get algoName(): string {
    return (this.constructor as unknown as { algorithmName: string }).algorithmName;
  }

  /** Length of one flattened observation. */
  get obsDim(): number {
    return this.obsInfo.dim;
  }

  /**
   * Fraction of the current `learn` target still to go: 1 at the start, 0 at the end (schedules read this).
   * Clamped at 0: the last rollout can overshoot the target, and an annealed rate must not turn negative.
   */
  get progressRemaining(): number {
    return this.totalTimesteps > 0 ? Math.max(0, 1 - this.numTimesteps / this.totalTimesteps) : 1;
  }

  // -------------------------------------------------------------------------------------------------------------
  // What subclasses implement

  /** Gather experience until the algorithm wants to train (a rollout, or `trainFreq` steps). */
  /**
   * Config checks that depend on the env attached (e.g. a minibatch larger than a rollout): run by `learn`, not by
   * the constructor, so a model loaded onto another number of envs for evaluation loads. Public so that a caller
   * (the CLI) can check before it writes anything.
   */
  checkLearnable(): void {}

  protected abstract collectRollout(): void;
  /** One update from the experience just collected. */
  protected abstract train(): void;
  /**
   * Actions for `count` observations ([count, obsDim] row-major), flat: Int32Array(count) for Discrete,
   * Int32Array(count * actDim) for MultiDiscrete, Float32Array(count * actDim) for Box (unclipped is fine:
   * `predict` clips to the bounds).
   */
  protected abstract policyActions(
    observations: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
    actionMasks: Uint8Array | null,
  ): Int32Array | Float32Array;
  /** Everything needed to resume bit for bit (copies, not views into live buffers). */
  protected abstract getAlgorithmState(opts: Required<SaveOptions>): AlgorithmState;
  /**
   * Restore from a state whose tensor names, dtypes and shapes the base has already checked against
   * `getAlgorithmState` of this fresh instance (`replay/...` tensors may be absent). Validate the JSON part
   * before assigning anything.
   */
  protected abstract setAlgorithmState(state: AlgorithmState): void;

  // -------------------------------------------------------------------------------------------------------------
  // The run loop

  /** Train for `totalTimesteps` env steps (rounded up to whole iterations). Resolves to `this`. */
  async learn(totalTimesteps: number, opts: LearnOptions = {}): Promise<this> {
    if (!Number.isSafeInteger(totalTimesteps) || totalTimesteps < 0) {
      throw new InvalidArgumentError(
        `${this.algoName}.learn: totalTimesteps must be a non-negative integer, got ${describe(totalTimesteps)}`,
      );
    }
    this.checkLearnable();
    const reset = opts.resetNumTimesteps ?? true;
    if (reset) {
      this.numTimesteps = 0;
      this.iterations = 0;
    }
    this.totalTimesteps = this.numTimesteps + totalTimesteps;
    if (reset || this.lastObs === null) this.resetEnv();
    this.callbacks = new CallbackList(opts.callbacks ?? []);
    this.stopRequested = false;
    const ctx = this.ctx;
    ctx.step = null;
    ctx.numTimesteps = this.numTimesteps;
    await this.callbacks.onTrainingStart(ctx);
    const logInterval = this.config.logInterval ?? 1;
    this.learnStartMs = performance.now();
    this.learnStartSteps = this.numTimesteps;
    let lastDumped = this.iterations;
    let completed = false;
    try {
      while (this.numTimesteps < this.totalTimesteps && !this.stopRequested) {
        ctx.step = null;
        ctx.numTimesteps = this.numTimesteps;
        if ((await this.callbacks.onRolloutStart(ctx)) === false) this.stopRequested = true;
        if (this.stopRequested) break;
        this.collectRollout();
        if (this.stopRequested) break;
        ctx.step = null;
        ctx.numTimesteps = this.numTimesteps;
        if ((await this.callbacks.onRolloutEnd(ctx)) === false) this.stopRequested = true;
        if (this.stopRequested) break;
        this.train();
        this.iterations++;
        // the last iteration's row is written after onTrainingEnd, with what its hooks record (final evaluation)
        if (this.iterations % logInterval === 0 && this.numTimesteps < this.totalTimesteps) {
          this.dumpLogs();
          lastDumped = this.iterations;
        }
      }
      completed = true;
    } finally {
      ctx.step = null;
      ctx.numTimesteps = this.numTimesteps;
      try {
        await this.callbacks.onTrainingEnd(ctx);
      } finally {
        this.callbacks = new CallbackList([]);
      }
    }
    if (completed && (this.iterations > lastDumped || this.logger.pending)) this.dumpLogs();
    return this;
  }

  /** Reset every sub-env (seeded on the very first reset) and the episode accumulators. */
  protected resetEnv(): void {
    // the first reset of a model (fresh, or loaded without env state) is seeded; later ones continue the stream
    const seed = this.lastObs === null ? this.seed : undefined;
    const r = this.env.reset(seed === undefined ? {} : { seed });
    this.lastObs = new Float32Array(r.observations);
    this.lastInfos = r.infos;
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
  }

  /**
   * Step every sub-env with flat `actions`, update `lastObs`, the step counter and episode statistics, and run the
   * `onStep` callbacks (one returning false sets `stopRequested`). Returns the vector env's (reused) result.
   */
  protected envStep(actions: Int32Array | Float32Array | Float64Array): VectorStepResult {
    const r = this.env.step(actions);
    if (this.resetMask !== null) this.restartFinished(r, this.resetMask);
    this.checkEnvOutput(r);
    this.numTimesteps += this.numEnvs;
    const rets = this.episodeReturns;
    const lens = this.episodeLengths;
    for (let i = 0; i < this.numEnvs; i++) {
      rets[i] += r.rewards[i];
      lens[i]++;
      if (r.terminated[i] || r.truncated[i]) {
        this.pushEpisode(rets[i], lens[i]);
        rets[i] = 0;
        lens[i] = 0;
      }
    }
    (this.lastObs as Float32Array).set(r.observations);
    this.lastInfos = r.infos;
    const ctx = this.ctx;
    ctx.step = r;
    ctx.numTimesteps = this.numTimesteps;
    if (this.callbacks.onStep(ctx) === false) this.stopRequested = true;
    return r;
  }

  /**
   * Next-step autoreset (Gymnasium's default): the step after an episode ends would only reset that sub-env, a
   * transition from the last observation to the first that no algorithm may learn from (CleanRL and SB3 skip it).
   * Instead the finished sub-envs are reset now (Gymnasium's `reset_mask`), and the result reads as a same-step
   * one: `observations` holds the new episodes' first observations, `finalObservations` the last ones, and each
   * finished row's info `{ ...resetInfo, final_obs, final_info }`. Every algorithm thus sees the same transitions
   * in either mode (test/algos/autoreset-modes.test.ts compares them).
   */
  private restartFinished(r: VectorStepResult, mask: boolean[]): void {
    let any = false;
    for (let i = 0; i < this.numEnvs; i++) {
      mask[i] = r.terminated[i] === 1 || r.truncated[i] === 1;
      any ||= mask[i];
    }
    if (!any) return;
    const dim = this.obsDim;
    const finalInfos = mask.map((done, i) => (done ? r.infos[i] : null));
    const rr = this.env.reset({ options: { reset_mask: mask } });
    for (let i = 0; i < this.numEnvs; i++) {
      if (!mask[i]) continue;
      const row = i * dim;
      if (rr.observations !== r.observations) r.observations.set(rr.observations.subarray(row, row + dim), row);
      const finalObs = r.finalObservations.slice(row, row + dim);
      r.infos[i] = { ...rr.infos[i], final_obs: finalObs, final_info: finalInfos[i] };
    }
  }

  /**
   * A NaN or infinite reward or observation stops training with a NonFiniteError naming the env and the step,
   * before any counter, normalizer statistic, buffer or parameter has seen it.
   */
  private checkEnvOutput(r: VectorStepResult): void {
    const dim = this.obsDim;
    const step = this.numTimesteps + this.numEnvs;
    for (let i = 0; i < this.numEnvs; i++) {
      if (!Number.isFinite(r.rewards[i])) {
        throw new NonFiniteError(
          `${this.algoName}: env ${i} returned a non-finite reward ${r.rewards[i]} at step ${step}; nothing was updated`,
        );
      }
      const done = r.terminated[i] || r.truncated[i];
      for (let j = i * dim; j < (i + 1) * dim; j++) {
        const v = done ? r.finalObservations[j] : r.observations[j];
        if (!Number.isFinite(v) || !Number.isFinite(r.observations[j])) {
          throw new NonFiniteError(
            `${this.algoName}: env ${i} returned a non-finite observation (${Number.isFinite(v) ? r.observations[j] : v} at index ${j - i * dim}) at step ${step}; nothing was updated`,
          );
        }
      }
    }
  }

  private pushEpisode(ret: number, len: number): void {
    this.numEpisodes++;
    this.recentReturns.push(ret);
    this.recentLengths.push(len);
    if (this.recentReturns.length > STATS_WINDOW) {
      this.recentReturns.shift();
      this.recentLengths.shift();
    }
  }

  /** Returns and lengths of the last (up to) 100 finished training episodes, oldest first. */
  get recentEpisodes(): { returns: readonly number[]; lengths: readonly number[] } {
    return { returns: this.recentReturns, lengths: this.recentLengths };
  }

  /** Record rollout statistics and counters, then dump every metric to the logger's sinks. */
  protected dumpLogs(): void {
    const n = this.recentReturns.length;
    if (n > 0) {
      let r = 0;
      let l = 0;
      for (let i = 0; i < n; i++) {
        r += this.recentReturns[i];
        l += this.recentLengths[i];
      }
      this.logger.record("rollout/ep_rew_mean", r / n);
      this.logger.record("rollout/ep_len_mean", l / n);
    }
    this.logger.record("time/iterations", this.iterations);
    this.logger.record("time/episodes", this.numEpisodes);
    this.logger.record("time/total_timesteps", this.numTimesteps);
    const secs = (performance.now() - this.learnStartMs) / 1000;
    if (secs > 0) this.logger.record("time/fps", Math.round((this.numTimesteps - this.learnStartSteps) / secs));
    this.logger.dump(this.numTimesteps);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Acting

  /**
   * Action for one observation (a number for Discrete observations, a Float32Array for Box), or for a batch
   * ([k, obsDim] flat). Returns a number for one Discrete action, a Float32Array (clipped to the bounds) for one
   * Box action, and flat arrays for a batch.
   */
  predict(observation: O, opts?: PredictOptions): A;
  predict(
    observations: Float32Array | ArrayLike<number> | number | Record<string, unknown>,
    opts?: PredictOptions,
  ): A | Action;
  predict(input: unknown, opts: PredictOptions = {}): A | Action {
    const observation = input as Float32Array | ArrayLike<number> | number | Record<string, unknown>;
    const dim = this.obsInfo.dim;
    let obs: Float32Array;
    if (typeof observation === "number") {
      obs = new Float32Array([observation]);
    } else if (this.obsInfo.kind === "dict" && isPlainObject(observation)) {
      obs = this.dictRow(observation);
    } else if (observation !== null && typeof observation === "object" && !isPlainObject(observation)) {
      obs = observation instanceof Float32Array ? observation : Float32Array.from(observation as ArrayLike<number>);
    } else {
      throw new InvalidArgumentError(
        `${this.algoName}.predict: observation must be a number or an array, got ${describe(observation)}`,
      );
    }
    if (obs.length === 0 || obs.length % dim !== 0) {
      throw new ShapeError(
        `${this.algoName}.predict: observation length must be a positive multiple of ${dim} (observation space ${this.observationSpace}), got ${obs.length}`,
      );
    }
    for (let i = 0; i < obs.length; i++) {
      if (!Number.isFinite(obs[i])) {
        throw new InvalidArgumentError(
          `${this.algoName}.predict: observation[${i}] is ${obs[i]}, expected a finite number`,
        );
      }
    }
    const count = obs.length / dim;
    if (this.obsInfo.kind === "discrete") {
      for (let i = 0; i < count; i++) {
        if (!this.observationSpace.contains(obs[i])) {
          throw new InvalidArgumentError(
            `${this.algoName}.predict: observation ${obs[i]} is not in the observation space ${this.observationSpace}`,
          );
        }
      }
    }
    const deterministic = opts.deterministic ?? false;
    let masks: Uint8Array | null = null;
    if (opts.actionMasks != null) {
      if (this.envMasks === null) {
        throw new InvalidArgumentError(
          `${this.algoName}.predict: actionMasks are not supported by this ${this.algoName} (they need Discrete or MultiDiscrete actions and useActionMasks: true)`,
        );
      }
      checkMaskRows(opts.actionMasks, count, this.envMasks.dim, `${this.algoName}.predict: actionMasks`);
      masks = Uint8Array.from(opts.actionMasks, (v) => (v ? 1 : 0));
    }
    const actions = this.policyActions(obs, count, deterministic, this.predictRng, masks);
    const act = this.actInfo;
    if (act.kind === "discrete") {
      return count === 1 ? actions[0] : actions;
    }
    if (act.kind === "multi-discrete") return actions;
    const out = new Float32Array(actions.length);
    for (let i = 0; i < out.length; i++) {
      const j = i % act.dim;
      out[i] = Math.min(Math.max(actions[i], act.low[j]), act.high[j]);
    }
    return out;
  }

  /** One Dict observation as a flat row (keys sorted, each flattened); a missing key is an error naming it. */
  private dictRow(observation: Record<string, unknown>): Float32Array {
    const info = this.obsInfo;
    if (info.kind !== "dict") throw new InvalidArgumentError(`${this.algoName}.predict: not a Dict observation space`);
    const row = new Float32Array(info.dim);
    for (const { key, info: leaf, offset } of info.keys) {
      if (!(key in observation)) {
        throw new InvalidArgumentError(
          `${this.algoName}.predict: Dict observation is missing key ${JSON.stringify(key)}; expected keys ${info.keys.map((k) => k.key).join(", ")}`,
        );
      }
      const v = observation[key];
      const values = typeof v === "number" ? [v] : v;
      if (values === null || typeof values !== "object" || (values as ArrayLike<number>).length !== leaf.dim) {
        throw new ShapeError(
          `${this.algoName}.predict: Dict observation key ${JSON.stringify(key)} must hold ${leaf.dim} value(s), got ${describe(v)}`,
        );
      }
      row.set(values as ArrayLike<number>, offset);
    }
    return row;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Checkpoints

  /** The complete state as a checkpoint object (tensors + JSON meta). */
  getCheckpoint(opts: SaveOptions = {}): Checkpoint {
    const resolved: Required<SaveOptions> = { includeReplayBuffer: opts.includeReplayBuffer ?? true };
    const own = this.getAlgorithmState(resolved);
    const tensors: Record<string, StateTensor> = {};
    for (const [k, t] of Object.entries(own.tensors)) {
      if (k.startsWith("env/"))
        throw new InvalidArgumentError(`${this.algoName}: tensor names "env/..." are reserved, got ${k}`);
      tensors[k] = t;
    }
    let envState: unknown = null;
    if (this.lastObs !== null) {
      tensors["env/last_obs"] = {
        dtype: "F32",
        shape: [this.numEnvs, this.obsDim],
        data: new Float32Array(this.lastObs),
      };
      tensors["env/episode_returns"] = {
        dtype: "F64",
        shape: [this.numEnvs],
        data: new Float64Array(this.episodeReturns),
      };
      tensors["env/episode_lengths"] = {
        dtype: "I32",
        shape: [this.numEnvs],
        data: new Int32Array(this.episodeLengths),
      };
      const snapshot = this.env.snapshot;
      if (typeof snapshot === "function") {
        const s = snapshot.call(this.env);
        envState = { json: s.json };
        for (const [name, arr] of Object.entries(s.arrays)) tensors[`env/state/${name}`] = arrayTensor(arr);
      }
    }
    const config = JSON.parse(JSON.stringify(this.config)) as Record<string, unknown>;
    checkJsonRoundTrip(`${this.algoName} config`, this.config, config);
    const meta: CheckpointMeta = {
      format: "tsrl-checkpoint",
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      libraryVersion: LIBRARY_VERSION,
      algorithm: this.algoName,
      config,
      envId: this.envId,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      numEnvs: this.numEnvs,
      counters: {
        numTimesteps: this.numTimesteps,
        totalTimesteps: this.totalTimesteps,
        iterations: this.iterations,
        numEpisodes: this.numEpisodes,
      },
      rng: { train: this.rng.getState(), predict: this.predictRng.getState() },
      recentEpisodes: { returns: [...this.recentReturns], lengths: [...this.recentLengths] },
      hasEnvState: this.lastObs !== null,
      envState,
      algorithmState: own.json,
    };
    return { meta, tensors };
  }

  /** Serialize to safetensors bytes (tensors, with the JSON meta in the header's metadata). Browser-safe. */
  toBytes(opts: SaveOptions = {}): Uint8Array {
    return checkpointToBytes(this.getCheckpoint(opts));
  }

  /** Save atomically to `path` (written to a temporary file, then renamed over the old one). */
  async save(path: string, opts: SaveOptions = {}): Promise<void> {
    if (typeof path !== "string" || path.length === 0) {
      throw new InvalidArgumentError(`${this.algoName}.save: path must be a non-empty string, got ${describe(path)}`);
    }
    const bytes = this.toBytes(opts);
    await writeFileAtomic(path, bytes);
  }

  /**
   * Load a model saved with `save`. Called on a subclass (`PPO.load`) the checkpoint must be of that algorithm; on
   * `Algorithm.load` the class is looked up in the registry. Every check happens before the model is returned,
   * and failures are {@link CheckpointError}s.
   */
  static async load<T extends Algorithm>(
    this: abstract new (
      ...args: never[]
    ) => T,
    path: string,
    opts: LoadOptions = {},
  ): Promise<T> {
    if (typeof path !== "string" || path.length === 0) {
      throw new InvalidArgumentError(`load: path must be a non-empty string, got ${describe(path)}`);
    }
    const bytes = await readFileBytes(path);
    // biome-ignore lint/complexity/noThisInStatic: the class load was called on (PPO.load) fixes the algorithm
    return loadCheckpointAs(this, checkpointFromBytes(bytes), opts) as T;
  }

  /**
   * A model with the zoo's tuned defaults for `envId` (what `tsrl train <algo> <env>` uses): its hyperparameters,
   * number of envs (a same-step vector env when more than one) and env options; `config` overrides hyperparameters.
   */
  static fromZoo<T extends Algorithm>(this: AlgorithmClass<T>, envId: string, config: Record<string, unknown> = {}): T {
    // biome-ignore lint/complexity/noThisInStatic: the class fromZoo was called on (PPO.fromZoo) fixes the algorithm
    const tuned = zooDefaults(this.algorithmName, envId);
    const nEnvs = tuned.nEnvs ?? 1;
    const envOptions = tuned.envKwargs ?? {};
    const env = nEnvs > 1 ? makeVec(envId, nEnvs, { envOptions }) : make(envId, envOptions);
    return new this(env, { ...tuned.hyperparams, ...config });
  }

  /** `load` from bytes in memory (browser-safe). */
  static fromBytes<T extends Algorithm>(
    this: abstract new (
      ...args: never[]
    ) => T,
    bytes: Uint8Array,
    opts: LoadOptions = {},
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: the class it was called on fixes the algorithm
    return loadCheckpointAs(this, checkpointFromBytes(bytes), opts) as T;
  }

  /** Build a model from a checkpoint object, checking algorithm, spaces, tensor names, dtypes and shapes. */
  static fromCheckpoint<T extends Algorithm>(
    this: abstract new (
      ...args: never[]
    ) => T,
    ckpt: Checkpoint,
    opts: LoadOptions = {},
  ): T {
    // biome-ignore lint/complexity/noThisInStatic: the class it was called on fixes the algorithm
    return loadCheckpointAs(this, ckpt, opts) as T;
  }

  /**
   * Rewrite the tensors of a checkpoint written by an older format into today's names (default: as they are).
   * Runs before they are checked against `getAlgorithmState`.
   */
  protected upgradeCheckpointTensors(tensors: Record<string, StateTensor>): Record<string, StateTensor> {
    return tensors;
  }

  /** @internal used by load: check a checkpoint against this fresh instance, then assign it. */
  restoreCheckpoint(ckpt: Checkpoint, restoreEnvState = true): void {
    const meta = ckpt.meta;
    let tensors: Record<string, StateTensor>;
    try {
      tensors = this.upgradeCheckpointTensors(ckpt.tensors);
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`checkpoint tensors were rejected by ${this.algoName}: ${(e as Error).message}`);
    }
    const sameEnvCount = restoreEnvState && meta.numEnvs === this.numEnvs;
    const template = this.getAlgorithmState({ includeReplayBuffer: true }).tensors;
    const own: Record<string, StateTensor> = {};
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith("env/")) continue;
      const want = template[name];
      if (!want) {
        throw new CheckpointError(
          `checkpoint tensor ${JSON.stringify(name)} is not part of a ${this.algoName} model with this config`,
        );
      }
      checkTensorMatch(name, want, t);
      own[name] = t;
    }
    for (const name of Object.keys(template)) {
      if (!(name in own) && !name.startsWith("replay/")) {
        throw new CheckpointError(`checkpoint is missing tensor ${JSON.stringify(name)} of ${this.algoName}`);
      }
    }
    // base state: validate all of it before assigning any of it
    const c = meta.counters;
    for (const k of ["numTimesteps", "totalTimesteps", "iterations", "numEpisodes"] as const) {
      if (!Number.isSafeInteger(c[k]) || c[k] < 0) {
        throw new CheckpointError(`checkpoint counters.${k} must be a non-negative integer, got ${describe(c[k])}`);
      }
    }
    const rngTrain = checkedRngState("rng.train", meta.rng.train);
    const rngPredict = checkedRngState("rng.predict", meta.rng.predict);
    const rec = meta.recentEpisodes;
    if (
      rec.returns.length !== rec.lengths.length ||
      rec.returns.length > STATS_WINDOW ||
      !rec.returns.every((v) => typeof v === "number" && Number.isFinite(v)) ||
      !rec.lengths.every((v) => Number.isInteger(v) && v >= 0)
    ) {
      throw new CheckpointError("checkpoint recentEpisodes must hold equal-length lists of finite returns and lengths");
    }
    let envTensors: { lastObs: StateTensor; returns: StateTensor; lengths: StateTensor } | null = null;
    const envArrays: EnvStateSnapshot["arrays"] = {};
    if (meta.hasEnvState && sameEnvCount) {
      const lastObs = tensors["env/last_obs"];
      const returns = tensors["env/episode_returns"];
      const lengths = tensors["env/episode_lengths"];
      if (!lastObs || !returns || !lengths)
        throw new CheckpointError("checkpoint is missing env/last_obs, env/episode_returns or env/episode_lengths");
      checkTensorMatch("env/last_obs", { dtype: "F32", shape: [this.numEnvs, this.obsDim] }, lastObs);
      checkTensorMatch("env/episode_returns", { dtype: "F64", shape: [this.numEnvs] }, returns);
      checkTensorMatch("env/episode_lengths", { dtype: "I32", shape: [this.numEnvs] }, lengths);
      envTensors = { lastObs, returns, lengths };
      for (const [name, t] of Object.entries(tensors)) {
        if (name.startsWith("env/state/")) envArrays[name.slice("env/state/".length)] = t.data as Float64Array;
      }
    }
    try {
      this.setAlgorithmState({ tensors: own, json: meta.algorithmState });
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`checkpoint state was rejected by ${this.algoName}: ${(e as Error).message}`);
    }
    this.numTimesteps = c.numTimesteps;
    this.totalTimesteps = c.totalTimesteps;
    this.iterations = c.iterations;
    this.numEpisodes = c.numEpisodes;
    this.rng.setState(rngTrain);
    this.predictRng.setState(rngPredict);
    this.recentReturns.splice(0, this.recentReturns.length, ...rec.returns);
    this.recentLengths.splice(0, this.recentLengths.length, ...rec.lengths);
    if (envTensors !== null) {
      // The env's own state, when the env can restore it, makes the resume exact; otherwise the next learn
      // continues from the saved observation with the env as it is.
      const restore = this.env.restore;
      if (meta.envState !== null && typeof restore === "function") {
        try {
          restore.call(this.env, { json: (meta.envState as { json: unknown }).json, arrays: envArrays });
        } catch (e) {
          throw new CheckpointError(`checkpoint env state was rejected by the env: ${(e as Error).message}`);
        }
        this.lastObs = new Float32Array(envTensors.lastObs.data as Float32Array);
        this.episodeReturns.set(envTensors.returns.data as Float64Array);
        this.episodeLengths.set(envTensors.lengths.data as Int32Array);
      }
    }
  }

  /** Close the env. */
  async close(): Promise<void> {
    await this.env.close();
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && typeof (x as { length?: unknown }).length !== "number";
}

/** SB3's snake_case option name in this library's camelCase (learning_rate -> learningRate). */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The env an id names: `make(id)`, or with `nEnvs` > 1 a same-step vector env of that many, as `makeVec` builds. */
function envFromId(algo: string, id: string, nEnvs: unknown): AnyEnv | VectorEnvLike {
  if (nEnvs === undefined || nEnvs === 1) return make(id);
  return makeVec(id, checkInt(`${algo}: config.nEnvs`, nEnvs, 1));
}
