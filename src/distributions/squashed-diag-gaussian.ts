import { atanh, tanh as mathTanh } from "../core/math/index.js";
import { addScalar, mulScalar, neg, softplus, sub, sum, tanh } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { DiagGaussian } from "./diag-gaussian.js";

/** Actions are clipped to +-(1 - ACTION_EPS) before atanh, so a saturated action has a finite pre-image. */
const ACTION_EPS = 1e-6;

/**
 * log |d tanh(u) / du| = log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)) elementwise: exact, and finite for
 * every u, where SB3's log(1 - tanh(u)^2 + 1e-6) is biased by the 1e-6 once |u| > ~7.
 */
export function tanhLogDetJacobian(u: Tensor): Tensor {
  return mulScalar(sub(addScalar(neg(u), Math.LN2), softplus(mulScalar(u, -2))), 2);
}

/**
 * a = tanh(u), u ~ N(mu, sigma^2) diagonal: the bounded action distribution of SAC (SB3's
 * SquashedDiagGaussianDistribution). log p(a) = log N(u; mu, sigma^2) - sum_d log(1 - tanh(u_d)^2) (the change of
 * variables). Actions live in (-1, 1); the policy rescales them to the Box's bounds.
 *
 * KL is the Gaussians' KL (exact: KL is invariant under the bijection tanh). The entropy has no closed form, so,
 * as in SB3 (whose `entropy()` returns None), there is no `entropy()`: SAC estimates it as -log p of its sample.
 */
export class SquashedDiagGaussian {
  /** The distribution of the pre-squash u. */
  readonly gaussian: DiagGaussian;

  constructor(mean: Tensor, logStd: Tensor) {
    this.gaussian = new DiagGaussian(mean, logStd);
  }

  get batchSize(): number {
    return this.gaussian.batchSize;
  }

  get dim(): number {
    return this.gaussian.dim;
  }

  /**
   * The reparameterised sample a = tanh(mu + sigma eps) with its log-probability, both differentiable w.r.t. mean
   * and log-std: SAC's actor loss alpha log pi(a|s) - Q(s, a). Log-probability from u itself, not atanh(a), so it
   * stays exact where tanh saturates.
   */
  rsampleWithLogProb(rng: Rng): { actions: Tensor; logProb: Tensor } {
    const u = this.gaussian.rsample(rng);
    return { actions: tanh(u), logProb: this.logProbOfPreSquash(u) };
  }

  /** log p(a) for actions in [-1, 1], row-major [B * D] or a [B, D] Tensor; u = atanh(a) clipped to +-(1 - 1e-6). */
  logProb(actions: Float32Array | Float64Array | Tensor): Tensor {
    const n = this.batchSize * this.dim;
    const a = actions instanceof Tensor ? actions.data() : actions;
    if (!(a instanceof Float32Array || a instanceof Float64Array)) {
      throw new InvalidArgumentError(
        `SquashedDiagGaussian.logProb: actions must be a Float32Array, Float64Array or Tensor, got ${describe(actions)}`,
      );
    }
    if (a.length !== n) {
      throw new ShapeError(
        `SquashedDiagGaussian.logProb: actions has ${a.length} elements, expected B * D = ${this.batchSize} * ${this.dim}`,
      );
    }
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (!(a[i] >= -1 && a[i] <= 1)) {
        throw new InvalidArgumentError(
          `SquashedDiagGaussian.logProb: actions[${i}] is ${a[i]}, expected a number in [-1, 1]`,
        );
      }
      u[i] = atanh(Math.min(Math.max(a[i], -1 + ACTION_EPS), 1 - ACTION_EPS));
    }
    return this.logProbOfPreSquash(this.gaussian.mean.engine.tensor(u, [this.batchSize, this.dim]));
  }

  /** log p(tanh(u)) from the pre-squash u [B, D], shape [B]. */
  logProbOfPreSquash(u: Tensor): Tensor {
    return sub(this.gaussian.logProb(u), sum(tanhLogDetJacobian(u), 1));
  }

  /** KL(this || other) of the squashed distributions = KL of the Gaussians, shape [B]. */
  kl(other: SquashedDiagGaussian): Tensor {
    if (!(other instanceof SquashedDiagGaussian)) {
      throw new InvalidArgumentError(
        `SquashedDiagGaussian.kl: other must be a SquashedDiagGaussian, got ${describe(other)}`,
      );
    }
    return this.gaussian.kl(other.gaussian);
  }

  /** tanh(mu), row-major [B * D] (the deterministic action). */
  mode(out?: Float32Array | Float64Array): Float32Array | Float64Array {
    return squash(this.gaussian.mode(out));
  }

  /** tanh(mu + sigma eps), row-major [B * D], the same draws as DiagGaussian.sample. */
  sample(rng: Rng, out?: Float32Array | Float64Array): Float32Array | Float64Array {
    return squash(this.gaussian.sample(rng, out));
  }
}

function squash(a: Float32Array | Float64Array): Float32Array | Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = mathTanh(a[i]);
  return a;
}
