/**
 * Trust Region Policy Optimization (Schulman et al. 2015), as SB3-contrib's TRPO:
 *
 *   maximize_theta  L(theta) = mean( pi_theta(a|s) / pi_old(a|s) * A )   s.t.  mean KL(pi_old || pi_theta) <= delta
 *
 *   g = grad L at theta_old                                  (the policy gradient)
 *   x = F^-1 g by conjugate gradient, F v = exact Fisher-vector product (+ damping v)
 *   beta = sqrt(2 delta / x^T F x)                           (largest step on the quadratic KL model)
 *   backtracking: theta = theta_old + shrink^k beta x, accepted only if L improves AND the true KL <= delta
 *   critic: nCriticUpdates epochs of Adam minibatch steps on mean((V - R)^2)
 *
 * With `lineSearch: false` the full step beta x is taken: the natural policy gradient (Kakade 2001) with the
 * step size set by the KL bound.
 */

import { InvalidArgumentError } from "../errors.js";
import { type Action, type EnvInput, registerAlgorithm } from "./common/algorithm.js";
import { normalizeInPlace } from "./common/normalize-advantages.js";
import { checkInt, checkRange, OnPolicyAlgorithm, type OnPolicyConfig, onPolicyDefaults } from "./common/on-policy.js";
import { Minibatch } from "./common/rollout-buffer.js";

export interface TRPOConfig extends OnPolicyConfig {
  /** critic minibatch size */
  batchSize: number;
  /** the KL bound delta */
  targetKl: number;
  cgMaxSteps: number;
  cgDamping: number;
  lineSearch: boolean;
  lineSearchShrinkingFactor: number;
  lineSearchMaxIter: number;
  nCriticUpdates: number;
  normalizeAdvantage: boolean;
}

export const trpoDefaults: TRPOConfig = {
  ...onPolicyDefaults,
  learningRate: 1e-3,
  nSteps: 2048,
  batchSize: 128,
  gaeLambda: 0.95,
  targetKl: 0.01,
  cgMaxSteps: 15,
  cgDamping: 0.1,
  lineSearch: true,
  lineSearchShrinkingFactor: 0.8,
  lineSearchMaxIter: 10,
  nCriticUpdates: 10,
  normalizeAdvantage: true,
  policyKwargs: {},
};

/**
 * Conjugate gradient for A x = b with A symmetric positive definite given as a product `av(v, out)`;
 * starts from x = 0 and stops after maxSteps or when the residual's squared norm falls below `tol`.
 * Returns x (written into `x`).
 */
export function conjugateGradient(
  av: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  x: Float64Array,
  maxSteps: number,
  tol = 1e-10,
): Float64Array {
  const n = b.length;
  const r = Float64Array.from(b); // r = b - A x with x = 0
  const p = Float64Array.from(b);
  const ap = new Float64Array(n);
  x.fill(0);
  let rr = dot(r, r);
  for (let k = 0; k < maxSteps && rr > tol; k++) {
    av(p, ap);
    const alpha = rr / dot(p, ap);
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
  }
  return x;
}

/**
 * Backtracking line search: try fractions 1, shrink, shrink^2, ... of the full step; `evaluate(frac)` sets the
 * parameters to theta_old + frac * step and returns the surrogate and the mean KL there. Returns the accepted
 * fraction, or 0 when no fraction improved the surrogate within the KL bound (the caller then restores theta_old).
 */
