import { configChecks } from "../core/checks.js";
import type { Engine } from "../core/engine.js";
import { type KernelPreference, kernelPreferences } from "../core/kernels/index.js";
import { pow } from "../core/math/index.js";
import { abs, add, clamp, gather, mean, mul, mulScalar, square, sub } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { clipGradNorm } from "../nn/clip-grad.js";
import { Adam } from "../nn/optim/adam.js";
import { linearSchedule, type Schedule } from "../nn/schedules.js";
import { EnvActionMasks, maskedArgmax, randomAllowed } from "./common/action-masks.js";
import {
  type Action,
  type ActionOf,
  Algorithm,
  type AlgorithmState,
  type BaseConfig,
  checkScheduled,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type SaveOptions,
  type Scheduled,
  type StaticSide,
  scheduleValue,
} from "./common/algorithm.js";
import type { StateTensor } from "./common/checkpoint.js";
import { FeaturesExtractor } from "./common/features-extractor.js";
import { NStepAccumulator } from "./common/n-step.js";
import { PrioritizedReplayBuffer } from "./common/prioritized-replay-buffer.js";
import { QNetwork } from "./common/q-network.js";
import { type ReplayBatch, ReplayBuffer, replayStateFrom, replayStateTensors } from "./common/replay-buffer.js";

/** DQN options: SB3's names and defaults, plus the post-2015 options, each off by default. */
export interface DQNConfig extends BaseConfig {
  /** Adam step size (constant or linear schedule). Default 1e-4. */
  learningRate?: Scheduled;
  /** Replay capacity in transitions. Default 1_000_000. */
  bufferSize?: number;
  /** Steps of uniform random actions before learning starts. Default 100. */
  learningStarts?: number;
  /** Minibatch size of one gradient step. Default 32. */
  batchSize?: number;
  /** Target update coefficient: 1 = hard copy (DQN), < 1 = Polyak averaging. Default 1. */
  tau?: number;
  /** Discount factor in [0, 1]. Default 0.99. */
  gamma?: number;
  /** Vector-env steps between training phases. Default 4. */
  trainFreq?: number;
  /** Gradient steps per training phase; -1 = as many as transitions collected. Default 1. */
  gradientSteps?: number;
  /** Env steps between target-network updates. Default 10_000. */
  targetUpdateInterval?: number;
  /** Fraction of training over which epsilon decays linearly. Default 0.1. */
  explorationFraction?: number;
  explorationInitialEps?: number; // default 1
  explorationFinalEps?: number; // default 0.05
  /** Global gradient-norm clip. Default 10. */
  maxGradNorm?: number;
  /** Hidden layer sizes. Default [64, 64]. */
  netArch?: number[];
  /** TD loss: "huber" (smooth L1, SB3's default) or "mse" (the 2015 paper's squared error). */
  loss?: "huber" | "mse";
  /** Adam epsilon. Default 1e-8 (PyTorch). */
  adamEps?: number;
  /** Store s' as the next row's s (half the observation memory). Default false. */
  optimizeMemoryUsage?: boolean;
  /** Experience replay; false = the naive online loop (one step on each fresh transition). Default true. */
  replay?: boolean;
  /** Separate target network theta'; false bootstraps from the online network. Default true. */
  targetNetwork?: boolean;
  /** Double DQN target (van Hasselt et al. 2016): a* from the online net, its value from the target net. */
  doubleQ?: boolean;
  /** Dueling head (Wang et al. 2016). Default false. */
  dueling?: boolean;
  /** n-step returns. Default 1. */
  nStep?: number;
  /** Proportional prioritized replay (Schaul et al. 2016). Default false. */
  prioritizedReplay?: boolean;
  /** Priority exponent alpha. Default 0.6. */
  prioritizedReplayAlpha?: number;
  /** Importance-sampling exponent beta at the start; annealed linearly to 1 over training. Default 0.4. */
  prioritizedReplayBeta0?: number;
  /** Engine kernels ("auto": wasm SIMD when available; "ts": the float64 reference). Default "auto". */
  kernels?: KernelPreference;
  /** Check every op's output and gradient for NaN/Infinity, naming the op that made one (slower). Default false. */
  checkFinite?: boolean;
  /**
   * Use the env's action masks (`info.action_mask` or an `actionMasks()` method, as PPO reads them): exploration
   * draws only allowed actions, the greedy action and the target's max range over the allowed actions (of s' for
   * the target: the replay buffer stores each s' mask). Default true.
   */
  useActionMasks?: boolean;
}

