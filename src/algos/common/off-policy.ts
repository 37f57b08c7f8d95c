import { configChecks } from "../../core/checks.js";
import type { Engine } from "../../core/engine.js";
import { type KernelPreference, kernelPreferences } from "../../core/kernels/index.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import type { Activation } from "../../nn/mlp.js";
import type { Adam } from "../../nn/optim/adam.js";
import type { Optimizer } from "../../nn/optim/optimizer.js";
import { type ActionNoise, type ActionNoiseSpec, makeActionNoise } from "./action-noise.js";
import {
  type Action,
  Algorithm,
  type AlgorithmState,
  type BaseConfig,
  checkScheduled,
  type EnvIdOptions,
  type EnvInput,
  isVectorEnv,
  type LearnOptions,
  type SaveOptions,
  type Scheduled,
  scheduleValue,
} from "./algorithm.js";
import type { StateTensor } from "./checkpoint.js";
import {
  type ReplayBatch,
  ReplayBuffer,
  replayStateFrom,
  replayStateTensors,
  type TransitionBatch,
} from "./replay-buffer.js";

/** Network sizes: one list for actor and critics alike, or `{ pi, qf }` (SB3's off-policy `net_arch`). */
export type OffPolicyNetArch = number[] | { pi: number[]; qf: number[] };

/** The options SAC, TD3 and DDPG share: SB3's names (camelCase) and meanings. */
export interface OffPolicyConfig extends BaseConfig {
  /** Adam step size of every network (constant or linear schedule). */
  learningRate?: Scheduled;
  /** Replay capacity in transitions. Default 1_000_000. */
  bufferSize?: number;
  /** Env steps of uniform random actions before learning starts. Default 100. */
  learningStarts?: number;
  /** Minibatch size of one gradient step. */
  batchSize?: number;
  /** Polyak coefficient of the target networks: theta' <- tau theta + (1 - tau) theta'. Default 0.005. */
  tau?: number;
  /** Discount factor. Default 0.99. */
  gamma?: number;
  /** Train every this many env steps (a number, or `[n, "step"]`), or every n episodes (`[n, "episode"]`). Default 1. */
  trainFreq?: number | [number, "step" | "episode"];
  /** Gradient steps per training phase; -1 = as many as env steps collected. Default 1. */
  gradientSteps?: number;
  /** Exploration noise added to the policy's actions in [-1, 1] (null: none). */
  actionNoise?: ActionNoiseSpec | null;
  /** Store s' as the next row's s (half the observation memory). Default false. */
  optimizeMemoryUsage?: boolean;
  /** Hidden layer sizes of actor and critics. */
  netArch?: OffPolicyNetArch;
  /** Hidden activation. Default "relu". */
  activation?: Activation;
  /** Number of Q-networks (the minimum of their targets is the bootstrap). */
  nCritics?: number;
  /** Engine kernels ("auto": wasm SIMD when available; "ts": the float64 reference). Default "auto". */
  kernels?: KernelPreference;
  /** Check every op's output and gradient for NaN/Infinity, naming the op that made one (slower). Default false. */
  checkFinite?: boolean;
}

/** Every shared option resolved to a value. */
export interface ResolvedOffPolicy {
  learningRate: Scheduled;
  bufferSize: number;
  learningStarts: number;
  batchSize: number;
  tau: number;
  gamma: number;
  trainFreq: number | [number, "step" | "episode"];
  gradientSteps: number;
  actionNoise: ActionNoiseSpec | null;
  optimizeMemoryUsage: boolean;
  netArch: OffPolicyNetArch;
  activation: Activation;
  nCritics: number;
  kernels: KernelPreference;
  checkFinite: boolean;
}

/** Keys of {@link ResolvedOffPolicy}: the options every off-policy algorithm accepts. */
export const OFF_POLICY_KEYS: readonly (keyof ResolvedOffPolicy)[] = [
  "learningRate",
  "bufferSize",
  "learningStarts",
  "batchSize",
  "tau",
  "gamma",
  "trainFreq",
  "gradientSteps",
  "actionNoise",
  "optimizeMemoryUsage",
  "netArch",
  "activation",
  "nCritics",
  "kernels",
  "checkFinite",
];

