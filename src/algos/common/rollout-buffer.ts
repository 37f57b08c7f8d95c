import { checkInt } from "../../core/checks.js";
import type { Rng } from "../../core/rng.js";
import { InvalidArgumentError } from "../../errors.js";
import { computeGae, computeRewardToGo } from "./gae.js";

/** How actions are stored: integer indices for Discrete and MultiDiscrete, float32 for Box. */
export type ActionDtype = "int32" | "float32";

function actionArray(dtype: ActionDtype, n: number): Int32Array | Float32Array {
  return dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
}

/** One minibatch gathered from a {@link RolloutBuffer}: preallocated rows, reused across minibatches. */
export class Minibatch {
  size = 0;
  readonly observations: Float32Array;
  readonly actions: Int32Array | Float32Array;
  readonly actionMasks: Uint8Array | null;
  readonly logProbs: Float64Array;
  readonly values: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly actDim: number,
    readonly actionDtype: ActionDtype = "float32",
    /** allowed actions per row (0 without masks): sum(nvec) for (Multi)Discrete */
    readonly maskDim = 0,
  ) {
    this.observations = new Float32Array(capacity * obsDim);
    this.actions = actionArray(actionDtype, capacity * actDim);
    this.actionMasks = maskDim > 0 ? new Uint8Array(capacity * maskDim) : null;
    this.logProbs = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.advantages = new Float64Array(capacity);
    this.returns = new Float64Array(capacity);
  }
}

/** Most values one buffer array may hold (2^28: 2 GiB of float64), far beyond any rollout that trains. */
export const MAX_BUFFER_VALUES = 2 ** 28;

/**
 * On-policy storage for `nSteps` transitions of `nEnvs` environments, laid out [nSteps, nEnvs] row-major in
 * preallocated typed arrays (SB3's RolloutBuffer, CleanRL's storage tensors). Actions are stored as they were
 * sampled: int32 indices for Discrete and MultiDiscrete, unclipped float32 for Box. After `computeAdvantages` the flattened
 * batch is visited through `shuffle` + `gather` in minibatches.
 */
export class RolloutBuffer {
  readonly size: number;
  readonly observations: Float32Array;
  readonly actions: Int32Array | Float32Array;
  /** the action masks the actions were drawn under, [size, maskDim] (null without masks) */
  readonly actionMasks: Uint8Array | null;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** V(final observation) for rows that were truncated (bootstrap target); 0 elsewhere. */
  readonly truncatedValues: Float64Array;
  readonly values: Float64Array;
  readonly logProbs: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
  readonly indices: Int32Array;
  /** Number of steps (rows of nEnvs transitions) written since the last reset. */
  pos = 0;

  constructor(
    readonly nSteps: number,
    readonly nEnvs: number,
    readonly obsDim: number,
    readonly actDim: number,
    readonly actionDtype: ActionDtype = "float32",
    readonly maskDim = 0,
  ) {
    for (const [name, v] of Object.entries({ nSteps, nEnvs, obsDim, actDim })) checkInt(`RolloutBuffer: ${name}`, v, 1);
    const n = nSteps * nEnvs;
    // a typed error instead of the runtime's RangeError (or an out-of-memory crash) for an impossible size
    if (n * Math.max(obsDim, actDim, 2) > MAX_BUFFER_VALUES) {
      throw new InvalidArgumentError(
        `RolloutBuffer: nSteps * nEnvs = ${nSteps} * ${nEnvs} transitions of ${obsDim} observation values is too large to allocate (at most ${MAX_BUFFER_VALUES} values)`,
      );
    }
    this.size = n;
    this.observations = new Float32Array(n * obsDim);
    this.actions = actionArray(actionDtype, n * actDim);
    this.actionMasks = maskDim > 0 ? new Uint8Array(n * maskDim) : null;
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.truncatedValues = new Float64Array(n);
    this.values = new Float64Array(n);
    this.logProbs = new Float64Array(n);
    this.advantages = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.indices = new Int32Array(n);
  }

  get full(): boolean {
    return this.pos === this.nSteps;
  }

  reset(): void {
    this.pos = 0;
    this.truncatedValues.fill(0);
  }

