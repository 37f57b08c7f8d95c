import { log, exp as mathExp } from "../core/math/index.js";
import { add, addScalar, exp, mul, mulScalar, neg, square, sub, sum } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

/**
 * A batch of B Gaussians over D dimensions with diagonal covariance: mean [B, D] and log standard deviation either
 * state-independent ([D], one learned vector shared by the batch, as SB3 and the PPO paper use) or state-dependent
 * ([B, D], a network output). `logProb`, `entropy` and `kl` are recorded on the tape and sum over D.
 */
export class DiagGaussian {
  readonly mean: Tensor;
  readonly logStd: Tensor;
  readonly batchSize: number;
  readonly dim: number;
  /** True when `logStd` has shape [D] (shared by every row). */
  readonly stateIndependent: boolean;

  constructor(mean: Tensor, logStd: Tensor) {
    if (!(mean instanceof Tensor) || !(logStd instanceof Tensor)) {
      throw new InvalidArgumentError(
        `DiagGaussian: mean and logStd must be Tensors, got ${describe(mean)} and ${describe(logStd)}`,
      );
    }
    if (mean.rank !== 2 || mean.shape[0] < 1 || mean.shape[1] < 1) {
      throw new ShapeError(`DiagGaussian: mean must have shape [B, D] with B, D >= 1, got [${mean.shape.join(", ")}]`);
    }
    const [b, d] = mean.shape;
    const indep = logStd.rank === 1 && logStd.shape[0] === d;
    if (!indep && !(logStd.rank === 2 && logStd.shape[0] === b && logStd.shape[1] === d)) {
      throw new ShapeError(
        `DiagGaussian: logStd must have shape [${d}] or [${b}, ${d}] for mean [${b}, ${d}], got [${logStd.shape.join(", ")}]`,
      );
    }
    if (logStd.engine !== mean.engine)
      throw new InvalidArgumentError("DiagGaussian: mean and logStd use different engines");
    checkFinite("mean", mean);
    checkFinite("logStd", logStd);
    this.mean = mean;
    this.logStd = logStd;
    this.batchSize = b;
    this.dim = d;
    this.stateIndependent = indep;
  }

  /**
   * log N(a; mu, sigma^2) = sum_d [ -(a_d - mu_d)^2 / (2 sigma_d^2) - log sigma_d - log(2 pi) / 2 ], shape [B].
   * `actions` is a row-major array [B * D], or a [B, D] Tensor (then differentiable in the actions too, as a
   * reparameterised sample needs).
   */
  logProb(actions: Float32Array | Float64Array | Tensor): Tensor {
    const a = actions instanceof Tensor ? this.checkActionTensor(actions) : this.actionsTensor(actions);
    const z = mul(sub(a, this.mean), exp(neg(this.logStd)));
    return addScalar(sum(sub(mulScalar(square(z), -0.5), this.logStd), 1), -this.dim * HALF_LOG_2PI);
  }

  /** H = sum_d [ log sigma_d + (1 + log(2 pi)) / 2 ], shape [B]. */
  entropy(): Tensor {
    const perRow = this.stateIndependent
      ? add(this.mean.engine.zeros([this.batchSize]), sum(this.logStd)) // same for every row
      : sum(this.logStd, 1);
    return addScalar(perRow, this.dim * (0.5 + HALF_LOG_2PI));
  }

  /**
   * KL(this || other) = sum_d [ log(sigma_q / sigma_p) + (sigma_p^2 + (mu_p - mu_q)^2) / (2 sigma_q^2) - 1/2 ],
   * shape [B]. Either side's log-std may be state-independent.
   */
  kl(other: DiagGaussian): Tensor {
    if (!(other instanceof DiagGaussian)) {
      throw new InvalidArgumentError(`DiagGaussian.kl: other must be a DiagGaussian, got ${describe(other)}`);
    }
    if (other.batchSize !== this.batchSize || other.dim !== this.dim) {
      throw new ShapeError(
        `DiagGaussian.kl: other has mean [${other.batchSize}, ${other.dim}], expected [${this.batchSize}, ${this.dim}]`,
      );
    }
    const logRatio = sub(other.logStd, this.logStd); // log(sigma_q / sigma_p)
    const varRatio = exp(mulScalar(logRatio, -2)); // sigma_p^2 / sigma_q^2
    const meanTerm = mul(square(sub(this.mean, other.mean)), exp(mulScalar(other.logStd, -2)));
    const perDim = add(mulScalar(add(meanTerm, varRatio), 0.5), logRatio); // [B, D]: meanTerm fixes the shape
    return addScalar(sum(perDim, 1), -0.5 * this.dim);
  }

