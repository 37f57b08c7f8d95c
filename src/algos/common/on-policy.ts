import type { KernelPreference } from "../../core/kernels/index.js";
import type { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import type { Activation } from "../../nn/mlp.js";
import { type ActionSpec, ActorCriticPolicy, type NetArch, type PolicyOptions } from "./actor-critic-policy.js";
import {
  type Action,
  Algorithm,
  type AlgorithmState,
  type BaseConfig,
  checkScheduled,
  type EnvInput,
  type Scheduled,
  type SpaceInfo,
  scheduleValue,
} from "./algorithm.js";
import { type ArenaOptimizer, KernelAdam, KernelRmsprop } from "./arena-optimizer.js";
import { RolloutBuffer } from "./rollout-buffer.js";
import { VecNormalize, type VecNormalizeState } from "./vec-normalize.js";

/** SB3's `policy_kwargs` for the actor-critic MLP policy (plain JSON). */
export interface PolicyKwargs {
  netArch?: NetArch;
  activation?: Activation;
  orthoInit?: boolean;
  logStdInit?: number;
  /** "auto" (WebAssembly SIMD float32), "ts" (float64 reference kernels), or a wasm variant */
  kernels?: KernelPreference;
  /** Box actions squashed into the bounds by tanh instead of clipped (see PolicyOptions.squashOutput) */
  squashOutput?: boolean;
}

/** Options every on-policy algorithm (PPO, A2C, TRPO, REINFORCE) shares; names follow SB3. */
export interface OnPolicyConfig extends BaseConfig {
  learningRate: Scheduled;
  /** steps per env per rollout */
  nSteps: number;
  gamma: number;
  gaeLambda: number;
  /** actor-critic network options */
  policyKwargs: PolicyKwargs;
  /** running-mean/std observation normalization, statistics saved with the model (SB3 VecNormalize norm_obs) */
  normalizeObs: boolean;
  /** reward scaling by the std of a running discounted return (VecNormalize norm_reward) */
  normalizeReward: boolean;
  clipObs: number;
  clipReward: number;
  /** generalized state-dependent exploration for Box actions (see PolicyOptions.useSde) */
  useSde: boolean;
  /** with gSDE, draw new exploration matrices every this many steps (-1: once per rollout) */
  sdeSampleFreq: number;
}

export const onPolicyDefaults: Omit<OnPolicyConfig, "learningRate" | "nSteps" | "gaeLambda"> = {
  seed: 0,
  logInterval: 1,
  gamma: 0.99,
  policyKwargs: {},
  normalizeObs: false,
  normalizeReward: false,
  clipObs: 10,
  clipReward: 10,
  useSde: false,
  sdeSampleFreq: -1,
};

/**
 * What PPO, A2C, TRPO and REINFORCE share (SB3's OnPolicyAlgorithm): the actor-critic policy, the rollout buffer,
 * the normalizers, batched acting over the vector env, and explicit state. `collectRollout` runs `nSteps` steps of
 * every env: act on the (normalized) observations with one batched forward pass, step, store; a truncated episode
 * stores V(final observation) for its bootstrap; then advantages by GAE. Subclasses write `train()`.
 */
export abstract class OnPolicyAlgorithm<
  C extends OnPolicyConfig,
  O = unknown,
  A extends Action = Action,
> extends Algorithm<C, O, A> {
  readonly policy: ActorCriticPolicy;
  readonly buffer: RolloutBuffer;
  readonly normalizer: VecNormalize;
  protected optimizers: ArenaOptimizer[] = [];
  /** normalized current observations [numEnvs, obsDim] */
  private readonly curObs: Float32Array;
  private readonly actions: Float32Array;
  private readonly envActions: Int32Array | Float32Array;
  private readonly rewards: Float64Array;
  private readonly finalRow: Float32Array;
  private startTime = 0;
  private startSteps = 0;

  constructor(env: EnvInput<O, A>, config: C) {
    super(env, config);
    const c = this.config;
    checkScheduled("learningRate", c.learningRate, 0);
    checkInt("nSteps", c.nSteps, 1);
    checkRange("gamma", c.gamma, 0, 1);
    checkRange("gaeLambda", c.gaeLambda, 0, 1);
    checkRange("clipObs", c.clipObs, 1e-12, Infinity);
    checkRange("clipReward", c.clipReward, 1e-12, Infinity);
    const spec = actionSpecOf(this.actInfo);
    const pk = c.policyKwargs ?? {};
    const knownKwargs = ["netArch", "activation", "orthoInit", "logStdInit", "kernels", "squashOutput"];
    for (const key of Object.keys(pk)) {
      if (!knownKwargs.includes(key)) {
        throw new InvalidArgumentError(
          `policyKwargs: unknown option ${JSON.stringify(key)}; expected one of ${knownKwargs.join(", ")}`,
        );
      }
    }
    if (typeof c.useSde !== "boolean")
      throw new InvalidArgumentError(`useSde must be a boolean, got ${describe(c.useSde)}`);
    if (!Number.isInteger(c.sdeSampleFreq) || (c.sdeSampleFreq < 1 && c.sdeSampleFreq !== -1)) {
      throw new InvalidArgumentError(`sdeSampleFreq must be -1 or an integer >= 1, got ${describe(c.sdeSampleFreq)}`);
    }
    const opts: PolicyOptions = { ...pk, useSde: c.useSde };
    this.policy = new ActorCriticPolicy(this.obsDim, spec, this.rng, opts);
    this.buffer = new RolloutBuffer(c.nSteps, this.numEnvs, this.obsDim, this.policy.actDim);
    this.normalizer = new VecNormalize(this.obsDim, this.numEnvs, {
      normalizeObs: c.normalizeObs,
      normalizeReward: c.normalizeReward,
      clipObs: c.clipObs,
      clipReward: c.clipReward,
      gamma: c.gamma,
      epsilon: 1e-8,
    });
    this.curObs = new Float32Array(this.numEnvs * this.obsDim);
    this.actions = new Float32Array(this.numEnvs * this.policy.actDim);
    this.envActions =
      spec.kind === "gaussian" ? new Float32Array(this.actions.length) : new Int32Array(this.actions.length);
    this.rewards = new Float64Array(this.numEnvs);
    this.finalRow = new Float32Array(this.obsDim);
  }

  /** Current learning rate from its schedule (progress remaining 1 -> 0). */
  protected currentLearningRate(): number {
    return scheduleValue(this.config.learningRate, this.progressRemaining);
  }

  protected makeOptimizer(
    kind: "adam" | "rmsprop" | "rmsprop-tf",
    start: number,
    end: number,
    eps: number,
  ): ArenaOptimizer {
    const lr = this.currentLearningRate();
    const { backend, arenaParams, arenaGrads } = this.policy;
    const [param, grad, n] = [arenaParams + start, arenaGrads + start, end - start];
    if (kind === "adam") return new KernelAdam(backend.kernels, param, grad, n, lr, eps);
    return new KernelRmsprop(backend.kernels, param, grad, n, lr, 0.99, eps, kind === "rmsprop-tf");
  }

  /** Fill the rollout buffer with nSteps x numEnvs transitions, then compute advantages and returns. */
  protected collectRollout(): void {
    if (this.startTime === 0 || this.numTimesteps < this.startSteps) {
      this.startTime = performance.now();
      this.startSteps = this.numTimesteps;
    }
    const { policy, buffer, normalizer, numEnvs, obsDim } = this;
    buffer.reset();
    const lastObs = this.lastObs as Float32Array;
    const { useSde, sdeSampleFreq } = this.config;
    if (useSde) policy.resetExploration(this.rng, numEnvs);
    while (!buffer.full) {
      if (useSde && sdeSampleFreq > 0 && buffer.pos > 0 && buffer.pos % sdeSampleFreq === 0) {
        policy.resetExploration(this.rng, numEnvs);
      }
      const obs = normalizer.normalizeObs(lastObs, numEnvs, this.curObs);
      const values = policy.forward(obs, numEnvs);
      const actions = policy.sample(this.rng, this.actions, false, useSde);
      const logProbs = policy.logProb(actions);
      // store unclipped actions; the env gets them clipped (or squashed) to its Box, or shifted by a Discrete's start
      policy.toEnvActions(actions, numEnvs, this.envActions);
      const r = this.envStep(this.envActions);
      normalizer.updateObs(r.observations, numEnvs);
      const rewards = normalizer.normalizeRewards(r.rewards, r.terminated, r.truncated, this.rewards);
      buffer.add(obs, actions, logProbs, values, rewards, r.terminated, r.truncated);
      for (let e = 0; e < numEnvs; e++) {
        if (r.truncated[e] && !r.terminated[e]) {
          // bootstrap a time-limit cut from V(final observation) (Pardo et al. 2018)
          for (let j = 0; j < obsDim; j++) this.finalRow[j] = r.finalObservations[e * obsDim + j];
          normalizer.normalizeObs(this.finalRow, 1, this.finalRow);
          buffer.setTruncatedValue(e, policy.predictValues(this.finalRow, 1)[0]);
        }
      }
      if (this.stopRequested) return;
    }
    const nextObs = normalizer.normalizeObs(lastObs, numEnvs, this.curObs);
    this.computeTargets(policy.predictValues(nextObs, numEnvs));
  }

  /** Advantages and value targets once the buffer is full (GAE; REINFORCE overrides with reward-to-go). */
  protected computeTargets(lastValues: Float64Array): void {
    this.buffer.computeAdvantages(lastValues, this.config.gamma, this.config.gaeLambda);
  }

  /**
   * Log how far a whole-rollout update (A2C, REINFORCE, TRPO) moved the policy, from the pre-update log-probs in
   * `oldLogProb`, r = pi_new / pi_old over the buffer: train/approx_kl = mean((r - 1) - log r) (Schulman's
   * estimator of KL(pi_old || pi_new)) and train/clip_fraction = the share of rows with |r - 1| > 0.2, the fraction
   * PPO's default clip range would have clipped (these algorithms clip nothing; it gauges the step's size).
   */
  protected recordStepDiagnostics(oldLogProb: Float64Array): void {
    const b = this.buffer;
    this.policy.forward(b.observations, b.size);
    const lp = this.policy.logProb(b.actions);
    let kl = 0;
    let clipped = 0;
    for (let i = 0; i < b.size; i++) {
      const logRatio = lp[i] - oldLogProb[i];
      const ratio = Math.exp(logRatio);
      kl += ratio - 1 - logRatio;
      if (Math.abs(ratio - 1) > 0.2) clipped++;
    }
    this.logger.record("train/approx_kl", kl / b.size);
    this.logger.record("train/clip_fraction", clipped / b.size);
  }

  /** Record the diagnostics every on-policy update logs. */
  protected recordCommon(): void {
    const b = this.buffer;
    // explained variance 1 - Var[R - V] / Var[R] over the batch: 1 is a perfect critic, <= 0 no better than a constant
    let mr = 0;
    let md = 0;
    for (let i = 0; i < b.size; i++) {
      mr += b.returns[i];
      md += b.returns[i] - b.values[i];
    }
    mr /= b.size;
    md /= b.size;
    let vr = 0;
    let vd = 0;
    for (let i = 0; i < b.size; i++) {
      vr += (b.returns[i] - mr) ** 2;
      vd += (b.returns[i] - b.values[i] - md) ** 2;
    }
    this.logger.record("train/explained_variance", vr === 0 ? Number.NaN : 1 - vd / vr);
    if (this.policy.logStdOffset >= 0) {
      let s = 0;
      for (let j = 0; j < this.policy.actDim; j++) s += Math.exp(this.policy.params[this.policy.logStdOffset + j]);
      this.logger.record("train/std", s / this.policy.actDim);
    }
    const elapsed = (performance.now() - this.startTime) / 1000;
    if (elapsed > 0) this.logger.record("time/fps", Math.round((this.numTimesteps - this.startSteps) / elapsed));
  }

  protected policyActions(
    observations: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
  ): Int32Array | Float32Array {
    const obs = this.normalizer.normalizeObs(observations, count, new Float32Array(count * this.obsDim));
    this.policy.forward(obs, count);
    const actions = this.policy.sample(rng, new Float32Array(count * this.policy.actDim), deterministic);
    // Box: unclipped (predict clips), or squashed into the bounds in place
    if (this.policy.spec.kind === "gaussian") {
      return this.policy.options.squashOutput
        ? (this.policy.toEnvActions(actions, count, actions) as Float32Array)
        : actions;
    }
    return this.policy.toEnvActions(actions, count, new Int32Array(actions.length)) as Int32Array;
  }

  protected getAlgorithmState(): AlgorithmState {
    const tensors: AlgorithmState["tensors"] = {
      "policy/params": { dtype: "F64", shape: [this.policy.numParams], data: new Float64Array(this.policy.params) },
    };
    const optimizers = this.optimizers;
    optimizers.forEach((opt, k) => {
      for (const [name, arr] of Object.entries(opt.stateArrays())) {
        tensors[`optimizer/${k}/${name}`] = { dtype: "F64", shape: [arr.length], data: new Float64Array(arr) };
      }
    });
    return {
      tensors,
      json: {
        normalizer: this.normalizer.getState(),
        optimizerSteps: optimizers.map((o) => o.stepCount),
        ...this.extraState(),
      },
    };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    const steps = state.json.optimizerSteps;
    const optimizers = this.optimizers;
    if (
      !Array.isArray(steps) ||
      steps.length !== optimizers.length ||
      !steps.every((s) => Number.isInteger(s) && s >= 0)
    ) {
      throw new InvalidArgumentError(
        `state optimizerSteps must be ${optimizers.length} step counts, got ${describe(steps)}`,
      );
    }
    const params = state.tensors["policy/params"].data as Float64Array;
    if (!params.every(Number.isFinite)) throw new InvalidArgumentError("state policy/params holds a non-finite value");
    this.normalizer.setState(state.json.normalizer as VecNormalizeState);
    this.setExtraState(state.json);
    this.policy.params.set(params);
    this.policy.markParamsChanged();
    optimizers.forEach((opt, k) => {
      for (const [name, arr] of Object.entries(opt.stateArrays()))
        arr.set(state.tensors[`optimizer/${k}/${name}`].data as Float64Array);
      opt.stepCount = steps[k];
    });
  }

  /** Algorithm-specific JSON state (e.g. TRPO's none, PPO's none); override both to add some. */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  protected setExtraState(_json: Record<string, unknown>): void {}
}

/** The policy head the action space calls for: Categorical(s) for Discrete and MultiDiscrete, DiagGaussian for Box. */
function actionSpecOf(act: SpaceInfo): ActionSpec {
  switch (act.kind) {
    case "discrete":
      return { kind: "categorical", nvec: [act.n], start: [act.start] };
    case "multi-discrete":
      return { kind: "categorical", nvec: act.nvec, start: act.start };
    case "box":
      return { kind: "gaussian", dim: act.dim, low: act.low, high: act.high };
  }
}

export function checkInt(name: string, v: unknown, min: number): void {
  if (!Number.isInteger(v) || (v as number) < min) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${describe(v)}`);
  }
}

/**
 * The coefficients of the actor-critic losses (A2C, PPO, REINFORCE): entropy, value, global grad-norm clip
 * (null, no clipping, only where `clipOptional`).
 */
export function checkLossCoefficients(
  c: { entCoef: number; vfCoef: number; maxGradNorm: number | null },
  clipOptional = false,
): void {
  checkRange("entCoef", c.entCoef, -Infinity, Infinity);
  checkRange("vfCoef", c.vfCoef, 0, Infinity);
  if (!(clipOptional && c.maxGradNorm === null)) checkRange("maxGradNorm", c.maxGradNorm, 0, Infinity);
}

export function checkRange(name: string, v: unknown, lo: number, hi: number): void {
  if (typeof v !== "number" || Number.isNaN(v) || v < lo || v > hi) {
    const range =
      hi === Infinity ? (lo === -Infinity ? "a number" : `a number >= ${lo}`) : `a number in [${lo}, ${hi}]`;
    throw new InvalidArgumentError(`${name} must be ${range}, got ${describe(v)}`);
  }
}