type Resolved = Required<Omit<DQNConfig, "seed" | "logInterval" | "threads" | "verbose">> & BaseConfig;

const DEFAULTS: Omit<Resolved, "seed" | "logInterval" | "verbose"> = {
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 32,
  tau: 1,
  gamma: 0.99,
  trainFreq: 4,
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  explorationFraction: 0.1,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  maxGradNorm: 10,
  netArch: [64, 64],
  loss: "huber",
  adamEps: 1e-8,
  optimizeMemoryUsage: false,
  replay: true,
  targetNetwork: true,
  doubleQ: false,
  dueling: false,
  nStep: 1,
  prioritizedReplay: false,
  prioritizedReplayAlpha: 0.6,
  prioritizedReplayBeta0: 0.4,
  kernels: "auto",
  checkFinite: false,
  useActionMasks: true,
};

/**
 * Deep Q-Network (Mnih et al. 2015), Stable-Baselines3's variant. Per env step: act epsilon-greedily, store
 * (s, a, r, s', terminated) in the replay buffer; every `trainFreq` steps take `gradientSteps` Adam steps on
 *
 *   L(theta) = mean_i w_i * l( Q_theta(s_i, a_i) - y_i ),   y_i = r_i + gamma^k_i (1 - terminated_i) max_a' Q_theta'(s'_i, a')
 *
 * (with action masks, every max and argmax and the exploration's uniform draw range over the allowed actions only)
 * with l = Huber (default) or squared error, w_i = 1 unless prioritized replay; every `targetUpdateInterval` env
 * steps theta' <- tau theta + (1 - tau) theta'. Truncated transitions bootstrap from their final observation.
 *
 * `replay: false, targetNetwork: false` is the naive online Q-learning loop with a network: one gradient step on
 * each freshly observed transition, bootstrapping from the network being trained. It is kept to show the
 * instability that replay and target networks cure (see docs/dqn.md for a measured comparison).
 */
export class DQNModel<O = unknown, A extends Action = Action> extends Algorithm<DQNConfig, O, A> {
  static override readonly algorithmName = "DQN";
  static override readonly configKeys: readonly string[] = Object.keys(DEFAULTS);

  readonly cfg: Resolved;
  readonly engine: Engine;
  readonly qNet: QNetwork;
  /** theta' (the online network itself when `targetNetwork` is false). */
  readonly qNetTarget: QNetwork;
  readonly buffer: ReplayBuffer;
  /** Current exploration rate. */
  explorationRate: number;
  /** Gradient steps taken. */
  nUpdates = 0;
  /** Wall-clock seconds spent in gradient steps (for throughput reports). */
  trainSeconds = 0;
  /** Vector-env steps taken (SB3's _n_calls): the target update clock. */
  private nCalls = 0;
  private readonly nActions: number;
  /** observation rows -> network input (one-hot Discrete, flattened Box, per key for a Dict) */
  private readonly extractor: FeaturesExtractor;
  private readonly params: Tensor[];
  /** Adam over the Q-network's parameters (the numeric core's fused kernel); its step count is nUpdates. */
  private readonly optimizer: Adam;
  private readonly nStep: NStepAccumulator | null;
  private readonly batch: ReplayBatch;
  private readonly actions: Int32Array;
  private readonly envActions: Int32Array;
  private readonly prevObs: Float32Array;
  private readonly nextObs: Float32Array;
  /** the action masks of s' of the last step [numEnvs, nActions] (all allowed where the episode ended) */
  private readonly nextMasks: Uint8Array;
  private readonly targets: Float32Array;
  private readonly nextValues: Float32Array;
  private collectedSinceTrain = 0;
  private readonly epsilonSchedule: Schedule;
  /** Clock and step count at the start of this `learn` call, for `time/fps`. */
  private fpsStartTime = performance.now();
  private fpsStartSteps = 0;

