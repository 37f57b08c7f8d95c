import { pow } from "../../core/math/index.js";
import type { Rng } from "../../core/rng.js";
import { InvalidArgumentError } from "../../errors.js";
import {
  type ReplayBatch,
  ReplayBuffer,
  type ReplayBufferOptions,
  type ReplayBufferState,
  type TransitionBatch,
} from "./replay-buffer.js";
import { SumTree } from "./sum-tree.js";

export interface PrioritizedReplayBufferOptions extends ReplayBufferOptions {
  /** Priority exponent: P(i) = p_i^alpha / sum_k p_k^alpha; 0 is uniform replay. Default 0.6 (Schaul et al.). */
  alpha?: number;
  /** Added to |TD error| so no transition gets probability 0. Default 1e-6. */
  priorityEps?: number;
}

/**
 * Proportional prioritized experience replay (Schaul et al. 2016): transition i is drawn with probability
 * P(i) = p_i^alpha / sum_k p_k^alpha, where p_i = |delta_i| + eps is its last TD error, and corrected by the
 * importance-sampling weight w_i = (N P(i))^-beta / max_j w_j. New transitions enter with the largest priority seen
 * so they are replayed at least once. Sampling is stratified: the total mass is cut into `batchSize` equal segments
 * and one transition drawn from each, via the {@link SumTree}.
 */
export class PrioritizedReplayBuffer extends ReplayBuffer {
  readonly alpha: number;
  readonly priorityEps: number;
  private readonly tree: SumTree;
  /** Largest priority p_i seen (before the alpha power). */
  private maxPriority = 1;

  constructor(opts: PrioritizedReplayBufferOptions) {
    super(opts);
    this.alpha = opts.alpha ?? 0.6;
    this.priorityEps = opts.priorityEps ?? 1e-6;
    if (!(this.alpha >= 0) || !Number.isFinite(this.alpha)) {
      throw new InvalidArgumentError(`PrioritizedReplayBuffer: alpha must be a finite number >= 0, got ${opts.alpha}`);
    }
    if (!(this.priorityEps > 0) || !Number.isFinite(this.priorityEps)) {
      throw new InvalidArgumentError(
        `PrioritizedReplayBuffer: priorityEps must be a finite number > 0, got ${opts.priorityEps}`,
      );
    }
    this.tree = new SumTree(this.capacity);
  }

  override add(t: TransitionBatch): void {
    const row = this.pos;
    super.add(t);
    const p = pow(this.maxPriority, this.alpha);
    for (let e = 0; e < this.numEnvs; e++) this.tree.set(row * this.numEnvs + e, p);
    if (this.optimizeMemoryUsage && this.full) {
      // row `pos` lost its s to the previous s': it must not be drawn until it is written again
      for (let e = 0; e < this.numEnvs; e++) this.tree.set(this.pos * this.numEnvs + e, 0);
    }
  }

  /**
   * Draw `batchSize` transitions with probability P(i) and fill `batch.weights` with w_i for the given `beta`
   * (annealed from beta0 to 1 over training by the caller).
   */
  override sample(batchSize: number, rng: Rng, out?: ReplayBatch, beta = 0.4): ReplayBatch {
    if (!(beta >= 0 && beta <= 1)) {
      throw new InvalidArgumentError(`PrioritizedReplayBuffer.sample: beta must be in [0, 1], got ${beta}`);
    }
    const batch = this.prepareSample(batchSize, out);
    const total = this.tree.total;
    const segment = total / batchSize;
    const n = this.size;
    // max_j w_j = (N min_j P(j))^-beta, so w_i / max_j w_j = (P(i) / min_j P(j))^-beta = (p_i / p_min)^-beta
    const pMin = this.tree.min;
    for (let b = 0; b < batchSize; b++) {
      const mass = Math.min((b + rng.uniform()) * segment, total * (1 - 1e-12));
      const i = this.tree.findPrefixSum(mass);
      batch.indices[b] = i;
      batch.weights[b] = n > 0 ? pow(this.tree.get(i) / pMin, -beta) : 1;
    }
    this.gather(batch);
    return batch;
  }

  /** After a gradient step: set p_i = |delta_i| + eps for the sampled indices. */
  updatePriorities(indices: Int32Array, tdErrors: ArrayLike<number>, count = indices.length): void {
    for (let b = 0; b < count; b++) {
      const delta = tdErrors[b];
      if (!Number.isFinite(delta)) {
        throw new InvalidArgumentError(
          `PrioritizedReplayBuffer.updatePriorities: TD error ${b} is ${delta}; priorities must be finite`,
        );
      }
      const p = Math.abs(delta) + this.priorityEps;
      if (p > this.maxPriority) this.maxPriority = p;
      this.tree.set(indices[b], pow(p, this.alpha));
    }
  }

  /** The base state plus every leaf priority p_i^alpha and the running maximum priority. */
  override getState(): ReplayBufferState {
    const state = super.getState();
    const leaves = new Float64Array(this.capacity + 1);
    for (let i = 0; i < this.capacity; i++) leaves[i] = this.tree.get(i);
    leaves[this.capacity] = this.maxPriority;
    state.arrays.priorities = leaves;
    return state;
  }

  override setState(state: ReplayBufferState): void {
    const leaves = state.arrays.priorities;
    if (!(leaves instanceof Float64Array) || leaves.length !== this.capacity + 1) {
      throw new InvalidArgumentError(
        `PrioritizedReplayBuffer.setState: priorities must be a Float64Array of length ${this.capacity + 1}`,
      );
    }
    super.setState(state);
    for (let i = 0; i < this.capacity; i++) this.tree.set(i, leaves[i]);
    this.maxPriority = leaves[this.capacity];
  }

  /** Current sampling probability P(i) of flat index i (for tests and diagnostics). */
  probability(index: number): number {
    return this.tree.get(index) / this.tree.total;
  }
}
