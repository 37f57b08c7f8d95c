/**
 * REINFORCE with a learned baseline (Williams 1992; Sutton and Barto 2018, section 13.4):
 *
 *   G_k = sum_{j >= k} gamma^{j-k} r_j                       (reward-to-go, cut at the episode's end)
 *   grad J ~ mean_k  grad log pi(a_k|s_k) * w_k * (G_k - b(s_k)),   w_k = gamma^k if `discountWeighting` else 1
 *   b(s) = V_phi(s), fitted by regression to G:  min mean (V_phi(s_k) - G_k)^2
 *
 * With `baseline: false`, b = 0 (plain REINFORCE), to show the variance the baseline removes.
 * Rollouts are nSteps per env; an episode still running at the rollout's end has no Monte-Carlo return yet:
 * with the baseline its tail is bootstrapped from V(s_T) (as every on-policy method here does); without it the
 * tail is left out of that update (weight 0), so the estimate uses only returns that were observed.
 */

import { configChecks } from "../core/checks.js";
import { pow } from "../core/math/index.js";
import { add, mean, mul, mulScalar, neg, square, sub, sum } from "../core/ops.js";
import { InvalidArgumentError } from "../errors.js";
import { Adam } from "../nn/optim/adam.js";
import {
  type Action,
  type ActionOf,
  type AnyEnv,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type StaticSide,
} from "./common/algorithm.js";
import { normalizeInPlace } from "./common/normalize-advantages.js";
import { checkLossCoefficients, OnPolicyAlgorithm, type OnPolicyConfig, onPolicyDefaults } from "./common/on-policy.js";

export interface ReinforceConfig extends OnPolicyConfig {
  /** learn V(s) and subtract it from the return (default true) */
  baseline: boolean;
  /** weight step k of an episode by gamma^k, the exact gradient of the discounted objective (default false, as
   * most implementations: with it, late steps of long episodes barely learn) */
  discountWeighting: boolean;
  /** standardize (G - b) over the batch (default false) */
  normalizeAdvantage: boolean;
  /** weight of the baseline's regression loss */
  vfCoef: number;
  entCoef: number;
  /** global gradient-norm clip (null: none, the plain algorithm) */
  maxGradNorm: number | null;
}

export const reinforceDefaults: ReinforceConfig = {
  ...onPolicyDefaults,
  learningRate: 1e-3,
  nSteps: 1000,
  gaeLambda: 1,
  baseline: true,
  discountWeighting: false,
  normalizeAdvantage: false,
  vfCoef: 0.5,
  entCoef: 0,
  maxGradNorm: null,
};

export class REINFORCEModel<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<ReinforceConfig, O, A> {
  static override readonly algorithmName: string = "REINFORCE";
  static override readonly configKeys: readonly string[] = Object.keys(reinforceDefaults);
  /** log pi_old(a|s) of the rollout (before the step) and after it, for the step-size diagnostics */
  private readonly oldLogProb: Float64Array;
  private readonly newLogProb: Float64Array;
  /** weight of each row in the policy gradient: w_k, or 0 for an unfinished tail without baseline */
  private readonly weights: Float64Array;
  /** step index k within the current episode of each env (episodes span rollouts) */
  private readonly episodeStep: Int32Array;
  private readonly zeros: Float64Array;

  constructor(env: EnvInput<O, A>, config: Partial<ReinforceConfig> = {}) {
    super(env, { ...reinforceDefaults, ...config });
    const c = this.config;
    checkLossCoefficients(this.algoName, c, true);
    const check = configChecks(this.algoName, c);
    for (const key of ["baseline", "discountWeighting", "normalizeAdvantage"] as const) check.bool(key);
    this.optimizer = new Adam(this.policy.parameters(), { lr: this.currentLearningRate(), eps: 1e-8 });
    const n = this.buffer.size;
    this.oldLogProb = new Float64Array(n);
    this.newLogProb = new Float64Array(n);
    this.weights = new Float64Array(n);
    this.episodeStep = new Int32Array(this.numEnvs);
    this.zeros = new Float64Array(this.numEnvs);
  }

