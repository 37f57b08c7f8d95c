/**
 * Proximal Policy Optimization (Schulman et al. 2017, "Proximal Policy Optimization Algorithms"), clipped
 * surrogate variant, with the implementation details of Huang et al. 2022 ("The 37 Implementation Details of
 * PPO") as named options; docs/ppo-details.md maps each detail to its option and default.
 *
 *   for iteration = 1, 2, ...
 *     collect nSteps x nEnvs transitions with pi_old; advantages A by GAE(gamma, lambda), returns R = A + V_old
 *     for epoch = 1..nEpochs, for each shuffled minibatch of batchSize:
 *       r = pi(a|s) / pi_old(a|s)
 *       L_clip = -mean( min(r A, clip(r, 1 - eps, 1 + eps) A) )            (A normalized per minibatch)
 *       L_vf   = mean( (V - R)^2 )  or, clipped, mean( max((V - R)^2, (V_old + clip(V - V_old, -c, c) - R)^2) )
 *       L      = L_clip + vfCoef L_vf - entCoef mean(H)
 *       g = grad L, clipped to global norm maxGradNorm;  Adam(eps 1e-5) step with the annealed learning rate
 *       stop the epochs early when approx KL > 1.5 targetKl
 */

import { describe, InvalidArgumentError } from "../errors.js";
import {
  type Action,
  checkScheduled,
  type EnvInput,
  registerAlgorithm,
  type Scheduled,
  scheduleValue,
} from "./common/algorithm.js";
import { normalizeInPlace } from "./common/normalize-advantages.js";
import {
  checkInt,
  checkLossCoefficients,
  checkRange,
  OnPolicyAlgorithm,
  type OnPolicyConfig,
  onPolicyDefaults,
} from "./common/on-policy.js";
import { Minibatch } from "./common/rollout-buffer.js";

export interface PPOConfig extends OnPolicyConfig {
  /** minibatch size; nSteps * nEnvs should be a multiple of it (a smaller last minibatch is used otherwise) */
  batchSize: number;
  nEpochs: number;
  /** epsilon of the clipped surrogate (may anneal linearly) */
  clipRange: Scheduled;
  /** clip of the value update around V_old (null: no value clipping, SB3's default) */
  clipRangeVf: Scheduled | null;
  /** normalize advantages to zero mean, unit std within each minibatch */
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
  /** global gradient-norm clip (Infinity: none) */
  maxGradNorm: number;
  /** stop the update's epochs once approx KL exceeds 1.5 targetKl (null: never) */
  targetKl: number | null;
  /** Adam's epsilon (1e-5, as in OpenAI baselines and SB3, instead of PyTorch's 1e-8) */
  adamEps: number;
}

export const ppoDefaults: PPOConfig = {
  ...onPolicyDefaults,
  learningRate: 3e-4,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: null,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  adamEps: 1e-5,
};

/** Losses of one minibatch, and their gradients w.r.t. each row's log-prob and value (scaled by 1/B). */
export interface PPOMinibatchLoss {
  policyLoss: number;
  valueLoss: number;
  approxKl: number;
  clipFraction: number;
}

/**
 * The clipped-surrogate and value losses of one minibatch and d(L_clip + vfCoef L_vf)/d log pi_b and /d V_b,
 * written into gLogProb and gValue. `advantages` must already be normalized if that option is on.
 *   d/d log pi_b of -min(r A, clip(r) A) / B = -r_b A_b / B where the unclipped term is the minimum, else 0.
 */
export function ppoLossAndGrads(
  batch: number,
  logProb: ArrayLike<number>,
  oldLogProb: ArrayLike<number>,
  advantages: ArrayLike<number>,
  values: ArrayLike<number>,
  oldValues: ArrayLike<number>,
  returns: ArrayLike<number>,
  clipRange: number,
  clipRangeVf: number | null,
  vfCoef: number,
  gLogProb: Float64Array,
  gValue: Float64Array,
): PPOMinibatchLoss {
  let policyLoss = 0;
  let valueLoss = 0;
  let approxKl = 0;
  let clipped = 0;
  for (let b = 0; b < batch; b++) {
    const logRatio = logProb[b] - oldLogProb[b];
    const ratio = Math.exp(logRatio);
    const a = advantages[b];
    const clippedRatio = Math.min(Math.max(ratio, 1 - clipRange), 1 + clipRange);
    const unclippedObj = ratio * a;
    const clippedObj = clippedRatio * a;
    policyLoss -= Math.min(unclippedObj, clippedObj);
    gLogProb[b] = unclippedObj <= clippedObj ? (-ratio * a) / batch : 0;
    // approx KL(pi_old || pi) by the unbiased, always non-negative estimator (r - 1) - log r (Schulman 2020)
    approxKl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > clipRange) clipped++;
    const err = values[b] - returns[b];
    if (clipRangeVf === null) {
      valueLoss += err * err;
      gValue[b] = (vfCoef * 2 * err) / batch;
    } else {
      const delta = values[b] - oldValues[b];
      const vClipped = oldValues[b] + Math.min(Math.max(delta, -clipRangeVf), clipRangeVf);
      const errClipped = vClipped - returns[b];
      if (err * err >= errClipped * errClipped) {
        valueLoss += err * err;
        gValue[b] = (vfCoef * 2 * err) / batch;
      } else {
        valueLoss += errClipped * errClipped;
        const inside = delta > -clipRangeVf && delta < clipRangeVf;
        gValue[b] = inside ? (vfCoef * 2 * errClipped) / batch : 0;
      }
    }
  }
  return {
    policyLoss: policyLoss / batch,
    valueLoss: valueLoss / batch,
    approxKl: approxKl / batch,
    clipFraction: clipped / batch,
  };
}

