import { argmax, exp, gather, logSoftmax, mul, neg, sub, sum } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";

/**
 * A batch of B categorical distributions over K actions, from unnormalised logits [B, K] (a policy network's
 * output). Everything returned as a Tensor is recorded on the tape, so `logProb`, `entropy` and `kl` are
 * differentiable w.r.t. the logits. The normalised log-probabilities are computed once, at construction; like any
 * tensor, the distribution is valid inside the engine scope that made its logits.
 */
export class Categorical {
  readonly logits: Tensor;
  readonly batchSize: number;
  readonly numActions: number;
  /** log p = logits - logsumexp(logits), shape [B, K]. */
  readonly logProbs: Tensor;
  private probsCache: Tensor | null = null;

  constructor(logits: Tensor) {
    if (!(logits instanceof Tensor)) {
      throw new InvalidArgumentError(`Categorical: logits must be a Tensor, got ${describe(logits)}`);
    }
    if (logits.rank !== 2 || logits.shape[0] < 1 || logits.shape[1] < 1) {
      throw new ShapeError(
        `Categorical: logits must have shape [B, K] with B, K >= 1, got [${logits.shape.join(", ")}]`,
      );
    }
    this.logits = logits;
    this.batchSize = logits.shape[0];
    this.numActions = logits.shape[1];
    const v = logits.engine.arena.view;
    const off = logits.live();
    for (let i = 0; i < logits.size; i++) {
      if (!Number.isFinite(v[off + i])) {
        throw new NonFiniteError(
          `Categorical: logits[${Math.floor(i / this.numActions)}, ${i % this.numActions}] is ${v[off + i]}, expected a finite number`,
        );
      }
    }
    this.logProbs = logSoftmax(logits);
  }

  /** p = softmax(logits), shape [B, K]. */
  probs(): Tensor {
    if (this.probsCache === null) this.probsCache = exp(this.logProbs);
    return this.probsCache;
  }

  /** log p(a_b) for one action per row, shape [B]. */
  logProb(actions: Int32Array): Tensor {
    this.checkActions(actions);
    return gather(this.logProbs, actions);
  }

  /** H = -sum_k p_k log p_k, shape [B]. */
  entropy(): Tensor {
    return neg(sum(mul(this.probs(), this.logProbs), 1));
  }

  /** KL(this || other) = sum_k p_k (log p_k - log q_k), shape [B]. */
  kl(other: Categorical): Tensor {
    if (!(other instanceof Categorical)) {
      throw new InvalidArgumentError(`Categorical.kl: other must be a Categorical, got ${describe(other)}`);
    }
    if (other.batchSize !== this.batchSize || other.numActions !== this.numActions) {
      throw new ShapeError(
        `Categorical.kl: other has logits [${other.batchSize}, ${other.numActions}], expected [${this.batchSize}, ${this.numActions}]`,
      );
    }
    return sum(mul(this.probs(), sub(this.logProbs, other.logProbs)), 1);
  }

  /** The most likely action of each row (the first on ties). Writes into `out` when given. */
  mode(out?: Int32Array): Int32Array {
    return argmax(this.logits, this.checkOut("mode", out));
  }

  /**
   * One action per row by inverting the CDF with one `rng.uniform()` per row: deterministic given the Rng state,
   * and allocation-free when `out` is given (the acting hot path).
   */
  sample(rng: Rng, out?: Int32Array): Int32Array {
    const res = this.checkOut("sample", out);
    const k = this.numActions;
    const v = this.logProbs.engine.arena.view;
    const base = this.logProbs.live();
    for (let b = 0; b < this.batchSize; b++) {
      const row = base + b * k;
      let total = 0;
      for (let j = 0; j < k; j++) total += Math.exp(v[row + j]);
      let u = rng.uniform() * total; // total is 1 up to rounding; scaling by it keeps the last bin reachable
      let a = k - 1;
      for (let j = 0; j < k - 1; j++) {
        u -= Math.exp(v[row + j]);
        if (u < 0) {
          a = j;
          break;
        }
      }
      res[b] = a;
    }
    return res;
  }

  private checkOut(method: string, out: Int32Array | undefined): Int32Array {
    if (out === undefined) return new Int32Array(this.batchSize);
    if (!(out instanceof Int32Array) || out.length !== this.batchSize) {
      throw new InvalidArgumentError(
        `Categorical.${method}: out must be an Int32Array of length ${this.batchSize}, got ${describe(out)}`,
      );
    }
    return out;
  }

  private checkActions(actions: Int32Array): void {
    if (!(actions instanceof Int32Array)) {
      throw new InvalidArgumentError(`Categorical.logProb: actions must be an Int32Array, got ${describe(actions)}`);
    }
    if (actions.length !== this.batchSize) {
      throw new ShapeError(
        `Categorical.logProb: actions has length ${actions.length}, expected one per row (${this.batchSize})`,
      );
    }
    for (let b = 0; b < actions.length; b++) {
      const a = actions[b];
      if (a < 0 || a >= this.numActions) {
        throw new InvalidArgumentError(`Categorical.logProb: actions[${b}] = ${a} is outside [0, ${this.numActions})`);
      }
    }
  }
}