  protected override computeTargets(lastValues: Float64Array): void {
    const c = this.config;
    const b = this.buffer;
    // G_k: reward-to-go; truncated episodes bootstrap from V(final obs) as stored (0 without baseline)
    if (!c.baseline) b.truncatedValues.fill(0);
    b.computeRewardToGo(c.baseline ? lastValues : this.zeros, c.gamma);
    const { nSteps, nEnvs } = b;
    for (let e = 0; e < nEnvs; e++) {
      let lastEnd = -1;
      for (let t = 0; t < nSteps; t++) {
        const i = t * nEnvs + e;
        this.weights[i] = c.discountWeighting ? pow(c.gamma, this.episodeStep[e]) : 1;
        if (b.terminated[i] || b.truncated[i]) {
          this.episodeStep[e] = 0;
          lastEnd = t;
        } else {
          this.episodeStep[e]++;
        }
      }
      if (!c.baseline) for (let t = lastEnd + 1; t < nSteps; t++) this.weights[t * nEnvs + e] = 0;
    }
    // advantages G - b(s) (b = 0 without baseline)
    for (let i = 0; i < b.size; i++) b.advantages[i] = b.returns[i] - (c.baseline ? b.values[i] : 0);
  }

  protected train(): void {
    const c = this.config;
    const { buffer, optimizer } = this;
    const engine = this.policy.engine;
    optimizer.lr = this.currentLearningRate();
    const n = buffer.size;
    if (c.normalizeAdvantage) normalizeInPlace(buffer.advantages, n);
    let used = 0;
    for (let i = 0; i < n; i++) if (this.weights[i] !== 0) used++;
    const stats = engine.scope(() => {
      const { values, logProb, entropy } = this.evaluateRollout(this.oldLogProb);
      // L = -sum_i w_i (G_i - b_i) log pi_i / N_used  (+ vfCoef mean (V - G)^2 with the baseline) - entCoef mean(H)
      const weighted = mul(engine.tensor(this.weights, [n]), engine.tensor(buffer.advantages, [n]));
      const policyLoss = mulScalar(neg(sum(mul(weighted, logProb))), 1 / Math.max(used, 1));
      const valueLoss = mean(square(sub(values, engine.tensor(buffer.returns, [n]))));
      const ent = mean(entropy);
      let loss = sub(policyLoss, mulScalar(ent, c.entCoef));
      if (c.baseline) loss = add(loss, mulScalar(valueLoss, c.vfCoef));
      const gradNorm = this.gradientStep(loss, c.maxGradNorm ?? Infinity);
      return { pg: policyLoss.item(), vl: valueLoss.item(), ent: ent.item(), gradNorm };
    });
    this.recordStepDiagnostics(this.oldLogProb, this.newLogProb);
    const log = this.logger;
    log.record("train/policy_loss", stats.pg);
    if (c.baseline) log.record("train/value_loss", stats.vl);
    log.record("train/entropy_loss", -stats.ent);
    log.record("train/grad_norm", stats.gradNorm);
    log.record("train/learning_rate", optimizer.lr);
    log.record("train/used_fraction", used / n);
    this.recordCommon();
  }

  protected override extraState(): Record<string, unknown> {
    return { episodeStep: Array.from(this.episodeStep) };
  }

  protected override setExtraState(json: Record<string, unknown>): void {
    const s = json.episodeStep;
    if (!Array.isArray(s) || s.length !== this.numEnvs || !s.every((k) => Number.isInteger(k) && k >= 0)) {
      throw new InvalidArgumentError(`REINFORCE state episodeStep must be ${this.numEnvs} non-negative integers`);
    }
    this.episodeStep.set(s);
  }
}

/** A REINFORCE model over an env with observations `O` and actions `A`. */
export type REINFORCE<O = unknown, A extends Action = Action> = REINFORCEModel<O, A>;
/** REINFORCE on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const REINFORCE = REINFORCEModel as unknown as {
  new <E extends EnvInput = AnyEnv>(
    env: E,
    config?: Partial<ReinforceConfig>,
  ): REINFORCE<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof REINFORCEModel>;

registerAlgorithm(REINFORCE);
