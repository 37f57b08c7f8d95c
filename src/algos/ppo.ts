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
 *       g = grad L, clipped to global norm maxGradNorm (null: not clipped);  Adam(eps 1e-5) step with the annealed learning rate
 *       stop the epochs early when approx KL > 1.5 targetKl
 */

import { configChecks } from "../core/checks.js";
import { log } from "../core/math/index.js";
import { add, clamp, exp, maximum, mean, minimum, mul, mulScalar, neg, square, sub } from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import { InvalidArgumentError } from "../errors.js";
import { Adam } from "../nn/optim/adam.js";
import {
  type Action,
  type ActionOf,
  checkScheduled,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type Scheduled,
  type StaticSide,
  scheduleValue,
} from "./common/algorithm.js";
import { normalizeInPlace } from "./common/normalize-advantages.js";
import { checkLossCoefficients, OnPolicyAlgorithm, type OnPolicyConfig, onPolicyDefaults } from "./common/on-policy.js";
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
  /** global gradient-norm clip (null: none, so a JSON config can switch it off) */
  maxGradNorm: number | null;
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

/** The minibatch's inputs to the PPO loss, each [B] (the stored rollout quantities as tensors). */
export interface PPOLossInputs {
  logProb: Tensor;
  oldLogProb: Tensor;
  advantages: Tensor;
  values: Tensor;
  oldValues: Tensor;
  returns: Tensor;
  entropy: Tensor;
}

/** The PPO loss of one minibatch as tape expressions, and its parts. */
export interface PPOLoss {
  loss: Tensor;
  policyLoss: Tensor;
  valueLoss: Tensor;
  entropy: Tensor;
  /** r = pi(a|s) / pi_old(a|s), [B] */
  ratio: Tensor;
}

/**
 *   r      = exp(log pi(a|s) - log pi_old(a|s))
 *   L_clip = -mean( min(r A, clip(r, 1 - eps, 1 + eps) A) )
 *   L_vf   = mean( (V - R)^2 )  or, clipped, mean( max((V - R)^2, (V_old + clip(V - V_old, -c, c) - R)^2) )
 *   L      = L_clip + vfCoef L_vf - entCoef mean(H)
 */
export function ppoLoss(
  x: PPOLossInputs,
  clipRange: number,
  clipRangeVf: number | null,
  vfCoef: number,
  entCoef: number,
): PPOLoss {
  const ratio = exp(sub(x.logProb, x.oldLogProb));
  const policyLoss = neg(
    mean(minimum(mul(ratio, x.advantages), mul(clamp(ratio, 1 - clipRange, 1 + clipRange), x.advantages))),
  );
  let valueError = square(sub(x.values, x.returns));
  if (clipRangeVf !== null) {
    const clipped = add(x.oldValues, clamp(sub(x.values, x.oldValues), -clipRangeVf, clipRangeVf));
    valueError = maximum(valueError, square(sub(clipped, x.returns)));
  }
  const valueLoss = mean(valueError);
  const entropy = mean(x.entropy);
  const loss = sub(add(policyLoss, mulScalar(valueLoss, vfCoef)), mulScalar(entropy, entCoef));
  return { loss, policyLoss, valueLoss, entropy, ratio };
}

export class PPOModel<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<PPOConfig, O, A> {
  static override readonly algorithmName: string = "PPO";
  static override readonly configKeys: readonly string[] = Object.keys(ppoDefaults);
  private readonly mb: Minibatch;