export class PPO<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<PPOConfig, O, A> {
  static override readonly algorithmName: string = "PPO";
  static override readonly configKeys: readonly string[] = Object.keys(ppoDefaults);
  private readonly mb: Minibatch;
  private readonly gLogProb: Float64Array;
  private readonly gValue: Float64Array;

  constructor(env: EnvInput<O, A>, config: Partial<PPOConfig> = {}) {
    super(env, { ...ppoDefaults, ...config });
    const c = this.config;
    checkInt("batchSize", c.batchSize, 1);
    checkInt("nEpochs", c.nEpochs, 1);
    checkScheduled("clipRange", c.clipRange, 0);
    if (c.clipRangeVf !== null) checkScheduled("clipRangeVf", c.clipRangeVf, 0);
    checkLossCoefficients(c);
    checkRange("adamEps", c.adamEps, 1e-300, Infinity);
    if (c.targetKl !== null && !(typeof c.targetKl === "number" && c.targetKl > 0)) {
      throw new InvalidArgumentError(`targetKl must be null or a number > 0, got ${describe(c.targetKl)}`);
    }
    // Adam over the policy's arena copy of the parameters (the numeric core's fused kernel)
    this.optimizers = [this.makeOptimizer("adam", 0, this.policy.numParams, c.adamEps)];
    this.mb = new Minibatch(c.batchSize, this.obsDim, this.policy.actDim);
    this.gLogProb = new Float64Array(c.batchSize);
    this.gValue = new Float64Array(c.batchSize);
  }

  override checkLearnable(): void {
    if (this.config.batchSize > this.buffer.size) {
      throw new InvalidArgumentError(
        `batchSize must be at most nSteps * nEnvs = ${this.buffer.size}, got ${this.config.batchSize}`,
      );
    }
  }

  protected train(): void {
    const c = this.config;
    const { policy, buffer, mb } = this;
    const optimizer = this.optimizers[0];
    const progress = this.progressRemaining;
    optimizer.lr = this.currentLearningRate();
    const clipRange = scheduleValue(c.clipRange, progress);
    const clipRangeVf = c.clipRangeVf === null ? null : scheduleValue(c.clipRangeVf, progress);
    let pgSum = 0;
    let vfSum = 0;
    let entSum = 0;
    let klSum = 0;
    let clipSum = 0;
    let normSum = 0;
    let updates = 0;
    let lastKl = 0;
    let continueTraining = true;
    let epochsDone = 0;
    for (let epoch = 0; epoch < c.nEpochs && continueTraining; epoch++) {
      buffer.shuffle(this.rng);
      for (let start = 0; start < buffer.size; start += c.batchSize) {
        const n = Math.min(c.batchSize, buffer.size - start);
        buffer.gather(start, n, mb);
        if (c.normalizeAdvantage) normalizeInPlace(mb.advantages, n);
        const values = policy.forward(mb.observations, n);
        const logProb = policy.logProb(mb.actions);
        const entropy = policy.entropy();
        const gLogProb = n === c.batchSize ? this.gLogProb : this.gLogProb.subarray(0, n);
        const gValue = n === c.batchSize ? this.gValue : this.gValue.subarray(0, n);
        const loss = ppoLossAndGrads(
          n,
          logProb,
          mb.logProbs,
          mb.advantages,
          values,
          mb.values,
          mb.returns,
          clipRange,
          clipRangeVf,
          c.vfCoef,
          gLogProb,
          gValue,
        );
        lastKl = loss.approxKl;
        if (c.targetKl !== null && loss.approxKl > 1.5 * c.targetKl) {
          continueTraining = false;
          break;
        }
        let ent = 0;
        for (let b = 0; b < n; b++) ent += entropy[b];
        ent /= n;
        // L = L_clip + vfCoef L_vf - entCoef mean(H): d/dH_b = -entCoef / B. The gradient, its clip and the Adam
        // step stay in the policy's arena (float32 WebAssembly kernels, or float64 with the "ts" kernels).
        normSum += policy.arenaGradientStep(mb.actions, gLogProb, -c.entCoef / n, gValue, optimizer, c.maxGradNorm);
        pgSum += loss.policyLoss;
        vfSum += loss.valueLoss;
        entSum += ent;
        klSum += loss.approxKl;
        clipSum += loss.clipFraction;
        updates++;
      }
      if (continueTraining) epochsDone++;
    }
    const log = this.logger;
    const k = Math.max(updates, 1);
    log.record("train/policy_gradient_loss", pgSum / k);
    log.record("train/value_loss", vfSum / k);
    log.record("train/entropy_loss", -entSum / k);
    log.record("train/approx_kl", updates > 0 ? klSum / k : lastKl);
    log.record("train/clip_fraction", clipSum / k);
    log.record("train/grad_norm", normSum / k);
    log.record("train/learning_rate", optimizer.lr);
    log.record("train/clip_range", clipRange);
    log.record("train/n_updates", updates);
    log.record("train/epochs", epochsDone);
    this.recordCommon();
  }
}

registerAlgorithm(PPO);