  constructor(env: EnvInput<O, A>, config: DQNConfig = {}) {
    super(env, config);
    const naive = config.replay === false;
    const c: Resolved = {
      ...DEFAULTS,
      // the naive loop learns from each transition as it arrives
      ...(naive ? { trainFreq: 1, gradientSteps: 1, learningStarts: 0, batchSize: this.numEnvs } : {}),
      ...stripUndefined(config),
      seed: this.seed,
      logInterval: this.config.logInterval,
    };
    checkConfig(c, this.numEnvs);
    this.cfg = c;
    if (this.actInfo.kind !== "discrete") {
      throw new InvalidArgumentError(`DQN needs a Discrete action space, got ${this.actionSpace}`);
    }
    this.nActions = this.actInfo.n;
    if (c.useActionMasks) this.envMasks = new EnvActionMasks(this.numEnvs, this.nActions, "DQN");
    // Discrete observations are one-hot encoded (SB3's preprocessing); Box observations are flattened
    this.extractor = new FeaturesExtractor(this.obsInfo);
    this.engine = this.makeEngine({ kernels: c.kernels, checkFinite: c.checkFinite });
    const inputSize = this.extractor.featuresDim;
    const netOpts = { inputSize, hiddenSizes: c.netArch, nActions: this.nActions, dueling: c.dueling };
    this.qNet = new QNetwork(this.engine, this.rng, netOpts);
    if (c.targetNetwork) {
      this.qNetTarget = new QNetwork(this.engine, this.rng, netOpts);
      this.qNetTarget.updateFrom(this.qNet, 1);
    } else {
      this.qNetTarget = this.qNet;
    }
    this.params = this.qNet.parameters();
    this.optimizer = new Adam(this.params, { lr: scheduleValue(c.learningRate, 1), eps: c.adamEps });

    const bufferOpts = {
      bufferSize: naive ? this.numEnvs : c.bufferSize,
      obsDim: this.obsDim,
      observationSpace: this.obsInfo,
      // n-step transitions arrive one at a time, not as rows of numEnvs
      numEnvs: c.nStep > 1 ? 1 : this.numEnvs,
      optimizeMemoryUsage: c.optimizeMemoryUsage,
      maskDim: this.envMasks === null ? 0 : this.nActions,
    };
    this.buffer = c.prioritizedReplay
      ? new PrioritizedReplayBuffer({ ...bufferOpts, alpha: c.prioritizedReplayAlpha })
      : new ReplayBuffer(bufferOpts);
    this.nStep = c.nStep > 1 ? new NStepAccumulator(c.nStep, c.gamma, this.numEnvs, this.obsDim) : null;
    this.batch = this.buffer.makeBatch(c.batchSize);
    this.actions = new Int32Array(this.numEnvs);
    this.envActions = new Int32Array(this.numEnvs);
    this.prevObs = new Float32Array(this.numEnvs * this.obsDim);
    this.nextObs = new Float32Array(this.numEnvs * this.obsDim);
    this.nextMasks = new Uint8Array(this.envMasks === null ? 0 : this.numEnvs * this.nActions);
    this.targets = new Float32Array(c.batchSize);
    this.nextValues = new Float32Array(c.batchSize);
    this.explorationRate = c.explorationInitialEps;
    // SB3's linear schedule: initial -> final over the first explorationFraction of training, then constant
    this.epsilonSchedule = linearSchedule(c.explorationInitialEps, c.explorationFinalEps, c.explorationFraction);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Acting and storing

  protected collectRollout(): void {
    const c = this.cfg;
    const n = this.numEnvs;
    const d = this.obsDim;
    if (this.iterations === 0) {
      this.fpsStartTime = performance.now();
      this.fpsStartSteps = this.numTimesteps;
    }
    this.collectedSinceTrain = 0;
    this.readMasks();
    for (let step = 0; step < c.trainFreq && this.numTimesteps < this.totalTimesteps; step++) {
      const obs = this.lastObs as Float32Array;
      this.prevObs.set(obs);
      const masks = this.envMasks?.current ?? null;
      // warm-up: uniform random (allowed) actions until learningStarts; then epsilon-greedy on Q_theta
      if (this.numTimesteps < c.learningStarts) {
        for (let e = 0; e < n; e++) this.actions[e] = randomAllowed(this.rng, this.nActions, masks, e * this.nActions);
      } else {
        this.epsilonGreedy(this.prevObs, n, this.explorationRate, this.rng, this.actions, masks);
      }
      const r = this.envStep(this.offsetActions());
      this.readMasks();
      // s' of rows that ended is the final observation (same-step autoreset), so truncations bootstrap correctly;
      // its mask is unknown (the env reports the next episode's), so the target maxes over every action there
      this.nextObs.set(r.observations);
      const current = this.envMasks?.current;
      if (current) this.nextMasks.set(current);
      else this.nextMasks.fill(1);
      for (let e = 0; e < n; e++) {
        if (r.terminated[e] || r.truncated[e]) {
          this.nextObs.set(r.finalObservations.subarray(e * d, (e + 1) * d), e * d);
          this.nextMasks.fill(1, e * this.nActions, (e + 1) * this.nActions);
        }
      }
      this.store(r.rewards, r.terminated, r.truncated);
      this.collectedSinceTrain += n;

      // SB3's _on_step: target update on the env-step clock, then the exploration schedule
      this.nCalls++;
      if (c.targetNetwork && this.nCalls % Math.max(Math.floor(c.targetUpdateInterval / n), 1) === 0) {
        this.qNetTarget.updateFrom(this.qNet, c.tau);
      }
      this.explorationRate = this.epsilonSchedule(this.progressRemaining);
      this.logger.record("rollout/exploration_rate", this.explorationRate);
      if (this.stopRequested) return;
    }
  }

  /** Env actions from action indices (Discrete spaces may start at a nonzero `start`). */
  private offsetActions(): Int32Array {
    const start = this.actInfo.kind === "discrete" ? this.actInfo.start : 0;
    if (start === 0) return this.actions;
    for (let i = 0; i < this.numEnvs; i++) this.envActions[i] = this.actions[i] + start;
    return this.envActions;
  }

  private store(rewards: Float64Array, terminated: Uint8Array, truncated: Uint8Array): void {
    if (this.nStep === null) {
      this.buffer.add({
        observations: this.prevObs,
        actions: this.actions,
        rewards,
        nextObservations: this.nextObs,
        terminated,
        truncated,
        nextActionMasks: this.nextMasks,
      });
      return;
    }
    const d = this.obsDim;
    const nA = this.nActions;
    for (let e = 0; e < this.numEnvs; e++) {
      this.nStep.push(
        e,
        this.prevObs.subarray(e * d, (e + 1) * d),
        this.actions[e],
        rewards[e],
        this.nextObs.subarray(e * d, (e + 1) * d),
        terminated[e] === 1,
        truncated[e] === 1,
        (s, a, ret, s2, term, trunc, k) =>
          this.buffer.add({
            observations: s,
            actions: [a],
            rewards: [ret],
            nextObservations: s2,
            terminated: [term ? 1 : 0],
            truncated: [trunc ? 1 : 0],
            steps: [k],
            // an n-step transition's s' is this step's s', so its mask is this step's
            nextActionMasks: this.nextMasks.subarray(e * nA, (e + 1) * nA),
          }),
      );
    }
  }

  /** Write epsilon-greedy actions (among the allowed ones under `masks`) for `count` observations into `out`. */
  private epsilonGreedy(
    obs: Float32Array,
    count: number,
    epsilon: number,
    rng: Rng,
    out: Int32Array,
    masks: Uint8Array | null,
  ): void {
    this.greedyActions(obs, count, out, masks);
    const nA = this.nActions;
    for (let i = 0; i < count; i++) if (rng.uniform() < epsilon) out[i] = randomAllowed(rng, nA, masks, i * nA);
  }

  /** argmax_a Q_theta(s, a) over the allowed actions, for `count` observations. */
  private greedyActions(obs: Float32Array, count: number, out: Int32Array, masks: Uint8Array | null): void {
    const eng = this.engine;
    const nA = this.nActions;
    eng.scope(() =>
      eng.noGrad(() => {
        const q = this.qNet.forward(this.encode(obs, count)).data();
        for (let i = 0; i < count; i++) out[i] = maskedArgmax(q, i * nA, nA, masks, i * nA);
      }),
    );
  }

  /** Network input [count, featuresDim] for flat observation rows. */
  private encode(obs: Float32Array, count: number): Tensor {
    return this.extractor.features(this.engine, obs, count);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Learning

  protected train(): void {
    const c = this.cfg;
    // SB3: learn once num_timesteps > learningStarts
    if (this.numTimesteps <= c.learningStarts && c.replay) return;
    if (this.buffer.size < c.batchSize) return;
    const steps = c.gradientSteps >= 0 ? c.gradientSteps : this.collectedSinceTrain;
    const lr = scheduleValue(c.learningRate, this.progressRemaining);
    // beta anneals linearly from beta0 to 1 over training (Schaul et al.)
    const beta = c.prioritizedReplayBeta0 + (1 - c.prioritizedReplayBeta0) * (1 - this.progressRemaining);
    let lossSum = 0;
    let qSum = 0;
    const t0 = performance.now();
    for (let g = 0; g < steps; g++) {
      const batch = c.replay ? this.sampleBatch(beta) : this.latestBatch();
      const [loss, meanQ] = this.gradientStep(batch, lr);
      lossSum += loss;
      qSum += meanQ;
    }
    this.trainSeconds += (performance.now() - t0) / 1000;
    if (steps > 0) {
      this.logger.record("train/loss", lossSum / steps);
      this.logger.record("train/mean_q", qSum / steps);
    }
    this.logger.record("train/learning_rate", lr);
    this.logger.record("train/n_updates", this.nUpdates);
    const elapsed = (performance.now() - this.fpsStartTime) / 1000;
    if (elapsed > 0) this.logger.record("time/fps", Math.round((this.numTimesteps - this.fpsStartSteps) / elapsed));
  }

  private sampleBatch(beta: number): ReplayBatch {
    if (this.buffer instanceof PrioritizedReplayBuffer) {
      return this.buffer.sample(this.cfg.batchSize, this.rng, this.batch, beta);
    }
    return this.buffer.sample(this.cfg.batchSize, this.rng, this.batch);
  }

  /** The naive loop's "minibatch": exactly the transitions of the last env step. */
  private latestBatch(): ReplayBatch {
    const n = this.buffer.size;
    for (let i = 0; i < n; i++) this.batch.indices[i] = i;
    return this.buffer.fetch(this.batch, n);
  }

  /**
   * One Adam step on the TD loss of `batch`; returns [loss, mean Q(s,a)].
   *   y = r + gamma^k (1 - terminated) * [max_a' Q_target(s', a')  |  Q_target(s', argmax_a' Q(s', a')) for Double DQN]
   */
  private gradientStep(batch: ReplayBatch, lr: number): [number, number] {
    const c = this.cfg;
    const eng = this.engine;
    const B = batch.size;
    return eng.scope(() => {
      // ---- targets y (no gradient through theta')
      eng.noGrad(() => {
        const nA = this.nActions;
        const masks = batch.nextActionMasks.length > 0 ? batch.nextActionMasks : null;
        const nextQ = this.qNetTarget.forward(this.encode(batch.nextObservations, B)).data();
        // the action valued at s': argmax of theta' itself, or of the online theta for Double DQN
        const chooser = c.doubleQ ? this.qNet.forward(this.encode(batch.nextObservations, B)).data() : nextQ;
        const nextV = this.nextValues;
        for (let i = 0; i < B; i++) nextV[i] = nextQ[i * nA + maskedArgmax(chooser, i * nA, nA, masks, i * nA)];
        for (let i = 0; i < B; i++) {
          const bootstrap = batch.terminated[i] ? 0 : pow(c.gamma, batch.steps[i]) * nextV[i];
          this.targets[i] = batch.rewards[i] + bootstrap;
        }
      });
      const y = eng.tensor(this.targets.subarray(0, B), [B]);
      // ---- TD error and loss
      const q = gather(this.qNet.forward(this.encode(batch.observations, B)), batch.actions.subarray(0, B));
      const delta = sub(q, y);
      const perSample = c.loss === "huber" ? huber(delta) : mulScalar(square(delta), 0.5);
      const loss = c.prioritizedReplay
        ? mean(mul(perSample, eng.tensor(batch.weights.subarray(0, B), [B])))
        : mean(perSample);
      // ---- backward, clip, Adam
      this.optimizer.zeroGrad();
      eng.backward(loss);
      clipGradNorm(this.params, c.maxGradNorm);
      // Adam (PyTorch): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; theta -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps)
      this.optimizer.lr = lr;
      this.optimizer.step();
      this.nUpdates++;
      const qv = q.data();
      let qMean = 0;
      for (let i = 0; i < B; i++) qMean += qv[i];
      if (this.buffer instanceof PrioritizedReplayBuffer) this.buffer.updatePriorities(batch.indices, delta.data(), B);
      return [loss.item(), qMean / B];
    });
  }

  /** FLOPs of one gradient step (forward of online and target nets, backward ~2x forward), for benchmarks. */
  gradientStepFlops(): number {
    const f = this.qNet.forwardFlops(this.cfg.batchSize);
    return f * (this.cfg.doubleQ ? 5 : 4);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Predict and state

  protected policyActions(
    observations: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
    masks: Uint8Array | null,
  ): Int32Array {
    const out = new Int32Array(count);
    if (deterministic) this.greedyActions(observations, count, out, masks);
    else this.epsilonGreedy(observations, count, this.explorationRate, rng, out, masks);
    const start = this.actInfo.kind === "discrete" ? this.actInfo.start : 0;
    for (let i = 0; i < count; i++) out[i] += start;
    return out;
  }

  /** Adam's moment tensors, one per parameter (checkpoints keep them as optimizer/m/ and optimizer/v/). */
  private adamMoments(name: "exp_avg" | "exp_avg_sq"): Tensor[] {
    const state = this.optimizer.stateTensors();
    return this.params.map((_, i) => state[`${i}.${name}`]);
  }

  protected getAlgorithmState(opts: Required<SaveOptions>): AlgorithmState {
    const tensors: Record<string, StateTensor> = {};
    const put = (prefix: string, ts: Tensor[], names: string[]) => {
      ts.forEach((t, i) => {
        tensors[`${prefix}${names[i]}`] = { dtype: "F32", shape: [...t.shape], data: new Float32Array(t.data()) };
      });
    };
    const names = this.qNet.parameterNames();
    put("q_net/", this.params, names);
    if (this.cfg.targetNetwork) put("q_net_target/", this.qNetTarget.parameters(), names);
    put("optimizer/m/", this.adamMoments("exp_avg"), names);
    put("optimizer/v/", this.adamMoments("exp_avg_sq"), names);
    const json: Record<string, unknown> = {
      explorationRate: this.explorationRate,
      nUpdates: this.nUpdates,
      nCalls: this.nCalls,
      actionMasks: this.envMasks?.toJSON() ?? null,
    };
    if (opts.includeReplayBuffer && this.nStep === null) {
      const replay = replayStateTensors(this.buffer);
      Object.assign(tensors, replay.tensors);
      json.replay = replay.json;
    }
    return { tensors, json };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    const { json, tensors } = state;
    for (const k of ["explorationRate", "nUpdates", "nCalls"]) {
      if (typeof json[k] !== "number" || !Number.isFinite(json[k])) {
        throw new InvalidArgumentError(`DQN state ${k} must be a finite number, got ${describe(json[k])}`);
      }
    }
    const names = this.qNet.parameterNames();
    const load = (prefix: string, ts: Tensor[]) => {
      for (let i = 0; i < ts.length; i++) ts[i].set(tensors[`${prefix}${names[i]}`].data as Float32Array);
    };
    load("q_net/", this.params);
    if (this.cfg.targetNetwork) load("q_net_target/", this.qNetTarget.parameters());
    load("optimizer/m/", this.adamMoments("exp_avg"));
    load("optimizer/v/", this.adamMoments("exp_avg_sq"));
    this.explorationRate = json.explorationRate as number;
    this.nUpdates = json.nUpdates as number;
    this.optimizer.stepCount = this.nUpdates;
    this.nCalls = json.nCalls as number;
    this.envMasks?.restore(json.actionMasks);
    if (json.replay !== undefined && Object.keys(tensors).some((k) => k.startsWith("replay/"))) {
      this.buffer.setState(replayStateFrom(tensors, json.replay));
    }
  }
}

/** A DQN model over an env with observations `O` and actions `A`. */
export type DQN<O = unknown, A extends Action = Action> = DQNModel<O, A>;
/** DQN on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const DQN = DQNModel as unknown as {
  new <E extends EnvInput = EnvInput>(env: E, config?: DQNConfig & EnvIdOptions): DQN<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof DQNModel>;

registerAlgorithm(DQN);

/** Huber loss with delta 1 (PyTorch's smooth_l1_loss): 0.5 d^2 for |d| <= 1, |d| - 0.5 beyond. */
function huber(d: Tensor): Tensor {
  const a = abs(d);
  const q = clamp(a, 0, 1); // min(|d|, 1)
  return add(mulScalar(square(q), 0.5), sub(a, q));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function checkConfig(c: Resolved, numEnvs: number): void {
  const check = configChecks("DQN", c);
  checkScheduled(check.name("learningRate"), c.learningRate, 0);
  for (const key of ["bufferSize", "batchSize", "trainFreq", "targetUpdateInterval", "nStep"] as const) {
    check.int(key, 1);
  }
  check.int("learningStarts", 0);
  if (!Number.isSafeInteger(c.gradientSteps) || c.gradientSteps < -1) {
    check.fail("gradientSteps", "an integer >= 0, or -1");
  }
  check.range("tau", 0, 1, "(]");
  check.range("explorationFraction", 0, 1, "(]");
  for (const key of [
    "gamma",
    "explorationInitialEps",
    "explorationFinalEps",
    "prioritizedReplayAlpha",
    "prioritizedReplayBeta0",
  ] as const) {
    check.range(key, 0, 1);
  }
  check.range("maxGradNorm", 0, Infinity, "(]");
  check.range("adamEps", 0, Infinity, "(]");
  if (c.loss !== "huber" && c.loss !== "mse") check.fail("loss", '"huber" or "mse"');
  if (!Array.isArray(c.netArch) || c.netArch.some((h) => !Number.isInteger(h) || h < 1)) {
    check.fail("netArch", "a list of positive integers");
  }
  if (c.replay && c.batchSize > c.bufferSize) {
    throw new InvalidArgumentError(
      `DQN: config.batchSize ${c.batchSize} is larger than config.bufferSize ${c.bufferSize}; a minibatch cannot exceed the replay buffer`,
    );
  }
  if (!c.replay) {
    if (c.trainFreq !== 1 || c.gradientSteps !== 1 || c.prioritizedReplay || c.nStep !== 1) {
      throw new InvalidArgumentError(
        "DQN: replay: false is the naive online loop (one gradient step per fresh transition); it needs trainFreq 1, gradientSteps 1, no prioritizedReplay and nStep 1",
      );
    }
    if (c.batchSize !== numEnvs) check.fail("batchSize", `${numEnvs} (one transition per env) when replay is false`);
  }
  if (c.optimizeMemoryUsage && c.nStep > 1) {
    throw new InvalidArgumentError("DQN: optimizeMemoryUsage cannot be combined with nStep > 1");
  }
  if (!kernelPreferences.includes(c.kernels)) check.fail("kernels", `one of ${kernelPreferences.join(", ")}`);
  for (const key of [
    "checkFinite",
    "useActionMasks",
    "dueling",
    "doubleQ",
    "replay",
    "targetNetwork",
    "prioritizedReplay",
    "optimizeMemoryUsage",
  ] as const) {
    check.bool(key);
  }
}
