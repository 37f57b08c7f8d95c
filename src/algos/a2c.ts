/**
 * Advantage Actor-Critic, synchronous (A2C; Mnih et al. 2016's A3C without the asynchrony, as in OpenAI
 * baselines and SB3): every iteration collects nSteps steps of each of the nEnvs envs, then takes ONE gradient
 * step on the whole batch.
 *
 *   A_t = GAE(gamma, lambda); lambda = 1 (the default) is the n-step return bootstrapped at the rollout end:
 *         A_t = r_t + gamma r_{t+1} + ... + gamma^{n-1} r_{t+n-1} + gamma^n V(s_{t+n}) - V(s_t)
 *   L   = -mean(A_t log pi(a_t|s_t)) + vfCoef mean((V(s_t) - R_t)^2) - entCoef mean(H(pi(.|s_t)))
 *   g = grad L clipped to global norm maxGradNorm;  RMSprop (alpha 0.99, eps 1e-5) or Adam step
 */

import { configChecks } from "../core/checks.js";
import { add, mean, mul, mulScalar, neg, square, sub } from "../core/ops.js";
import { Adam } from "../nn/optim/adam.js";
import { RMSprop } from "../nn/optim/rmsprop.js";
import { checkChoice } from "./common/actor-critic-policy.js";
import {
  type Action,
  type ActionOf,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type StaticSide,
} from "./common/algorithm.js";
import { normalizeInPlace } from "./common/normalize-advantages.js";
import { checkLossCoefficients, OnPolicyAlgorithm, type OnPolicyConfig, onPolicyDefaults } from "./common/on-policy.js";

export interface A2CConfig extends OnPolicyConfig {
  entCoef: number;
  vfCoef: number;
  maxGradNorm: number;
  /** normalize advantages over the batch (off in SB3's A2C) */
  normalizeAdvantage: boolean;
  /** "rmsprop" (PyTorch placement, SB3's default), "rmsprop-tf" (eps inside the sqrt, as TF/baselines), "adam" */
  optimizer: "rmsprop" | "rmsprop-tf" | "adam";
  /** epsilon of the optimizer (SB3: rms_prop_eps 1e-5) */
  optimizerEps: number;
}

export const a2cDefaults: A2CConfig = {
  ...onPolicyDefaults,
  learningRate: 7e-4,
  nSteps: 5,
  gaeLambda: 1,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  normalizeAdvantage: false,
  optimizer: "rmsprop",
  optimizerEps: 1e-5,
};

export class A2CModel<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<A2CConfig, O, A> {
  static override readonly algorithmName: string = "A2C";
  static override readonly configKeys: readonly string[] = Object.keys(a2cDefaults);
  /** log pi_old(a|s) of the rollout (before the step) and after it, for the step-size diagnostics */
  private readonly oldLogProb: Float64Array;
  private readonly newLogProb: Float64Array;

  constructor(env: EnvInput<O, A>, config: Partial<A2CConfig> = {}) {
    super(env, { ...a2cDefaults, ...config });
    const c = this.config;
    const check = configChecks(this.algoName, c);
    checkLossCoefficients(this.algoName, c);
    check.range("optimizerEps", 0, Infinity, "(]");
    checkChoice("optimizer", c.optimizer, ["rmsprop", "rmsprop-tf", "adam"] as const);
    check.bool("normalizeAdvantage");
    const params = this.policy.parameters();
    const lr = this.currentLearningRate();
    this.optimizer =
      c.optimizer === "adam"
        ? new Adam(params, { lr, eps: c.optimizerEps })
        : new RMSprop(params, { lr, alpha: 0.99, eps: c.optimizerEps, epsInsideSqrt: c.optimizer === "rmsprop-tf" });
    this.oldLogProb = new Float64Array(this.buffer.size);
    this.newLogProb = new Float64Array(this.buffer.size);
  }

  protected train(): void {
    const c = this.config;
    const { buffer, optimizer } = this;
    const engine = this.policy.engine;
    optimizer.lr = this.currentLearningRate();
    const n = buffer.size;
    if (c.normalizeAdvantage) normalizeInPlace(buffer.advantages, n);
    const stats = engine.scope(() => {
      const { values, logProb, entropy } = this.evaluateRollout(this.oldLogProb);
      // L = -mean(A log pi(a|s)) + vfCoef mean((V - R)^2) - entCoef mean(H)
      const policyLoss = neg(mean(mul(engine.tensor(buffer.advantages, [n]), logProb)));
      const valueLoss = mean(square(sub(values, engine.tensor(buffer.returns, [n]))));
      const ent = mean(entropy);
      const loss = sub(add(policyLoss, mulScalar(valueLoss, c.vfCoef)), mulScalar(ent, c.entCoef));
      const gradNorm = this.gradientStep(loss, c.maxGradNorm);
      return { pg: policyLoss.item(), vl: valueLoss.item(), ent: ent.item(), gradNorm };
    });
    this.recordStepDiagnostics(this.oldLogProb, this.newLogProb);
    const log = this.logger;
    log.record("train/policy_loss", stats.pg);
    log.record("train/value_loss", stats.vl);
    log.record("train/entropy_loss", -stats.ent);
    log.record("train/grad_norm", stats.gradNorm);
    log.record("train/learning_rate", optimizer.lr);
    log.record("train/n_updates", optimizer.stepCount);
    this.recordCommon();
  }
}

/** A A2C model over an env with observations `O` and actions `A`. */
export type A2C<O = unknown, A extends Action = Action> = A2CModel<O, A>;
/** A2C on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const A2C = A2CModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: Partial<A2CConfig> & EnvIdOptions,
  ): A2C<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof A2CModel>;

registerAlgorithm(A2C);
