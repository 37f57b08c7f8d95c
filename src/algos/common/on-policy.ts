import { checkRange, configChecks } from "../../core/checks.js";
import type { KernelPreference } from "../../core/kernels/index.js";
import { exp } from "../../core/math/index.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { CheckpointError, describe, InvalidArgumentError, NonFiniteError } from "../../errors.js";
import { clipGradNorm } from "../../nn/clip-grad.js";
import type { Activation } from "../../nn/mlp.js";
import type { Optimizer } from "../../nn/optim/optimizer.js";
import { EnvActionMasks } from "./action-masks.js";
import {
  type ActionSpec,
  type ActOptions,
  ActorCriticPolicy,
  type NetArch,
  type PolicyActions,
  type PolicyOptions,
} from "./actor-critic-policy.js";
import {
  type Action,
  Algorithm,
  type AlgorithmState,
  type BaseConfig,
  checkScheduled,
  type EnvInput,
  type Scheduled,
  scheduleValue,
} from "./algorithm.js";
import type { StateTensor } from "./checkpoint.js";
import { RolloutBuffer } from "./rollout-buffer.js";
import type { LeafSpaceInfo } from "./space-info.js";
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
  /** check every op's output and gradient for NaN/Infinity, naming the op that made one (slower; for debugging) */
  checkFinite: boolean;
  /**
   * Use the env's action masks when it provides them (sb3-contrib's MaskablePPO): `info.action_mask` of each
   * sub-env, or an `actionMasks()` method of the (vector) env returning [numEnvs, n] 0/1 values. Masked actions are
   * never taken, and the losses use the masked distribution. Discrete and MultiDiscrete actions. Default true.
   */
  useActionMasks: boolean;
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
  checkFinite: false,
  useActionMasks: true,
};

const POLICY_KWARGS = ["netArch", "activation", "orthoInit", "logStdInit", "kernels", "squashOutput"];

/**
 * What PPO, A2C, TRPO and REINFORCE share (SB3's OnPolicyAlgorithm): the actor-critic policy, the rollout buffer,
 * the normalizers, batched acting over the vector env, one guarded gradient step, and explicit state.
 * `collectRollout` runs `nSteps` steps of every env: act on the (normalized) observations with one batched forward
 * pass, step, store; a truncated episode stores V(final observation) for its bootstrap; then advantages by GAE.
 * Subclasses set `optimizer` and write `train()`.
 */
export abstract class OnPolicyAlgorithm<
  C extends OnPolicyConfig,
  O = unknown,
  A extends Action = Action,