  /** sigma = exp(logStd), shape [B, D] or [D] as logStd. */
  std(): Tensor {
    return exp(this.logStd);
  }

  /**
   * The reparameterised sample a = mu + sigma * eps, eps ~ N(0, 1) drawn in row-major order from `rng` (the same
   * draws as `sample`), as a [B, D] Tensor differentiable w.r.t. mean and log-std (SAC's actor loss).
   */
  rsample(rng: Rng): Tensor {
    const n = this.batchSize * this.dim;
    const eps = new Float64Array(n);
    for (let i = 0; i < n; i++) eps[i] = rng.normal();
    return add(this.mean, mul(this.std(), this.mean.engine.tensor(eps, [this.batchSize, this.dim])));
  }

  /** The mean, row-major [B * D]. Writes into `out` when given. */
  mode(out?: Float32Array | Float64Array): Float32Array | Float64Array {
    const res = this.checkOut("mode", out);
    const v = this.mean.engine.arena.view;
    const off = this.mean.live();
    for (let i = 0; i < res.length; i++) res[i] = v[off + i];
    return res;
  }

  /**
   * a = mu + sigma * eps with eps ~ N(0, 1) drawn row by row from `rng` (deterministic given its state);
   * allocation-free when `out` is given. Returns row-major [B * D].
   */
  sample(rng: Rng, out?: Float32Array | Float64Array): Float32Array | Float64Array {
    const res = this.checkOut("sample", out);
    const v = this.mean.engine.arena.view;
    const m = this.mean.live();
    const s = this.logStd.live();
    const d = this.dim;
    const sStride = this.stateIndependent ? 0 : d;
    for (let b = 0; b < this.batchSize; b++) {
      for (let j = 0; j < d; j++) {
        res[b * d + j] = v[m + b * d + j] + mathExp(v[s + b * sStride + j]) * rng.normal();
      }
    }
    return res;
  }

  private checkOut(method: string, out: Float32Array | Float64Array | undefined): Float32Array | Float64Array {
    const n = this.batchSize * this.dim;
    if (out === undefined) return new Float32Array(n);
    if (!(out instanceof Float32Array || out instanceof Float64Array) || out.length !== n) {
      throw new InvalidArgumentError(
        `DiagGaussian.${method}: out must be a Float32Array or Float64Array of length ${n} (B * D), got ${describe(out)}`,
      );
    }
    return out;
  }

  private checkActionTensor(actions: Tensor): Tensor {
    if (actions.engine !== this.mean.engine) {
      throw new InvalidArgumentError("DiagGaussian.logProb: actions belong to another engine than the mean");
    }
    if (actions.rank !== 2 || actions.shape[0] !== this.batchSize || actions.shape[1] !== this.dim) {
      throw new ShapeError(
        `DiagGaussian.logProb: actions has shape [${actions.shape.join(", ")}], expected [${this.batchSize}, ${this.dim}]`,
      );
    }
    return actions;
  }

  private actionsTensor(actions: Float32Array | Float64Array): Tensor {
    const n = this.batchSize * this.dim;
    if (!(actions instanceof Float32Array || actions instanceof Float64Array)) {
      throw new InvalidArgumentError(
        `DiagGaussian.logProb: actions must be a Float32Array or Float64Array, got ${describe(actions)}`,
      );
    }
    if (actions.length !== n) {
      throw new ShapeError(
        `DiagGaussian.logProb: actions has length ${actions.length}, expected B * D = ${this.batchSize} * ${this.dim} = ${n}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(actions[i])) {
        throw new NonFiniteError(
          `DiagGaussian.logProb: actions[${i}] (row ${Math.floor(i / this.dim)}) is ${actions[i]}, expected a finite number`,
        );
      }
    }
    return this.mean.engine.tensor(actions, [this.batchSize, this.dim]);
  }
}

function checkFinite(name: string, t: Tensor): void {
  const v = t.engine.arena.view;
  const off = t.live();
  for (let i = 0; i < t.size; i++) {
    if (!Number.isFinite(v[off + i])) {
      throw new NonFiniteError(
        `DiagGaussian: ${name} of shape [${t.shape.join(", ")}] has ${v[off + i]} at index ${i}, expected finite numbers`,
      );
    }
  }
}