export function backtrackingLineSearch(
  evaluate: (fraction: number) => { objective: number; kl: number },
  baseObjective: number,
  maxKl: number,
  shrink: number,
  maxIter: number,
): { fraction: number; objective: number; kl: number } {
  let fraction = 1;
  for (let k = 0; k < maxIter; k++) {
    const { objective, kl } = evaluate(fraction);
    if (kl <= maxKl && objective > baseObjective) return { fraction, objective, kl };
    fraction *= shrink;
  }
  return { fraction: 0, objective: baseObjective, kl: 0 };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export class TRPO<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<TRPOConfig, O, A> {
  static override readonly algorithmName: string = "TRPO";
  static override readonly configKeys: readonly string[] = Object.keys(trpoDefaults);
  private readonly mb: Minibatch;
  private readonly gValue: Float64Array;
  private readonly oldDist: Float64Array;
  private readonly oldLogProb: Float64Array;
  private readonly gLogProb: Float64Array;
  private readonly oldParams: Float64Array;
  private readonly gradient: Float64Array;
  private readonly direction: Float64Array;
  private readonly fvpOut: Float64Array;

  constructor(env: EnvInput<O, A>, config: Partial<TRPOConfig> = {}) {
    super(env, { ...trpoDefaults, ...config });
    const c = this.config;
    if (this.policy.shared !== null) {
      throw new InvalidArgumentError("TRPO needs separate actor and critic networks: policyKwargs.netArch { pi, vf }");
    }
    checkInt("batchSize", c.batchSize, 1);
    checkInt("cgMaxSteps", c.cgMaxSteps, 1);
    checkInt("lineSearchMaxIter", c.lineSearchMaxIter, 1);
    checkInt("nCriticUpdates", c.nCriticUpdates, 0);
    checkRange("targetKl", c.targetKl, 1e-300, Infinity);
    checkRange("cgDamping", c.cgDamping, 0, Infinity);
    checkRange("lineSearchShrinkingFactor", c.lineSearchShrinkingFactor, 1e-6, 1 - 1e-6);
    const p = this.policy;
    // the critic's own Adam over the value-network block [actorSize, numParams)
    this.optimizers = [this.makeOptimizer("adam", p.actorSize, p.numParams, 1e-8)];
    const n = this.buffer.size;
    const mbSize = Math.min(c.batchSize, n);
    this.mb = new Minibatch(mbSize, this.obsDim, p.actDim);
    this.gValue = new Float64Array(mbSize);
    this.oldDist = new Float64Array(n * p.distributionSize);
    this.oldLogProb = new Float64Array(n);
    this.gLogProb = new Float64Array(n);
    this.oldParams = new Float64Array(p.actorSize);
    this.gradient = new Float64Array(p.actorSize);
    this.direction = new Float64Array(p.actorSize);
    this.fvpOut = new Float64Array(p.actorSize);
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
    const { policy, buffer } = this;
    const n = buffer.size;
    const adv = buffer.advantages;
    if (c.normalizeAdvantage) normalizeInPlace(adv, n);

    // policy gradient g = grad mean(r A) at theta_old = mean(A grad log pi)
    policy.forward(buffer.observations, n);
    policy.copyDistribution(this.oldDist);
    this.oldLogProb.set(policy.logProb(buffer.actions));
    for (let i = 0; i < n; i++) this.gLogProb[i] = adv[i] / n;
    policy.grads.fill(0);
    policy.backward(buffer.actions, this.gLogProb, 0, null);
    const g = this.gradient;
    for (let i = 0; i < policy.actorSize; i++) g[i] = policy.grads[i];

    // natural gradient direction x = F^-1 g (the last forward at theta_old defines F)
    const x = conjugateGradient(
      (v, out) => policy.fisherVectorProduct(v, out, c.cgDamping),
      g,
      this.direction,
      c.cgMaxSteps,
    );
    policy.fisherVectorProduct(x, this.fvpOut, c.cgDamping);
    const xFx = dot(x, this.fvpOut);
    const beta = xFx > 0 ? Math.sqrt((2 * c.targetKl) / xFx) : 0;

    this.oldParams.set(policy.params.subarray(0, policy.actorSize));
    const evaluate = (fraction: number) => {
      for (let i = 0; i < policy.actorSize; i++) policy.params[i] = this.oldParams[i] + fraction * beta * x[i];
      policy.markParamsChanged();
      policy.forward(buffer.observations, n);
      const lp = policy.logProb(buffer.actions);
      let objective = 0;
      for (let i = 0; i < n; i++) objective += Math.exp(lp[i] - this.oldLogProb[i]) * adv[i];
      return { objective: objective / n, kl: policy.meanKl(this.oldDist) };
    };
    let baseObjective = 0;
    for (let i = 0; i < n; i++) baseObjective += adv[i];
    baseObjective /= n; // r = 1 at theta_old
    let result: { fraction: number; objective: number; kl: number };
    if (c.lineSearch) {
      result = backtrackingLineSearch(
        evaluate,
        baseObjective,
        c.targetKl,
        c.lineSearchShrinkingFactor,
        c.lineSearchMaxIter,
      );
      if (result.fraction === 0) {
        policy.params.set(this.oldParams); // no acceptable step: keep theta_old
        policy.markParamsChanged();
      }
    } else {
      result = { fraction: 1, ...evaluate(1) };
    }

    // critic: several epochs of minibatch Adam steps on mean((V - R)^2)
    const optimizer = this.optimizers[0];
    optimizer.lr = this.currentLearningRate();
    const mb = this.mb;
    let vl = 0;
    let steps = 0;
    for (let epoch = 0; epoch < c.nCriticUpdates; epoch++) {
      buffer.shuffle(this.rng);
      for (let start = 0; start + mb.capacity <= n; start += mb.capacity) {
        const b = mb.capacity;
        buffer.gather(start, b, mb);
        const v = policy.predictValues(mb.observations, b);
        let loss = 0;
        for (let i = 0; i < b; i++) {
          const err = v[i] - mb.returns[i];
          loss += err * err;
          this.gValue[i] = (2 * err) / b;
        }
        // the critic's Adam steps stay in the policy's arena (its block only; the actor's step above is float64)
        policy.zeroArenaGrads();
        policy.backwardValue(this.gValue, b);
        optimizer.step();
        policy.markArenaParamsChanged();
        vl += loss / b;
        steps++;
      }
    }
    this.recordStepDiagnostics(this.oldLogProb);
    const log = this.logger;
    log.record("train/policy_objective", result.objective);
    log.record("train/kl_divergence_loss", result.kl);
    log.record("train/is_line_search_success", result.fraction > 0 ? 1 : 0);
    log.record("train/step_fraction", result.fraction);
    log.record("train/value_loss", steps > 0 ? vl / steps : 0);
    log.record("train/grad_norm", Math.sqrt(dot(g, g)));
    log.record("train/learning_rate", optimizer.lr);
    this.recordCommon();
  }
}

registerAlgorithm(TRPO);
