import { exp } from "../core/math/index.js";
import { mul, sigmoid, softplus, sub, sum } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";

/**
 * B independent draws of D binary variables (a MultiBinary space; SB3's BernoulliDistribution) from logits
 * [B, D]: p = sigmoid(l). Actions are row-major 0/1 arrays [B * D]. Everything is written with softplus, so no
 * logit, however large, makes a log-probability or a gradient infinite: log p = -softplus(-l) and
 * log(1 - p) = -softplus(l).
 */
export class Bernoulli {
  readonly logits: Tensor;
  readonly batchSize: number;
  readonly dim: number;

  constructor(logits: Tensor) {
    if (!(logits instanceof Tensor)) {
      throw new InvalidArgumentError(`Bernoulli: logits must be a Tensor, got ${describe(logits)}`);
    }
    if (logits.rank !== 2 || logits.shape[0] < 1 || logits.shape[1] < 1) {
      throw new ShapeError(`Bernoulli: logits must have shape [B, D] with B, D >= 1, got [${logits.shape.join(", ")}]`);
    }
    const v = logits.data();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        throw new NonFiniteError(`Bernoulli: logits[${i}] is ${v[i]}, expected a finite number`);
      }
    }
    this.logits = logits;
    this.batchSize = logits.shape[0];
    this.dim = logits.shape[1];
  }

  /** p = sigmoid(l), shape [B, D]. */
  probs(): Tensor {
    return sigmoid(this.logits);
  }

  /** sum_d [a_d l_d - softplus(l_d)] (= a log p + (1 - a) log(1 - p)), shape [B]. */
  logProb(actions: ArrayLike<number>): Tensor {
    const a = this.actionsTensor(actions);
    return sum(sub(mul(a, this.logits), softplus(this.logits)), 1);
  }

  /** H = sum_d [softplus(l_d) - l_d p_d], shape [B]. */
  entropy(): Tensor {
    return sum(sub(softplus(this.logits), mul(this.logits, this.probs())), 1);
  }

  /** KL(this || other) = sum_d [p_d (l_d - m_d) - softplus(l_d) + softplus(m_d)], shape [B]. */
  kl(other: Bernoulli): Tensor {
    if (!(other instanceof Bernoulli)) {
      throw new InvalidArgumentError(`Bernoulli.kl: other must be a Bernoulli, got ${describe(other)}`);
    }
    if (other.batchSize !== this.batchSize || other.dim !== this.dim) {
      throw new ShapeError(
        `Bernoulli.kl: other has logits [${other.batchSize}, ${other.dim}], expected [${this.batchSize}, ${this.dim}]`,
      );
    }
    const cross = mul(this.probs(), sub(this.logits, other.logits));
    return sum(sub(cross, sub(softplus(this.logits), softplus(other.logits))), 1);
  }

  /** 1 where p > 1/2 (l > 0), else 0; row-major [B * D]. */
  mode(out?: Uint8Array): Uint8Array {
    const res = this.checkOut("mode", out);
    const v = this.logits.data();
    for (let i = 0; i < res.length; i++) res[i] = v[i] > 0 ? 1 : 0;
    return res;
  }

  /** a_d = 1 with probability p_d, one `rng.uniform()` per element in row-major order; [B * D]. */
  sample(rng: Rng, out?: Uint8Array): Uint8Array {
    const res = this.checkOut("sample", out);
    const v = this.logits.data();
    for (let i = 0; i < res.length; i++) res[i] = rng.uniform() < 1 / (1 + exp(-v[i])) ? 1 : 0;
    return res;
  }

  private checkOut(method: string, out: Uint8Array | undefined): Uint8Array {
    const n = this.batchSize * this.dim;
    if (out === undefined) return new Uint8Array(n);
    if (!(out instanceof Uint8Array) || out.length !== n) {
      throw new InvalidArgumentError(
        `Bernoulli.${method}: out must be a Uint8Array of length ${n} (B * D), got ${describe(out)}`,
      );
    }
    return out;
  }

  private actionsTensor(actions: ArrayLike<number>): Tensor {
    const n = this.batchSize * this.dim;
    if (actions === null || typeof actions !== "object" || typeof actions.length !== "number") {
      throw new InvalidArgumentError(`Bernoulli.logProb: actions must be an array of 0/1, got ${describe(actions)}`);
    }
    if (actions.length !== n) {
      throw new ShapeError(
        `Bernoulli.logProb: actions has length ${actions.length}, expected B * D = ${this.batchSize} * ${this.dim} = ${n}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (actions[i] !== 0 && actions[i] !== 1) {
        throw new InvalidArgumentError(`Bernoulli.logProb: actions[${i}] is ${describe(actions[i])}, expected 0 or 1`);
      }
    }
    return this.logits.engine.tensor(actions, [this.batchSize, this.dim]);
  }
}