  constructor(env: EnvInput<O, A>, config: Partial<PPOConfig> = {}) {
    super(env, { ...ppoDefaults, ...config });
    const c = this.config;
    const check = configChecks(this.algoName, c);
    check.int("batchSize", 1);
    check.int("nEpochs", 1);
    checkScheduled(check.name("clipRange"), c.clipRange, 0);
    if (c.clipRangeVf !== null) checkScheduled(check.name("clipRangeVf"), c.clipRangeVf, 0);
    checkLossCoefficients(this.algoName, c, true);
    check.range("adamEps", 0, Infinity, "(]");
    check.bool("normalizeAdvantage");
    if (c.targetKl !== null && !(typeof c.targetKl === "number" && c.targetKl > 0)) {
      check.fail("targetKl", "null or a number > 0");
    }
    this.optimizer = new Adam(this.policy.parameters(), { lr: this.currentLearningRate(), eps: c.adamEps });
    this.mb = new Minibatch(c.batchSize, this.obsDim, this.policy.actDim, this.buffer.actionDtype);
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
    const { buffer, mb, optimizer } = this;
    const progress = this.progressRemaining;
    optimizer.lr = this.currentLearningRate();
    const clipRange = scheduleValue(c.clipRange, progress);
    const clipRangeVf = c.clipRangeVf === null ? null : scheduleValue(c.clipRangeVf, progress);
    const sums = { pg: 0, vf: 0, ent: 0, kl: 0, clip: 0, norm: 0 };
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
        const r = this.minibatchUpdate(mb, n, clipRange, clipRangeVf);
        lastKl = r.approxKl;
        continueTraining = r.stepped;
        if (!r.stepped) break;
        sums.norm += r.gradNorm;
        sums.pg += r.policyLoss;
        sums.vf += r.valueLoss;
        sums.ent += r.entropy;
        sums.kl += r.approxKl;
        sums.clip += r.clipFraction;
        updates++;
      }
      if (continueTraining) epochsDone++;
    }
    const log = this.logger;
    const k = Math.max(updates, 1);
    log.record("train/policy_gradient_loss", sums.pg / k);
    log.record("train/value_loss", sums.vf / k);
    log.record("train/entropy_loss", -sums.ent / k);
    log.record("train/approx_kl", updates > 0 ? sums.kl / k : lastKl);
    log.record("train/clip_fraction", sums.clip / k);
    log.record("train/grad_norm", sums.norm / k);
    log.record("train/learning_rate", optimizer.lr);
    log.record("train/clip_range", clipRange);
    log.record("train/n_updates", updates);
    log.record("train/epochs", epochsDone);
    this.recordCommon();
  }

  /**
   * One gradient step on the first `n` rows of a gathered minibatch (advantages already normalized when asked):
   * the loss of `ppoLoss`, backward(), the global-norm clip and Adam. With targetKl set, a minibatch whose approx KL
   * exceeds 1.5 targetKl is not stepped on (`stepped` false). bench:core times this method.
   */
  minibatchUpdate(mb: Minibatch, n: number, clipRange: number, clipRangeVf: number | null): MinibatchStats {
    const c = this.config;
    const policy = this.policy;
    const engine = policy.engine;
    return engine.scope(() => {
      const rows = (a: Float64Array) => engine.tensor(n === a.length ? a : a.subarray(0, n), [n]);
      const obs = policy.observations(mb.observations, n);
      const { values, logProb, entropy } = policy.evaluateActions(obs, mb.actions, this.lossMasks(mb.actionMasks, n));
      const l = ppoLoss(
        {
          logProb,
          oldLogProb: rows(mb.logProbs),
          advantages: rows(mb.advantages),
          values,
          oldValues: rows(mb.values),
          returns: rows(mb.returns),
          entropy,
        },
        clipRange,
        clipRangeVf,
        c.vfCoef,
        c.entCoef,
      );
      // approx KL(pi_old || pi) by the unbiased, always non-negative estimator (r - 1) - log r (Schulman 2020),
      // and the fraction of rows the clip bound
      const ratio = l.ratio.data();
      let kl = 0;
      let clipped = 0;
      for (let b = 0; b < n; b++) {
        kl += ratio[b] - 1 - log(ratio[b]);
        if (Math.abs(ratio[b] - 1) > clipRange) clipped++;
      }
      const stats = {
        stepped: false,
        approxKl: kl / n,
        clipFraction: clipped / n,
        gradNorm: 0,
        policyLoss: 0,
        valueLoss: 0,
        entropy: 0,
      };
      if (c.targetKl !== null && stats.approxKl > 1.5 * c.targetKl) return stats;
      stats.gradNorm = this.gradientStep(l.loss, c.maxGradNorm ?? Infinity);
      stats.stepped = true;
      stats.policyLoss = l.policyLoss.item();
      stats.valueLoss = l.valueLoss.item();
      stats.entropy = l.entropy.item();
      return stats;
    });
  }
}

/** What one minibatch update measured. */
export interface MinibatchStats {
  /** false when the approx-KL early stop skipped the step */
  stepped: boolean;
  approxKl: number;
  clipFraction: number;
  gradNorm: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
}

/** A PPO model over an env with observations `O` and actions `A`. */
export type PPO<O = unknown, A extends Action = Action> = PPOModel<O, A>;
/** PPO on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const PPO = PPOModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: Partial<PPOConfig> & EnvIdOptions,
  ): PPO<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof PPOModel>;

registerAlgorithm(PPO);