  /**
   * Store one step of every env: the observations acted on, the actions taken, their log-probabilities and
   * values, and what the env returned. Copies everything (the env reuses its arrays).
   */
  add(
    observations: Float32Array,
    actions: ArrayLike<number>,
    logProbs: ArrayLike<number>,
    values: ArrayLike<number>,
    rewards: ArrayLike<number>,
    terminated: ArrayLike<number>,
    truncated: ArrayLike<number>,
    actionMasks: Uint8Array | null = null,
  ): void {
    if (this.pos >= this.nSteps) {
      throw new InvalidArgumentError(`RolloutBuffer.add: buffer is full (${this.nSteps} steps); call reset()`);
    }
    const { nEnvs, obsDim, actDim } = this;
    const row = this.pos * nEnvs;
    const o = this.observations;
    for (let j = 0, base = row * obsDim; j < nEnvs * obsDim; j++) o[base + j] = observations[j];
    for (let j = 0; j < nEnvs * actDim; j++) this.actions[row * actDim + j] = actions[j];
    if (this.actionMasks !== null && actionMasks !== null) this.actionMasks.set(actionMasks, row * this.maskDim);
    for (let e = 0; e < nEnvs; e++) {
      this.logProbs[row + e] = logProbs[e];
      this.values[row + e] = values[e];
      this.rewards[row + e] = rewards[e];
      this.terminated[row + e] = terminated[e];
      this.truncated[row + e] = truncated[e];
    }
    this.pos++;
  }

  /** Record V(final observation) of env `env` for the step just added (it was truncated). */
  setTruncatedValue(env: number, value: number): void {
    this.truncatedValues[(this.pos - 1) * this.nEnvs + env] = value;
  }

  /** Advantages by GAE(gamma, lambda) and value targets R = A + V; `lastValues` is V of the next observation. */
  computeAdvantages(lastValues: ArrayLike<number>, gamma: number, gaeLambda: number): void {
    computeGae(this.gaeInputs(lastValues), gamma, gaeLambda, this.advantages, this.returns);
  }

  /** Discounted reward-to-go into `returns` (REINFORCE); advantages = returns - values. */
  computeRewardToGo(lastValues: ArrayLike<number>, gamma: number): void {
    computeRewardToGo(this.gaeInputs(lastValues), gamma, this.returns);
    for (let i = 0; i < this.size; i++) this.advantages[i] = this.returns[i] - this.values[i];
  }

  /** Draw a fresh permutation of the flattened batch indices from `rng`. */
  shuffle(rng: Rng): void {
    rng.permutation(this.size, this.indices);
  }

  /** Identity order (for full-batch updates such as A2C and TRPO). */
  sequential(): void {
    for (let i = 0; i < this.size; i++) this.indices[i] = i;
  }

  /** Copy rows indices[start, start + size) of the flattened batch into `mb`. */
  gather(start: number, size: number, mb: Minibatch): Minibatch {
    if (size > mb.capacity || start + size > this.size) {
      throw new InvalidArgumentError(
        `RolloutBuffer.gather: rows [${start}, ${start + size}) do not fit buffer ${this.size} / minibatch ${mb.capacity}`,
      );
    }
    const { obsDim, actDim, maskDim, indices, observations, actions } = this;
    const masks = this.actionMasks;
    const mbMasks = mb.actionMasks;
    for (let k = 0; k < size; k++) {
      const i = indices[start + k];
      for (let j = 0; j < obsDim; j++) mb.observations[k * obsDim + j] = observations[i * obsDim + j];
      for (let j = 0; j < actDim; j++) mb.actions[k * actDim + j] = actions[i * actDim + j];
      // a loop, not set(subarray(...)): a view per row was most of a Discrete minibatch's garbage
      if (masks !== null && mbMasks !== null)
        for (let j = 0; j < maskDim; j++) mbMasks[k * maskDim + j] = masks[i * maskDim + j];
      mb.logProbs[k] = this.logProbs[i];
      mb.values[k] = this.values[i];
      mb.advantages[k] = this.advantages[i];
      mb.returns[k] = this.returns[i];
    }
    mb.size = size;
    return mb;
  }

  private gaeInputs(lastValues: ArrayLike<number>) {
    if (this.pos !== this.nSteps) {
      throw new InvalidArgumentError(`RolloutBuffer: advantages need a full buffer, have ${this.pos}/${this.nSteps}`);
    }
    return {
      nSteps: this.nSteps,
      nEnvs: this.nEnvs,
      rewards: this.rewards,
      values: this.values,
      terminated: this.terminated,
      truncated: this.truncated,
      truncatedValues: this.truncatedValues,
      lastValues,
    };
  }
}
