import { exp as mathExp } from "../core/math/index.js";
import { argmax, exp, gather, logSoftmax, mul, neg, sub, sum, where } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";

/**
 * The logit a masked action gets inside the computation (sb3-contrib's MaskableCategorical uses the same): its
 * probability is exactly 0 in float32 and float64, yet every intermediate stays finite, so 0 * log p is 0 and no
 * gradient becomes NaN. Log-probabilities shown to the caller carry -Infinity instead.
 */
const MASKED_LOGIT = -1e8;

/** One row's probabilities during `sample` (each exp computed once; shared, as sampling never nests). */
let rowProbs = new Float64Array(16);

export interface CategoricalOptions {
  /**
   * Allowed actions, row-major [B * K], nonzero = allowed (sb3-contrib's MaskablePPO semantics). Masked actions get
   * probability 0: never sampled nor chosen by `mode`, log-probability -Infinity, no share of the entropy. Every row
   * must allow at least one action.
   */
  actionMasks?: Uint8Array | null;
}

/**
 * A batch of B categorical distributions over K actions, from unnormalised logits [B, K] (a policy network's
 * output), optionally with action masks. Everything returned as a Tensor is recorded on the tape, so `logProb`,
 * `entropy` and `kl` are differentiable w.r.t. the logits, with finite gradients under any mask. Like any tensor,
 * the distribution is valid inside the engine scope that made its logits.
 */
export class Categorical {
  readonly logits: Tensor;
  readonly batchSize: number;
  readonly numActions: number;
  /** A copy of the action masks, or null when every action is allowed. */
  readonly actionMasks: Uint8Array | null;
  /** log p = logits - logsumexp(logits) over the allowed actions, -Infinity for masked ones; shape [B, K]. */
  readonly logProbs: Tensor;
  /** log p with MASKED_LOGIT-based finite values at masked actions (the same tensor as logProbs without masks). */
  private readonly finiteLogProbs: Tensor;
  private probsCache: Tensor | null = null;

  constructor(logits: Tensor, opts: CategoricalOptions = {}) {
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
    const masks = opts.actionMasks ?? null;
    this.actionMasks = masks === null ? null : checkMasks("Categorical", masks, this.batchSize, this.numActions);
    const v = logits.engine.arena.view;
    const off = logits.live();
    for (let i = 0; i < logits.size; i++) {
      if (this.actionMasks !== null && this.actionMasks[i] === 0) continue; // a masked logit may be anything
      if (!Number.isFinite(v[off + i])) {
        throw new NonFiniteError(
          `Categorical: logits[${Math.floor(i / this.numActions)}, ${i % this.numActions}] is ${v[off + i]}, expected a finite number`,
        );
      }
    }
    if (this.actionMasks === null) {
      this.finiteLogProbs = logSoftmax(logits);
      this.logProbs = this.finiteLogProbs;
    } else {
      const eng = logits.engine;
      this.finiteLogProbs = logSoftmax(where(this.actionMasks, logits, eng.full([], MASKED_LOGIT)));
      this.logProbs = where(this.actionMasks, this.finiteLogProbs, eng.full([], Number.NEGATIVE_INFINITY));
    }
  }

  /** p = softmax(logits) over the allowed actions (0 for masked ones), shape [B, K]. */
  probs(): Tensor {
    if (this.probsCache === null) this.probsCache = exp(this.finiteLogProbs);
    return this.probsCache;
  }

  /** log p(a_b) for one action per row, shape [B]; -Infinity for a masked action. */
  logProb(actions: Int32Array): Tensor {
    this.checkActions(actions);
    return gather(this.logProbs, actions);
  }

  /** H = -sum_k p_k log p_k over the allowed actions, shape [B]. */
  entropy(): Tensor {
    return neg(sum(mul(this.probs(), this.finiteLogProbs), 1));
  }

  /**
   * KL(this || other) = sum_k p_k (log p_k - log q_k), shape [B]. Actions masked in `this` contribute 0; an action
   * `this` allows and `other` masks contributes p_k * 1e8 (finite, standing for the infinite divergence).
   */
  kl(other: Categorical): Tensor {
    if (!(other instanceof Categorical)) {
      throw new InvalidArgumentError(`Categorical.kl: other must be a Categorical, got ${describe(other)}`);
    }
    if (other.batchSize !== this.batchSize || other.numActions !== this.numActions) {
      throw new ShapeError(
        `Categorical.kl: other has logits [${other.batchSize}, ${other.numActions}], expected [${this.batchSize}, ${this.numActions}]`,
      );
    }
    return sum(mul(this.probs(), sub(this.finiteLogProbs, other.finiteLogProbs)), 1);
  }

  /** The most likely allowed action of each row (the first on ties). Writes into `out` when given. */
  mode(out?: Int32Array): Int32Array {
    return argmax(this.logProbs, this.checkOut("mode", out));
  }

  /**
   * One action per row by inverting the CDF with one `rng.uniform()` per row: deterministic given the Rng state,
   * and allocation-free when `out` is given (the acting hot path). A masked action has probability exactly 0, so
   * the inversion never stops on it.
   */
  sample(rng: Rng, out?: Int32Array): Int32Array {
    const res = this.checkOut("sample", out);
    const k = this.numActions;
    const v = this.finiteLogProbs.engine.arena.view;
    const base = this.finiteLogProbs.live();
    if (rowProbs.length < k) rowProbs = new Float64Array(k);
    const p = rowProbs;
    for (let b = 0; b < this.batchSize; b++) {
      const row = base + b * k;
      let total = 0;
      let last = 0; // the last action of positive probability: where rounding leaves the inversion
      for (let j = 0; j < k; j++) {
        p[j] = mathExp(v[row + j]);
        total += p[j];
        if (p[j] > 0) last = j;
      }
      let u = rng.uniform() * total; // total is 1 up to rounding; scaling by it keeps the last bin reachable
      let a = last;
      for (let j = 0; j < last; j++) {
        u -= p[j];
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

/**
 * Validate action masks of B rows of K actions (row-major, nonzero = allowed) and return a 0/1 copy: a mask of the
 * wrong type or length, or a row that allows no action, is an error naming the row.
 */
export function checkMasks(owner: string, masks: Uint8Array, rows: number, k: number): Uint8Array {
  if (!(masks instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${owner}: actionMasks must be a Uint8Array (1 = allowed), got ${describe(masks)}`);
  }
  if (masks.length !== rows * k) {
    throw new ShapeError(
      `${owner}: actionMasks has length ${masks.length}, expected ${rows * k} (${rows} rows x ${k} actions)`,
    );
  }
  const copy = new Uint8Array(masks.length);
  for (let r = 0; r < rows; r++) {
    let allowed = 0;
    for (let j = 0; j < k; j++) {
      const m = masks[r * k + j] !== 0 ? 1 : 0;
      copy[r * k + j] = m;
      allowed += m;
    }
    if (allowed === 0) {
      throw new InvalidArgumentError(`${owner}: actionMasks row ${r} allows no action (every one of its ${k} is 0)`);
    }
  }
  return copy;
}