> extends Algorithm<C, O, A> {
  readonly policy: ActorCriticPolicy;
  readonly buffer: RolloutBuffer;
  readonly normalizer: VecNormalize;
  /** the optimizer of the gradient steps (its parameters: all of the policy's, or the critic's for TRPO) */
  protected optimizer!: Optimizer;
  /** normalized current observations [numEnvs, obsDim] */
  private readonly curObs: Float32Array;
  private readonly actions: PolicyActions;
  private readonly envActions: PolicyActions;
  private readonly rewards: Float64Array;
  private readonly stepValues: Float64Array;
  private readonly stepLogProbs: Float64Array;
  private readonly finalRow: Float32Array;
  private readonly act: () => void;
  /** whether the rollout in the buffer was collected under masks (the losses then use them) */
  protected rolloutMasked = false;
  private readonly actOptions: ActOptions;
  private startTime = 0;
  private startSteps = 0;

  constructor(env: EnvInput<O, A>, config: C) {
    super(env, config);
    const c = this.config;
    const check = configChecks(this.algoName, c);
    checkScheduled(check.name("learningRate"), c.learningRate, 0);
    check.int("nSteps", 1);
    if (c.nSteps * this.numEnvs > 2 ** 28) {
      throw new InvalidArgumentError(
        `${this.algoName}: config.nSteps * nEnvs must be at most 2^28 rows, got ${c.nSteps} * ${this.numEnvs}`,
      );
    }
    check.range("gamma", 0, 1);
    check.range("gaeLambda", 0, 1);
    check.range("clipObs", 0, Infinity, "(]");
    check.range("clipReward", 0, Infinity, "(]");
    for (const key of ["normalizeObs", "normalizeReward", "useSde", "checkFinite", "useActionMasks"] as const) {
      check.bool(key);
    }
    const spec = actionSpecOf(this.actInfo);
    const pk = c.policyKwargs ?? {};
    if (pk === null || typeof pk !== "object" || Array.isArray(pk)) {
      throw new InvalidArgumentError(`policyKwargs must be an object, got ${describe(pk)}`);
    }
    for (const key of Object.keys(pk)) {
      if (!POLICY_KWARGS.includes(key)) {
        throw new InvalidArgumentError(
          `policyKwargs: unknown option ${JSON.stringify(key)}; expected one of ${POLICY_KWARGS.join(", ")}`,
        );
      }
    }
    if (!Number.isInteger(c.sdeSampleFreq) || (c.sdeSampleFreq < 1 && c.sdeSampleFreq !== -1)) {
      check.fail("sdeSampleFreq", "-1 or an integer >= 1");
    }
    const opts: PolicyOptions = { ...pk, useSde: c.useSde, checkFinite: c.checkFinite, threads: this.threads };
    this.policy = new ActorCriticPolicy(this.obsInfo, spec, this.rng, opts);
    this.threadsNote = this.policy.engine.threadsNote;
    const discrete = spec.kind === "categorical";
    const maskDim = discrete && c.useActionMasks ? this.policy.headSize : 0;
    this.buffer = new RolloutBuffer(
      c.nSteps,
      this.numEnvs,
      this.obsDim,
      this.policy.actDim,
      discrete ? "int32" : "float32",
      maskDim,
    );
    if (maskDim > 0) this.envMasks = new EnvActionMasks(this.numEnvs, maskDim, this.algoName);
    this.normalizer = new VecNormalize(this.obsDim, this.numEnvs, {
      normalizeObs: c.normalizeObs,
      normalizeReward: c.normalizeReward,
      clipObs: c.clipObs,
      clipReward: c.clipReward,
      gamma: c.gamma,
      epsilon: 1e-8,
    });
    const n = this.numEnvs;
    this.curObs = new Float32Array(n * this.obsDim);
    this.actions = this.policy.makeActions(n);
    this.envActions = this.policy.makeActions(n);
    this.rewards = new Float64Array(n);
    this.stepValues = new Float64Array(n);
    this.stepLogProbs = new Float64Array(n);
    this.finalRow = new Float32Array(this.obsDim);
    this.actOptions = { explore: c.useSde, actionMasks: null };
    // one batched forward pass on the current observations: actions, V(s) and log pi(a|s) copied out of the scope
    this.act = () => {
      const policy = this.policy;
      const obs = policy.observations(this.curObs, n);
      this.actOptions.actionMasks = this.envMasks?.current ?? null;
      const r = policy.forward(obs, this.rng, this.actions, this.actOptions);
      // read straight from the arena: data()'s views would be garbage made on every env step
      const v = policy.engine.arena.view;
      const values = r.values.live();
      const logProb = r.logProb.live();
      for (let e = 0; e < n; e++) {
        this.stepValues[e] = v[values + e];
        this.stepLogProbs[e] = v[logProb + e];
      }
    };
  }

  /** Current learning rate from its schedule (progress remaining 1 -> 0). */
  protected currentLearningRate(): number {
    return scheduleValue(this.config.learningRate, this.progressRemaining);
  }

  /** Run `fn` in a scope of the policy's engine (its temporaries freed on return) without recording ops. */
  protected inference<T>(fn: () => T): T {
    return this.policy.engine.noGradScope(fn);
  }

  /** V(s) of `count` normalized observations, into `out`. */
  protected values(obs: Float32Array, count: number, out: Float64Array): Float64Array {
    return this.inference(() => {
      const policy = this.policy;
      out.set(policy.predictValues(policy.observations(obs, count)).data());
      return out;
    });
  }

  /**
   * One gradient step on `loss` (a scalar of the current scope): backward, clip the global gradient norm of the
   * optimizer's parameters to `maxGradNorm` (Infinity: no clip), optimizer step. A non-finite loss or gradient
   * stops training with a NonFiniteError naming it, before the parameters change, so they keep their last good
   * values (what a save then writes). Returns the gradient norm before clipping.
   */
  protected gradientStep(loss: Tensor, maxGradNorm: number): number {
    const value = loss.item();
    const where = `${this.algoName} update ${this.optimizer.stepCount + 1} (step ${this.numTimesteps})`;
    if (!Number.isFinite(value)) {
      throw new NonFiniteError(`${where}: the loss is ${value}; the parameters keep their last finite values`);
    }
    const optimizer = this.optimizer;
    optimizer.zeroGrad();
    this.policy.engine.backward(loss);
    // clip_grad_norm_ returns the norm before clipping; Number.MAX_VALUE never scales a finite gradient
    const norm = clipGradNorm(optimizer.params, Number.isFinite(maxGradNorm) ? maxGradNorm : Number.MAX_VALUE);
    if (!Number.isFinite(norm)) {
      throw new NonFiniteError(`${where}: the gradient norm is ${norm}; the parameters keep their last finite values`);
    }
    optimizer.step();
    return norm;
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
    this.readMasks();
    this.rolloutMasked = this.envMasks?.valid ?? false;
    const { useSde, sdeSampleFreq } = this.config;
    if (useSde) policy.resetExploration(this.rng, numEnvs);
    while (!buffer.full) {
      if (useSde && sdeSampleFreq > 0 && buffer.pos > 0 && buffer.pos % sdeSampleFreq === 0) {
        policy.resetExploration(this.rng, numEnvs);
      }
      const obs = normalizer.normalizeObs(lastObs, numEnvs, this.curObs);
      this.inference(this.act);
      // store unclipped actions; the env gets them clipped (or squashed) to its Box, or shifted by a Discrete's start
      policy.toEnvActions(this.actions, numEnvs, this.envActions);
      const r = this.envStep(this.envActions);
      normalizer.updateObs(r.observations, numEnvs);
      const rewards = normalizer.normalizeRewards(r.rewards, r.terminated, r.truncated, this.rewards);
      buffer.add(
        obs,
        this.actions,
        this.stepLogProbs,
        this.stepValues,
        rewards,
        r.terminated,
        r.truncated,
        this.envMasks?.values ?? null,
      );
      this.readMasks();
      for (let e = 0; e < numEnvs; e++) {
        if (r.truncated[e] && !r.terminated[e]) {
          // bootstrap a time-limit cut from V(final observation) (Pardo et al. 2018)
          for (let j = 0; j < obsDim; j++) this.finalRow[j] = r.finalObservations[e * obsDim + j];
          normalizer.normalizeObs(this.finalRow, 1, this.finalRow);
          buffer.setTruncatedValue(e, this.values(this.finalRow, 1, this.rewards.subarray(0, 1))[0]);
        }
      }
      if (this.stopRequested) return;
    }
    const nextObs = normalizer.normalizeObs(lastObs, numEnvs, this.curObs);
    this.computeTargets(this.values(nextObs, numEnvs, this.stepValues));
  }

  /** Advantages and value targets once the buffer is full (GAE; REINFORCE overrides with reward-to-go). */
  protected computeTargets(lastValues: Float64Array): void {
    this.buffer.computeAdvantages(lastValues, this.config.gamma, this.config.gaeLambda);
  }

  /** The action masks the losses must use for the first `rows` rows of `masks` (null when none were in force). */
  protected lossMasks(masks: Uint8Array | null, rows: number): Uint8Array | null {
    if (!this.rolloutMasked || masks === null) return null;
    const n = rows * this.buffer.maskDim;
    return masks.length === n ? masks : masks.subarray(0, n);
  }

  /**
   * The whole rollout through the policy (A2C and REINFORCE's one step): V(s), log pi(a|s) and H, tensors of the
   * caller's engine scope; the log-probs before the step are also copied into `oldLogProb` (the step-size gauge).
   */
  protected evaluateRollout(oldLogProb: Float64Array): { values: Tensor; logProb: Tensor; entropy: Tensor } {
    const { policy, buffer } = this;
    const n = buffer.size;
    const obs = policy.observations(buffer.observations, n);
    const r = policy.evaluateActions(obs, buffer.actions, this.lossMasks(buffer.actionMasks, n));
    oldLogProb.set(r.logProb.data());
    return r;
  }

  /** log pi(a|s) of every stored transition under the current policy, into `out`. */
  protected bufferLogProbs(out: Float64Array): Float64Array {
    const b = this.buffer;
    return this.inference(() => {
      const policy = this.policy;
      const obs = policy.observations(b.observations, b.size);
      out.set(policy.logProb(obs, b.actions, this.lossMasks(b.actionMasks, b.size)).data());
      return out;
    });
  }

  /**
   * Log how far a whole-rollout update (A2C, REINFORCE, TRPO) moved the policy, from the pre-update log-probs in
   * `oldLogProb`, r = pi_new / pi_old over the buffer: train/approx_kl = mean((r - 1) - log r) (Schulman's
   * estimator of KL(pi_old || pi_new)) and train/clip_fraction = the share of rows with |r - 1| > 0.2, the fraction
   * PPO's default clip range would have clipped (these algorithms clip nothing; it gauges the step's size).
   */
  protected recordStepDiagnostics(oldLogProb: Float64Array, scratch: Float64Array): void {
    const b = this.buffer;
    const lp = this.bufferLogProbs(scratch);
    let kl = 0;
    let clipped = 0;
    for (let i = 0; i < b.size; i++) {
      const logRatio = lp[i] - oldLogProb[i];
      const ratio = exp(logRatio);
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
      const r = b.returns[i] - mr;
      const d = b.returns[i] - b.values[i] - md;
      vr += r * r;
      vd += d * d;
    }
    this.logger.record("train/explained_variance", vr === 0 ? Number.NaN : 1 - vd / vr);
    const logStd = this.policy.logStd;
    if (logStd !== null && this.policy.sdeLatent === 0) {
      const ls = logStd.data();
      let sum = 0;
      for (let j = 0; j < ls.length; j++) sum += exp(ls[j]);
      this.logger.record("train/std", sum / ls.length);
    }
    const elapsed = (performance.now() - this.startTime) / 1000;
    if (elapsed > 0) this.logger.record("time/fps", Math.round((this.numTimesteps - this.startSteps) / elapsed));
  }

  protected policyActions(
    observations: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
    actionMasks: Uint8Array | null,
  ): Int32Array | Float32Array {
    const policy = this.policy;
    const obs = this.normalizer.normalizeObs(observations, count, new Float32Array(count * this.obsDim));
    const actions = policy.makeActions(count);
    this.inference(() => policy.forward(policy.observations(obs, count), rng, actions, { deterministic, actionMasks }));
    // Box: unclipped (predict clips), or squashed into the bounds in place
    if (policy.spec.kind === "gaussian") {
      return policy.options.squashOutput ? policy.toEnvActions(actions, count, actions) : actions;
    }
    return policy.toEnvActions(actions, count, actions);
  }

  /** Checkpoint tensor name of each optimizer state buffer ("<param index>.<name>" -> "optimizer.<param>.<name>"). */
  private optimizerTensorNames(): Map<string, string> {
    const names = new Map(this.policy.namedParameters().map(([name, t]) => [t, name]));
    const out = new Map<string, string>();
    for (const key of Object.keys(this.optimizer.stateTensors())) {
      const dot = key.indexOf(".");
      const param = this.optimizer.params[Number(key.slice(0, dot))];
      out.set(key, `optimizer.policy.${names.get(param)}.${key.slice(dot + 1)}`);
    }
    return out;
  }

  protected getAlgorithmState(): AlgorithmState {
    const tensors: AlgorithmState["tensors"] = {};
    const put = (name: string, t: Tensor) => {
      const data = t.data().slice();
      tensors[name] =
        data instanceof Float64Array
          ? { dtype: "F64", shape: [...t.shape], data }
          : { dtype: "F32", shape: [...t.shape], data };
    };
    for (const [name, t] of this.policy.namedParameters()) put(`policy.${name}`, t);
    const state = this.optimizer.stateTensors();
    for (const [key, name] of this.optimizerTensorNames()) put(name, state[key]);
    return {
      tensors,
      json: {
        actionMasks: this.envMasks?.toJSON() ?? null,
        normalizer: this.normalizer.getState(),
        optimizerSteps: this.optimizer.stepCount,
        ...this.extraState(),
      },
    };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    // format 1 stored one count per optimizer: [n]
    const raw = state.json.optimizerSteps;
    const steps = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (!Number.isSafeInteger(steps) || (steps as number) < 0) {
      throw new InvalidArgumentError(`state optimizerSteps must be a step count, got ${describe(steps)}`);
    }
    for (const [name, t] of Object.entries(state.tensors)) {
      if (!Array.from(t.data as Float32Array).every(Number.isFinite)) {
        throw new InvalidArgumentError(`state tensor ${name} holds a non-finite value`);
      }
    }
    this.normalizer.setState(state.json.normalizer as VecNormalizeState);
    this.setExtraState(state.json);
    for (const [name, t] of this.policy.namedParameters()) t.set(state.tensors[`policy.${name}`].data as Float32Array);
    const buffers = this.optimizer.stateTensors();
    for (const [key, name] of this.optimizerTensorNames()) buffers[key].set(state.tensors[name].data as Float32Array);
    this.optimizer.stepCount = steps as number;
    this.envMasks?.restore(state.json.actionMasks);
  }

  /**
   * A format-1 checkpoint held the policy as ONE flat vector `policy/params` (shared trunk, actor, log-std, critic,
   * each layer's weight [out, in] then bias: the order of `parameters()`) and the optimizer's moments as flat vectors
   * over its block. Split them into today's named tensors, so those files still load.
   */
  protected override upgradeCheckpointTensors(tensors: Record<string, StateTensor>): Record<string, StateTensor> {
    const flat = tensors["policy/params"];
    if (flat === undefined) return tensors;
    const out: Record<string, StateTensor> = {};
    for (const [name, t] of Object.entries(tensors))
      if (!name.startsWith("policy/") && !name.startsWith("optimizer/")) out[name] = t;
    const dtype = this.policy.engine.dtype === "float64" ? "F64" : "F32";
    const split = (src: StateTensor | undefined, params: ReadonlyArray<readonly [string, Tensor]>, what: string) => {
      const total = params.reduce((n, [, t]) => n + t.size, 0);
      if (src === undefined || src.data.length !== total) {
        throw new CheckpointError(
          `format-1 checkpoint: ${what} must hold ${total} values for this policy, got ${src === undefined ? "none" : src.data.length}`,
        );
      }
      let off = 0;
      const res: StateTensor[] = [];
      for (const [, t] of params) {
        const part = src.data.subarray(off, off + t.size) as Float64Array;
        off += t.size;
        res.push(
          dtype === "F64"
            ? { dtype, shape: [...t.shape], data: Float64Array.from(part) }
            : { dtype, shape: [...t.shape], data: Float32Array.from(part) },
        );
      }
      return res;
    };
    const named = this.policy.namedParameters();
    split(flat, named, "policy/params").forEach((t, i) => {
      out[`policy.${named[i][0]}`] = t;
    });
    const byTensor = new Map(named.map(([n, t]) => [t, n]));
    const optNamed = this.optimizer.params.map((t) => [byTensor.get(t) as string, t] as const);
    const stateNames = [...new Set(Object.keys(this.optimizer.stateTensors()).map((k) => k.slice(k.indexOf(".") + 1)))];
    // format 1 named Adam's moments m, v and RMSprop's square average v
    const legacy: Record<string, string> = { exp_avg: "m", exp_avg_sq: "v", square_avg: "v" };
    for (const s of stateNames) {
      const old = `optimizer/0/${legacy[s]}`;
      split(tensors[old], optNamed, old).forEach((t, i) => {
        out[`optimizer.policy.${optNamed[i][0]}.${s}`] = t;
      });
    }
    return out;
  }

  /** Algorithm-specific JSON state (e.g. REINFORCE's episode step counters); override both to add some. */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  protected setExtraState(_json: Record<string, unknown>): void {}
}

/** The policy head the action space calls for: Categorical(s) for Discrete and MultiDiscrete, DiagGaussian for Box. */
function actionSpecOf(act: LeafSpaceInfo): ActionSpec {
  switch (act.kind) {
    case "discrete":
      return { kind: "categorical", nvec: [act.n], start: [act.start] };
    case "multi-discrete":
      return { kind: "categorical", nvec: act.nvec, start: act.start };
    case "box":
      return { kind: "gaussian", dim: act.dim, low: act.low, high: act.high };
  }
}

/**
 * The coefficients of the actor-critic losses (A2C, PPO, REINFORCE): entropy, value, global grad-norm clip
 * (null, no clipping, only where `clipOptional`).
 */
export function checkLossCoefficients(
  owner: string,
  c: { entCoef: number; vfCoef: number; maxGradNorm: number | null },
  clipOptional = false,
): void {
  const check = configChecks(owner, c);
  check.range("entCoef", -Infinity, Infinity);
  check.range("vfCoef", 0, Infinity);
  if (clipOptional && c.maxGradNorm === null) return;
  const note = clipOptional ? " (null: no clipping)" : "";
  checkRange(`${check.name("maxGradNorm")}${note}`, c.maxGradNorm, 0, Infinity);
}