/**
 * SB3's OffPolicyAlgorithm for Box actions: the collect loop (warm-up with uniform random actions, then the policy
 * plus optional action noise, actions stored in the policy's [-1, 1] scale and sent to the env rescaled to its
 * bounds), the replay buffer (truncated episodes bootstrap from their final observation), the training schedule
 * (`trainFreq`, `gradientSteps`), input checks, and checkpoints with an optional replay buffer. A subclass (SAC,
 * TD3) supplies its networks and one gradient step.
 */
export abstract class OffPolicyAlgorithm<
  C extends OffPolicyConfig,
  R extends ResolvedOffPolicy = ResolvedOffPolicy,
  O = unknown,
  A extends Action = Action,
> extends Algorithm<C, O, A> {
  readonly cfg: R;
  readonly engine: Engine;
  readonly buffer: ReplayBuffer;
  /** Length of one action. */
  readonly actionDim: number;
  /** Gradient steps taken. */
  nUpdates = 0;
  /** Wall-clock seconds spent in gradient steps (throughput reports). */
  trainSeconds = 0;
  protected readonly actionNoise: ActionNoise | null;
  protected readonly batch: ReplayBatch;
  /** s of the current step, [numEnvs, obsDim] */
  private readonly prevObs: Float32Array;
  /** the policy's actions in [-1, 1] (what the buffer stores), [numEnvs, actionDim] */
  private readonly policyBuf: Float32Array;
  private readonly noiseBuf: Float32Array;
  /** the same actions rescaled to the env's bounds */
  private readonly envActions: Float32Array;
  private readonly low: Float32Array;
  private readonly high: Float32Array;
  private collectedSteps = 0;
  /** the transition handed to the buffer, one object reused every step (no garbage per step) */
  private readonly transition: TransitionBatch;

  protected constructor(env: EnvInput<O, A>, config: C, defaults: R) {
    super(env, {
      ...config,
      logInterval:
        config.logInterval ??
        defaultLogInterval(env, config.trainFreq ?? defaults.trainFreq, (config as EnvIdOptions).nEnvs),
    });
    if (this.actInfo.kind !== "box") {
      throw new InvalidArgumentError(
        `${this.algoName} needs a Box action space (continuous actions), got ${this.actionSpace}; for Discrete actions use DQN, PPO or A2C`,
      );
    }
    const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    const c = { ...defaults, ...defined } as R;
    checkOffPolicyConfig(this.algoName, c);
    this.cfg = c;
    this.actionDim = this.actInfo.dim;
    this.low = this.actInfo.low;
    this.high = this.actInfo.high;
    for (let j = 0; j < this.actionDim; j++) {
      if (!Number.isFinite(this.low[j]) || !Number.isFinite(this.high[j]) || !(this.high[j] > this.low[j])) {
        throw new InvalidArgumentError(
          `${this.algoName}: the action space ${this.actionSpace} must have finite bounds low < high in every dimension (actions are rescaled from [-1, 1]), got [${this.low[j]}, ${this.high[j]}] at index ${j}`,
        );
      }
    }
    this.engine = this.makeEngine({ kernels: c.kernels, checkFinite: c.checkFinite });
    this.buffer = new ReplayBuffer({
      bufferSize: c.bufferSize,
      obsDim: this.obsDim,
      numEnvs: this.numEnvs,
      optimizeMemoryUsage: c.optimizeMemoryUsage,
      actionDim: this.actionDim,
    });
    this.batch = this.buffer.makeBatch(c.batchSize);
    this.actionNoise = makeActionNoise(c.actionNoise, this.actionDim, this.numEnvs, this.algoName);
    const n = this.numEnvs;
    this.prevObs = new Float32Array(n * this.obsDim);
    this.policyBuf = new Float32Array(n * this.actionDim);
    this.noiseBuf = new Float32Array(n * this.actionDim);
    this.envActions = new Float32Array(n * this.actionDim);
    const none = new Float32Array(0);
    this.transition = {
      observations: this.prevObs,
      actions: this.policyBuf,
      rewards: none,
      nextObservations: none,
      terminated: none,
      truncated: none,
    };
  }

  /** Hidden sizes of the actor and of the critics. */
  protected get piArch(): number[] {
    const a = this.cfg.netArch;
    return Array.isArray(a) ? a : a.pi;
  }
  protected get qfArch(): number[] {
    const a = this.cfg.netArch;
    return Array.isArray(a) ? a : a.qf;
  }

  // -------------------------------------------------------------------------------------------------------------
  // What SAC and TD3 supply

  /** The policy's actions in [-1, 1] for `count` observations, written into `out` [count, actionDim]. */
  protected abstract actorActions(
    obs: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
    out: Float32Array,
  ): void;
  /** One gradient step on `batch` (the optimizers' learning rate is set; the subclass sums its own metrics). */
  protected abstract gradientStep(batch: ReplayBatch): void;
  /** The optimizers a learning-rate schedule drives. */
  protected abstract optimizers(): Optimizer[];
  /** Record the means of this training phase's metrics over its `steps` gradient steps, then reset them. */
  protected abstract recordTrainMetrics(steps: number): void;
  /** Every persistent tensor of the model by checkpoint name: parameters, targets, optimizer moments. */
  protected abstract namedTensors(): Record<string, Tensor>;
  /** FLOPs of one gradient step (benchmarks). */
  abstract gradientStepFlops(): number;
  /** Called before the collection phase's first step and before each of its steps (gSDE draws its noise here). */
  protected onCollectStart(): void {}
  protected onCollectStep(_step: number): void {}
  /** Whether steps before learningStarts take uniform random actions (SAC with gSDE may act instead). */
  protected get randomWarmup(): boolean {
    return true;
  }
  /** Arrays besides the tensors that decide what happens next (exploration state), by checkpoint name. */
  protected stateArrays(): Record<string, Float32Array | Float64Array> {
    const noise = this.actionNoise?.state;
    return noise !== undefined && noise.length > 0 ? { "noise/state": noise } : {};
  }

  // -------------------------------------------------------------------------------------------------------------
  // Collecting

  override async learn(totalTimesteps: number, opts: LearnOptions = {}): Promise<this> {
    const target = (opts.resetNumTimesteps ?? true) ? totalTimesteps : this.numTimesteps + totalTimesteps;
    if (Number.isSafeInteger(totalTimesteps) && this.cfg.learningStarts > target) {
      throw new InvalidArgumentError(
        `${this.algoName}.learn: config.learningStarts ${this.cfg.learningStarts} is more than the ${target} steps of this run, so no gradient step would be taken; lower learningStarts or train longer`,
      );
    }
    return super.learn(totalTimesteps, opts);
  }

  /**
   * SB3's collect_rollouts: step the envs until `trainFreq` steps (or episodes) are collected. Each step:
   *   a = uniform(-1, 1) during warm-up (numTimesteps < learningStarts), else the policy's action;
   *   a = clip(a + noise, -1, 1) with action noise;  the env receives low + (a + 1) (high - low) / 2;
   *   (s, a, r, s', terminated) goes to the buffer, s' the final observation where an episode ended.
   */
  protected collectRollout(): void {
    const c = this.cfg;
    const n = this.numEnvs;
    const ad = this.actionDim;
    const freq = typeof c.trainFreq === "number" ? c.trainFreq : c.trainFreq[0];
    const unit = typeof c.trainFreq === "number" ? "step" : c.trainFreq[1];
    let steps = 0;
    let episodes = 0;
    this.onCollectStart();
    while ((unit === "step" ? steps < freq : episodes < freq) && this.numTimesteps < this.totalTimesteps) {
      const obs = this.lastObs as Float32Array;
      this.prevObs.set(obs);
      const a = this.policyBuf;
      this.onCollectStep(steps);
      if (this.numTimesteps < c.learningStarts && this.randomWarmup) {
        for (let i = 0; i < n * ad; i++) a[i] = 2 * this.rng.uniform() - 1;
      } else {
        this.actorActions(this.prevObs, n, false, this.rng, a);
      }
      if (this.actionNoise !== null) {
        this.actionNoise.sample(this.rng, this.noiseBuf);
        for (let i = 0; i < n * ad; i++) a[i] = Math.min(Math.max(a[i] + this.noiseBuf[i], -1), 1);
      }
      for (let i = 0; i < n * ad; i++) {
        const j = i % ad;
        this.envActions[i] = this.low[j] + 0.5 * (a[i] + 1) * (this.high[j] - this.low[j]);
      }
      const r = this.envStep(this.envActions);
      const t = this.transition;
      t.rewards = r.rewards;
      t.nextObservations = r.observations;
      t.finalObservations = r.finalObservations;
      t.terminated = r.terminated;
      t.truncated = r.truncated;
      this.buffer.add(t);
      steps++;
      for (let e = 0; e < n; e++) {
        if (r.terminated[e] || r.truncated[e]) {
          episodes++;
          this.actionNoise?.reset(e);
        }
      }
      if (this.stopRequested) break;
    }
    this.collectedSteps = steps * n;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Training

  /** `gradientSteps` gradient steps (or as many as env steps collected), once past learningStarts. */
  protected train(): void {
    const c = this.cfg;
    if (this.numTimesteps <= c.learningStarts || this.buffer.size < c.batchSize) return;
    const steps = c.gradientSteps >= 0 ? c.gradientSteps : this.collectedSteps;
    const lr = scheduleValue(c.learningRate, this.progressRemaining);
    for (const opt of this.optimizers()) opt.lr = lr;
    const t0 = performance.now();
    for (let g = 0; g < steps; g++) {
      this.buffer.sample(c.batchSize, this.rng, this.batch);
      this.gradientStep(this.batch);
      this.nUpdates++;
    }
    this.trainSeconds += (performance.now() - t0) / 1000;
    if (steps > 0) this.recordTrainMetrics(steps);
    this.logger.record("train/learning_rate", lr);
    this.logger.record("train/n_updates", this.nUpdates);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Predict and state

  protected policyActions(observations: Float32Array, count: number, deterministic: boolean, rng: Rng): Float32Array {
    const ad = this.actionDim;
    const out = new Float32Array(count * ad);
    this.actorActions(observations, count, deterministic, rng, out);
    for (let i = 0; i < out.length; i++) {
      const j = i % ad;
      out[i] = this.low[j] + 0.5 * (out[i] + 1) * (this.high[j] - this.low[j]);
    }
    return out;
  }

  protected getAlgorithmState(opts: Required<SaveOptions>): AlgorithmState {
    const tensors: Record<string, StateTensor> = {};
    for (const [name, t] of Object.entries(this.namedTensors())) {
      tensors[name] = { dtype: "F32", shape: [...t.shape], data: new Float32Array(t.data()) };
    }
    for (const [name, v] of Object.entries(this.stateArrays())) {
      tensors[name] =
        v instanceof Float32Array
          ? { dtype: "F32", shape: [v.length], data: v.slice() }
          : { dtype: "F64", shape: [v.length], data: v.slice() };
    }
    const json: Record<string, unknown> = { nUpdates: this.nUpdates };
    if (opts.includeReplayBuffer) {
      const replay = replayStateTensors(this.buffer);
      Object.assign(tensors, replay.tensors);
      json.replay = replay.json;
    }
    return { tensors, json };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    const { json, tensors } = state;
    if (!Number.isSafeInteger(json.nUpdates) || (json.nUpdates as number) < 0) {
      throw new InvalidArgumentError(
        `${this.algoName} state nUpdates must be a non-negative integer, got ${describe(json.nUpdates)}`,
      );
    }
    for (const [name, t] of Object.entries(this.namedTensors())) t.set(tensors[name].data as Float32Array);
    for (const [name, v] of Object.entries(this.stateArrays())) v.set(tensors[name].data as ArrayLike<number>);
    this.nUpdates = json.nUpdates as number;
    for (const opt of this.optimizers()) opt.stepCount = this.nUpdatesOf(opt);
    if (json.replay !== undefined && tensors["replay/observations"] !== undefined) {
      this.buffer.setState(replayStateFrom(tensors, json.replay));
    }
  }

  /** Steps an optimizer has taken after `nUpdates` gradient steps (TD3's delayed actor takes fewer). */
  protected nUpdatesOf(_opt: Optimizer): number {
    return this.nUpdates;
  }
}

/**
 * Iterations between two log rows when the config sets none: an iteration is one training phase, often a single
 * env step here, so rows come every ~1000 env steps (or every 4 episodes with episodic trainFreq, as SB3's default
 * log_interval for off-policy algorithms).
 */
function defaultLogInterval(env: EnvInput, trainFreq: unknown, nEnvs: unknown): number {
  if (Array.isArray(trainFreq) && trainFreq[1] === "episode") return 4;
  const freq = Array.isArray(trainFreq) ? trainFreq[0] : trainFreq;
  // an env id with nEnvs becomes a vector env of nEnvs (the base checks the value)
  const envs = isVectorEnv(env) ? env.numEnvs : typeof env === "string" && typeof nEnvs === "number" ? nEnvs : 1;
  const perIteration = (typeof freq === "number" && freq >= 1 ? freq : 1) * Math.max(1, envs);
  return Math.max(1, Math.ceil(1000 / perIteration));
}

/** Adam's moments of `opt`'s parameters as `{prefix}exp_avg/{name}` and `{prefix}exp_avg_sq/{name}`. */
export function putAdam(out: Record<string, Tensor>, prefix: string, names: readonly string[], opt: Adam): void {
  const state = opt.stateTensors();
  names.forEach((name, i) => {
    out[`${prefix}exp_avg/${name}`] = state[`${i}.exp_avg`];
    out[`${prefix}exp_avg_sq/${name}`] = state[`${i}.exp_avg_sq`];
  });
}

/** Mean of a tensor's elements (a logged diagnostic). */
export function meanOf(t: Tensor): number {
  const v = t.data();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

function checkOffPolicyConfig(algo: string, c: ResolvedOffPolicy): void {
  const check = configChecks(algo, c);
  const fail = check.fail;
  checkScheduled(check.name("learningRate"), c.learningRate, 0);
  check.int("bufferSize", 1);
  check.int("learningStarts", 0);
  check.int("batchSize", 1);
  check.int("nCritics", 1);
  if (!Number.isSafeInteger(c.gradientSteps) || c.gradientSteps < -1) fail("gradientSteps", "an integer >= 0, or -1");
  check.range("tau", 0, 1, "(]");
  check.range("gamma", 0, 1);
  const tf = c.trainFreq;
  const tfOk =
    (Number.isSafeInteger(tf) && (tf as number) >= 1) ||
    (Array.isArray(tf) &&
      tf.length === 2 &&
      Number.isSafeInteger(tf[0]) &&
      tf[0] >= 1 &&
      (tf[1] === "step" || tf[1] === "episode"));
  if (!tfOk) fail("trainFreq", 'an integer >= 1 or [n, "step" | "episode"]');
  const sizes = (v: unknown) => Array.isArray(v) && v.every((h) => Number.isInteger(h) && h >= 1);
  const na = c.netArch as unknown;
  const naOk =
    sizes(na) ||
    (typeof na === "object" && na !== null && sizes((na as { pi: unknown }).pi) && sizes((na as { qf: unknown }).qf));
  if (!naOk) fail("netArch", "a list of positive integers, or { pi: [...], qf: [...] }");
  if (c.activation !== "relu" && c.activation !== "tanh") fail("activation", '"relu" or "tanh"');
  check.bool("optimizeMemoryUsage");
  check.bool("checkFinite");
  if (c.batchSize > c.bufferSize) {
    throw new InvalidArgumentError(
      `${algo}: config.batchSize ${c.batchSize} is larger than config.bufferSize ${c.bufferSize}; a minibatch cannot exceed the replay buffer`,
    );
  }
  if (!kernelPreferences.includes(c.kernels)) fail("kernels", `one of ${kernelPreferences.join(", ")}`);
}
