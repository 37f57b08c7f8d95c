import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.js";

/** Saved form of a {@link RunningMeanStd}: plain numbers, so it goes into a JSON checkpoint unchanged. */
export interface RunningMeanStdState {
  readonly mean: readonly number[];
  readonly var: readonly number[];
  readonly count: number;
}

/**
 * Running mean and variance of a stream of vectors, merged batch by batch with Chan et al.'s parallel update
 * (the `RunningMeanStd` of SB3 and Gymnasium):
 *
 *   delta = mean_B - mean_A,  n = n_A + n_B
 *   mean  = mean_A + delta * n_B / n
 *   var   = (var_A * n_A + var_B * n_B + delta^2 * n_A * n_B / n) / n
 *
 * Statistics are float64 whatever the input type. `count` starts at `epsilon` (1e-4) with mean 0 and var 1, as
 * SB3 and Gymnasium do, so normalizing before any update is well defined. Updates allocate nothing.
 */
export class RunningMeanStd {
  readonly size: number;
  readonly shape: readonly number[];
  readonly mean: Float64Array;
  readonly var: Float64Array;
  /** Initialised as a number: a field first defined as undefined would box every float stored into it. */
  count = 0;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(shape: number | readonly number[] = [], opts: { epsilon?: number } = {}) {
    const dims = typeof shape === "number" ? [shape] : [...shape];
    if (!dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InvalidArgumentError(
        `RunningMeanStd: shape must be a positive integer or an array of them, got ${describe(shape)}`,
      );
    }
    const epsilon = opts.epsilon ?? 1e-4;
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
      throw new InvalidArgumentError(`RunningMeanStd: epsilon must be a finite number > 0, got ${describe(epsilon)}`);
    }
    this.shape = Object.freeze(dims);
    this.size = dims.reduce((a, b) => a * b, 1);
    this.mean = new Float64Array(this.size);
    this.var = new Float64Array(this.size).fill(1);
    this.count = epsilon;
    this.batchMean = new Float64Array(this.size);
    this.batchVar = new Float64Array(this.size);
  }

  /**
   * Merge a batch of `batchCount` vectors stored row-major in `batch` (length batchCount * size). The batch's
   * variance is the population variance (numpy's `var`, two passes in float64).
   */
  update(batch: ArrayLike<number>, batchCount = batch.length / this.size): void {
    const d = this.size;
    if (!Number.isInteger(batchCount) || batchCount < 1 || batch.length < batchCount * d) {
      throw new ShapeError(
        `RunningMeanStd.update: batch must hold batchCount * ${d} numbers with batchCount >= 1, got length ${batch.length} and batchCount ${describe(batchCount)}`,
      );
    }
    const bm = this.batchMean;
    const bv = this.batchVar;
    bm.fill(0);
    bv.fill(0);
    for (let r = 0; r < batchCount; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) bm[j] += batch[o + j];
    }
    for (let j = 0; j < d; j++) {
      bm[j] /= batchCount;
      if (!Number.isFinite(bm[j])) {
        throw new NonFiniteError(
          `RunningMeanStd.update: batch column ${j} has a non-finite value (mean ${bm[j]}); expected finite numbers`,
        );
      }
    }
    for (let r = 0; r < batchCount; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) {
        const e = batch[o + j] - bm[j];
        bv[j] += e * e;
      }
    }
    for (let j = 0; j < d; j++) bv[j] /= batchCount;
    this.updateFromMoments(bm, bv, batchCount);
  }

  /** Merge a batch given by its moments (mean, population variance, count). */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    if (batchMean.length !== this.size || batchVar.length !== this.size) {
      throw new ShapeError(
        `RunningMeanStd.updateFromMoments: batchMean and batchVar must have length ${this.size}, got ${batchMean.length} and ${batchVar.length}`,
      );
    }
    if (!(batchCount > 0) || !Number.isFinite(batchCount)) {
      throw new InvalidArgumentError(
        `RunningMeanStd.updateFromMoments: batchCount must be a finite number > 0, got ${describe(batchCount)}`,
      );
    }
    const nA = this.count;
    const total = nA + batchCount;
    for (let j = 0; j < this.size; j++) {
      const delta = batchMean[j] - this.mean[j];
      const m2 = this.var[j] * nA + batchVar[j] * batchCount + delta * delta * ((nA * batchCount) / total);
      this.mean[j] += (delta * batchCount) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /**
   * Write (x - mean) / sqrt(var + epsilon), clipped to [-clip, clip], into `out` (may be `x` itself); `x` may hold
   * several rows. Gymnasium's NormalizeObservation and SB3's VecNormalize use epsilon 1e-8. Positional arguments
   * keep the hot path free of option objects.
   */
  normalize<T extends { length: number; [i: number]: number }>(
    x: ArrayLike<number>,
    out: T,
    clip = Infinity,
    epsilon = 1e-8,
  ): T {
    const d = this.size;
    if (x.length % d !== 0 || out.length < x.length) {
      throw new ShapeError(
        `RunningMeanStd.normalize: x must hold a multiple of ${d} numbers and out at least as many, got ${x.length} and ${out.length}`,
      );
    }
    for (let i = 0; i < x.length; i++) {
      const j = i % d;
      const v = (x[i] - this.mean[j]) / Math.sqrt(this.var[j] + epsilon);
      out[i] = Math.min(clip, Math.max(-clip, v));
    }
    return out;
  }

  /** A copy of the statistics, for checkpoints. */
  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restore statistics saved by {@link getState}; they must have this object's size. */
  setState(state: RunningMeanStdState): void {
    const ok =
      state !== null &&
      typeof state === "object" &&
      Array.isArray(state.mean) &&
      Array.isArray(state.var) &&
      state.mean.length === this.size &&
      state.var.length === this.size &&
      state.mean.every((v) => typeof v === "number" && Number.isFinite(v)) &&
      state.var.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0) &&
      typeof state.count === "number" &&
      Number.isFinite(state.count) &&
      state.count > 0;
    if (!ok) {
      throw new InvalidArgumentError(
        `RunningMeanStd.setState expects { mean: ${this.size} finite numbers, var: ${this.size} finite numbers >= 0, count > 0 }, got ${describe(state)}`,
      );
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }

  /** An independent copy. */
  clone(): RunningMeanStd {
    const c = new RunningMeanStd(this.shape);
    c.setState(this.getState());
    return c;
  }
}
