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

import { configChecks } from "../core/checks.js";
import { exp } from "../core/math/index.js";
import { mean, mul, square, sub } from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import { Categorical } from "../distributions/categorical.js";
import { DiagGaussian } from "../distributions/diag-gaussian.js";
import { GsdeDistribution } from "../distributions/gsde.js";
import { MultiCategorical } from "../distributions/multi-categorical.js";
import { InvalidArgumentError } from "../errors.js";
import { type FisherHead, fisherVectorProduct } from "../nn/fisher-vector-product.js";
import { zeroGrad } from "../nn/module.js";
import { Adam } from "../nn/optim/adam.js";
import { type ActionDistribution, logProbOf } from "./common/actor-critic-policy.js";
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
import { OnPolicyAlgorithm, type OnPolicyConfig, onPolicyDefaults } from "./common/on-policy.js";
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

/** Copy the parameters' values (or, with `grads`, their gradients) into one flat vector, in order. */
function readFlat(params: readonly Tensor[], out: Float64Array, grads = false): Float64Array {
  let off = 0;
  for (const p of params) {
    out.set((grads ? (p.grad as Tensor) : p).data(), off);
    off += p.size;
  }
  return out;
}

/** Set the parameters to theta_old + scale * direction (flat vectors in `params` order). */
function writeFlat(params: readonly Tensor[], old: Float64Array, scale: number, direction: Float64Array): void {
  let off = 0;
  for (const p of params) {
    const v = p.data();
    for (let i = 0; i < p.size; i++) v[i] = old[off + i] + scale * direction[off + i];
    off += p.size;
  }
}

export class TRPOModel<O = unknown, A extends Action = Action> extends OnPolicyAlgorithm<TRPOConfig, O, A> {
  static override readonly algorithmName: string = "TRPO";
  static override readonly configKeys: readonly string[] = Object.keys(trpoDefaults);
  private readonly mb: Minibatch;
  private readonly actor: Tensor[];
  private readonly head: FisherHead;
  private readonly oldLogProb: Float64Array;
  private readonly newLogProb: Float64Array;
  private readonly oldParams: Float64Array;
  private readonly gradient: Float64Array;
  private readonly direction: Float64Array;
  private readonly fvpOut: Float64Array;

