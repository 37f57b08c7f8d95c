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

import { describe, InvalidArgumentError } from "../errors.js";
import { type Action, type EnvInput, registerAlgorithm } from "./common/algorithm.js";
import {
  checkLossCoefficients,
  checkRange,
  OnPolicyAlgorithm,
  type OnPolicyConfig,
  onPolicyDefaults,
} from "./common/on-policy.js";
import { WholeRolloutStep } from "./common/one-step-update.js";

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

export class A2C<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<A2CConfig, O, A> {
  static override readonly algorithmName: string = "A2C";
  static override readonly configKeys: readonly string[] = Object.keys(a2cDefaults);
  private readonly step: WholeRolloutStep;

  constructor(env: EnvInput<O, A>, config: Partial<A2CConfig> = {}) {
    super(env, { ...a2cDefaults, ...config });
    const c = this.config;
    checkLossCoefficients(c);
    checkRange("optimizerEps", c.optimizerEps, 1e-300, Infinity);
    if (!["rmsprop", "rmsprop-tf", "adam"].includes(c.optimizer)) {
      throw new InvalidArgumentError(
        `optimizer must be "rmsprop", "rmsprop-tf" or "adam", got ${describe(c.optimizer)}`,
      );
    }
    this.optimizers = [this.makeOptimizer(c.optimizer, 0, this.policy.numParams, c.optimizerEps)];
    this.step = new WholeRolloutStep(this.buffer.size);
  }

  protected train(): void {
    const c = this.config;
    const { policy, buffer, step } = this;
    const optimizer = this.optimizers[0];
    optimizer.lr = this.currentLearningRate();
    const { n, adv, values, logProb, entropy } = step.evaluate(policy, buffer, c.normalizeAdvantage);
    let pg = 0;
    let vl = 0;
    let ent = 0;
    for (let i = 0; i < n; i++) {
      pg -= adv[i] * logProb[i];
      const err = values[i] - buffer.returns[i];
      vl += err * err;
      ent += entropy[i];
      // dL/dlog pi_i = -A_i / n ;  dL/dV_i = vfCoef * 2 (V_i - R_i) / n
      step.gLogProb[i] = -adv[i] / n;
      step.gValue[i] = (c.vfCoef * 2 * err) / n;
    }
    const gradNorm = step.apply(policy, buffer, optimizer, -c.entCoef / n, true, c.maxGradNorm);
    this.recordStepDiagnostics(step.oldLogProb);
    const log = this.logger;
    log.record("train/policy_loss", pg / n);
    log.record("train/value_loss", vl / n);
    log.record("train/entropy_loss", -ent / n);
    log.record("train/grad_norm", gradNorm);
    log.record("train/learning_rate", optimizer.lr);
    log.record("train/n_updates", optimizer.stepCount);
    this.recordCommon();
  }
}

registerAlgorithm(A2C);