  constructor(env: EnvInput<O, A>, config: Partial<TRPOConfig> = {}) {
    super(env, { ...trpoDefaults, ...config });
    const c = this.config;
    const p = this.policy;
    if (p.shared !== null) {
      throw new InvalidArgumentError("TRPO needs separate actor and critic networks: policyKwargs.netArch { pi, vf }");
    }
    if (p.sdeLatent > 0 && p.options.squashOutput) {
      throw new InvalidArgumentError(
        "TRPO with useSde takes unsquashed Gaussian actions (its Fisher product has no tanh form): set policyKwargs.squashOutput false",
      );
    }
    const check = configChecks(this.algoName, c);
    check.int("batchSize", 1);
    check.int("cgMaxSteps", 1);
    check.int("lineSearchMaxIter", 1);
    check.int("nCriticUpdates", 0);
    check.range("targetKl", 0, Infinity, "(]");
    check.range("cgDamping", 0, Infinity);
    check.range("lineSearchShrinkingFactor", 0, 1, "()");
    check.bool("lineSearch");
    check.bool("normalizeAdvantage");
    // the critic's own Adam; the actor moves by the natural-gradient step
    this.optimizer = new Adam(p.criticParameters(), { lr: this.currentLearningRate(), eps: 1e-8 });
    this.actor = p.actorParameters();
    const spec = p.spec;
    this.head =
      spec.kind === "categorical"
        ? { kind: "categorical", nvec: spec.nvec }
        : { kind: "gaussian", logStd: p.logStd as Tensor };
    const n = this.buffer.size;
    const actorSize = this.actor.reduce((k, t) => k + t.size, 0);
    this.mb = new Minibatch(Math.min(c.batchSize, n), this.obsDim, p.actDim, this.buffer.actionDtype);
    this.oldLogProb = new Float64Array(n);
    this.newLogProb = new Float64Array(n);
    this.oldParams = new Float64Array(actorSize);
    this.gradient = new Float64Array(actorSize);
    this.direction = new Float64Array(actorSize);
    this.fvpOut = new Float64Array(actorSize);
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
    const { policy, buffer, actor } = this;
    const engine = policy.engine;
    const n = buffer.size;
    const adv = buffer.advantages;
    if (this.rolloutMasked) {
      throw new InvalidArgumentError(
        "TRPO's Fisher-vector product does not take action masks: create it with useActionMasks: false for this env",
      );
    }
    if (c.normalizeAdvantage) normalizeInPlace(adv, n);

    const result = engine.scope(() => {
      const obs = policy.observations(buffer.observations, n);
      const advantages = engine.tensor(adv, [n]);
      // policy gradient g = grad mean(r A) at theta_old = grad mean(A log pi)
      const oldDist = policy.distribution(obs);
      const logProb = logProbOf(oldDist, buffer.actions);
      this.oldLogProb.set(logProb.data());
      zeroGrad(actor);
      engine.backward(mean(mul(advantages, logProb)));
      const g = readFlat(actor, this.gradient, true);
      const old = engine.noGrad(() => detached(oldDist));

      // natural gradient direction x = F^-1 g, F the exact Fisher matrix at theta_old (gSDE: its variance's
      // features phi(s) at theta_old, detached as in the distribution)
      const head: FisherHead =
        policy.gsde === null
          ? this.head
          : {
              kind: "gsde",
              logStd: policy.logStd as Tensor,
              latent: engine.noGrad(() => policy.pi.hidden(obs).data()),
            };
      const fvp = (v: Float64Array, out: Float64Array) =>
        fisherVectorProduct(policy.pi, head, obs, v, { damping: c.cgDamping, out });
      const x = conjugateGradient(fvp, g, this.direction, c.cgMaxSteps);
      const xFx = dot(x, fvp(x, this.fvpOut));
      const beta = xFx > 0 ? Math.sqrt((2 * c.targetKl) / xFx) : 0;

      readFlat(actor, this.oldParams);
      const evaluate = (fraction: number) => {
        writeFlat(actor, this.oldParams, fraction * beta, x);
        return engine.scope(() =>
          engine.noGrad(() => {
            const dist = policy.distribution(obs);
            const lp = logProbOf(dist, buffer.actions).data();
            let objective = 0;
            for (let i = 0; i < n; i++) objective += exp(lp[i] - this.oldLogProb[i]) * adv[i];
            return { objective: objective / n, kl: mean(klOf(old, dist)).item() };
          }),
        );
      };
      let baseObjective = 0;
      for (let i = 0; i < n; i++) baseObjective += adv[i];
      baseObjective /= n; // r = 1 at theta_old
      if (!c.lineSearch) return { fraction: 1, ...evaluate(1), gradNorm: Math.sqrt(dot(g, g)) };
      const r = backtrackingLineSearch(
        evaluate,
        baseObjective,
        c.targetKl,
        c.lineSearchShrinkingFactor,
        c.lineSearchMaxIter,
      );
      if (r.fraction === 0) writeFlat(actor, this.oldParams, 0, x); // no acceptable step: keep theta_old
      return { ...r, gradNorm: Math.sqrt(dot(g, g)) };
    });

    // critic: several epochs of minibatch Adam steps on mean((V - R)^2)
    const optimizer = this.optimizer;
    optimizer.lr = this.currentLearningRate();
    const mb = this.mb;
    let vl = 0;
    let steps = 0;
    for (let epoch = 0; epoch < c.nCriticUpdates; epoch++) {
      buffer.shuffle(this.rng);
      for (let start = 0; start + mb.capacity <= n; start += mb.capacity) {
        const b = mb.capacity;
        buffer.gather(start, b, mb);
        vl += engine.scope(() => {
          const values = policy.predictValues(policy.observations(mb.observations, b));
          const loss = mean(square(sub(values, engine.tensor(mb.returns, [b]))));
          this.gradientStep(loss, Infinity);
          return loss.item();
        });
        steps++;
      }
    }
    this.recordStepDiagnostics(this.oldLogProb, this.newLogProb);
    const log = this.logger;
    log.record("train/policy_objective", result.objective);
    log.record("train/kl_divergence_loss", result.kl);
    log.record("train/is_line_search_success", result.fraction > 0 ? 1 : 0);
    log.record("train/step_fraction", result.fraction);
    log.record("train/value_loss", steps > 0 ? vl / steps : 0);
    log.record("train/grad_norm", result.gradNorm);
    log.record("train/learning_rate", optimizer.lr);
    this.recordCommon();
  }
}

/** pi_old: a copy with no tape history, fixed while the line search moves theta (gSDE: its Gaussian). */
type OldDistribution = Categorical | MultiCategorical | DiagGaussian;

function detached(d: ActionDistribution): OldDistribution {
  const copy = (t: Tensor) => t.engine.tensor(t.data(), t.shape);
  if (d instanceof Categorical || d instanceof MultiCategorical) {
    const c = d instanceof Categorical ? new Categorical(copy(d.logits)) : new MultiCategorical(copy(d.logits), d.nvec);
    // probabilities cached now, in this scope: the line search's inner scopes must not make (and free) the cache
    for (const dim of c instanceof Categorical ? [c] : c.dims) dim.probs();
    return c;
  }
  const g = d instanceof GsdeDistribution ? (d.inner as DiagGaussian) : d; // squashed gSDE is refused
  return new DiagGaussian(copy(g.mean), copy(g.logStd));
}

/** KL(old || current), [B]. */
function klOf(old: OldDistribution, current: ActionDistribution): Tensor {
  if (old instanceof Categorical) return old.kl(current as Categorical);
  if (old instanceof MultiCategorical) return old.kl(current as MultiCategorical);
  return old.kl((current instanceof GsdeDistribution ? current.inner : current) as DiagGaussian);
}

/** A TRPO model over an env with observations `O` and actions `A`. */
export type TRPO<O = unknown, A extends Action = Action> = TRPOModel<O, A>;
/** TRPO on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const TRPO = TRPOModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: Partial<TRPOConfig> & EnvIdOptions,
  ): TRPO<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof TRPOModel>;

registerAlgorithm(TRPO);
