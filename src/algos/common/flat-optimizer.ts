import type { Kernels } from "../../core/kernels/index.js";
import { describe, InvalidArgumentError } from "../../errors.js";

/** What a checkpoint saves of an optimizer: its step count and its moment arrays, by name. */
export interface OptimizerState {
  stepCount: number;
  /** moment arrays, by name: written into by a restore, copied by a save */
  stateArrays(): Record<string, Float32Array | Float64Array>;
}

/**
 * First-order optimizers over a slice [start, end) of one flat float64 parameter vector and its gradient
 * (the on-policy algorithms keep all their parameters in one vector, see ActorCriticPolicy).
 * State (moments, step count) is explicit so checkpoints resume bit for bit.
 */
export interface FlatOptimizer extends OptimizerState {
  readonly kind: "adam" | "rmsprop";
  lr: number;
  readonly start: number;
  readonly end: number;
  step(params: Float64Array, grads: Float64Array): void;
  /** moment arrays, by name, for checkpoints */
  stateArrays(): Record<string, Float64Array>;
  stepCount: number;
}

/**
 * Adam (Kingma and Ba 2015) with PyTorch's bias correction:
 *   m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
export class FlatAdam implements FlatOptimizer {
  readonly kind = "adam";
  readonly m: Float64Array;
  readonly v: Float64Array;
  stepCount = 0;

  constructor(
    readonly start: number,
    readonly end: number,
    public lr: number,
    readonly eps = 1e-8,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
  ) {
    checkPositive("eps", eps);
    this.m = new Float64Array(end - start);
    this.v = new Float64Array(end - start);
  }

  step(params: Float64Array, grads: Float64Array): void {
    this.stepCount++;
    const { m, v, beta1, beta2, eps, start } = this;
    const c1 = 1 - beta1 ** this.stepCount;
    const sqrtC2 = Math.sqrt(1 - beta2 ** this.stepCount);
    const stepSize = this.lr / c1;
    for (let i = 0; i < m.length; i++) {
      const g = grads[start + i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[start + i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtC2 + eps);
    }
  }

  stateArrays(): Record<string, Float64Array> {
    return { m: this.m, v: this.v };
  }
}

/**
 * Adam as above on parameters and gradients that live in an arena (the policy's arena copy of the flat vector),
 * as the numeric core's fused kernel: one pass in WebAssembly SIMD over float32 (or the TypeScript reference over
 * a float64 arena, the same arithmetic as FlatAdam), with its moments in the arena too. This keeps a training
 * step free of float64 <-> float32 copies: the arena copy is the master the step updates.
 */
export class KernelAdam implements OptimizerState {
  readonly kind = "adam";
  /** arena offsets of the first moment m and second moment v, n elements each */
  readonly m: number;
  readonly v: number;
  stepCount = 0;

  constructor(
    readonly kernels: Kernels,
    readonly param: number,
    readonly grad: number,
    readonly n: number,
    public lr: number,
    readonly eps = 1e-8,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
  ) {
    checkPositive("eps", eps);
    this.m = kernels.arena.allocZeroed(n);
    this.v = kernels.arena.allocZeroed(n);
  }

  step(): void {
    this.stepCount++;
    const { kernels, param, grad, m, v, n } = this;
    kernels.adamStep(param, grad, m, v, n, this.lr, this.beta1, this.beta2, this.eps, 0, this.stepCount);
  }

  /** Views of the moments in the arena (take them afresh: a growing arena detaches old views). */
  stateArrays(): Record<string, Float32Array | Float64Array> {
    const view = this.kernels.arena.view;
    return { m: view.subarray(this.m, this.m + this.n), v: view.subarray(this.v, this.v + this.n) };
  }
}

/**
 * RMSprop: v = alpha v + (1 - alpha) g^2 ; p -= lr g / (sqrt(v) + eps), with v starting at 0 (PyTorch, which
 * SB3's A2C uses by default), or with `epsInsideSqrt` p -= lr g / sqrt(v + eps) and v starting at 1 (TensorFlow,
 * SB3's RMSpropTFLike, as the original A2C implementation in OpenAI baselines).
 */
export class FlatRmsprop implements FlatOptimizer {
  readonly kind = "rmsprop";
  readonly v: Float64Array;
  stepCount = 0;

  constructor(
    readonly start: number,
    readonly end: number,
    public lr: number,
    readonly alpha = 0.99,
    readonly eps = 1e-5,
    readonly epsInsideSqrt = false,
  ) {
    checkPositive("eps", eps);
    this.v = new Float64Array(end - start).fill(epsInsideSqrt ? 1 : 0);
  }

  step(params: Float64Array, grads: Float64Array): void {
    this.stepCount++;
    const { v, alpha, eps, start, lr } = this;
    for (let i = 0; i < v.length; i++) {
      const g = grads[start + i];
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      params[start + i] -= (lr * g) / (this.epsInsideSqrt ? Math.sqrt(v[i] + eps) : Math.sqrt(v[i]) + eps);
    }
  }

  stateArrays(): Record<string, Float64Array> {
    return { v: this.v };
  }
}

/** Scale grads[start, end) so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNormFlat(grads: Float64Array, start: number, end: number, maxNorm: number): number {
  let sq = 0;
  for (let i = start; i < end; i++) sq += grads[i] * grads[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let i = start; i < end; i++) grads[i] *= scale;
  }
  return norm;
}

function checkPositive(name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v))
    throw new InvalidArgumentError(`optimizer ${name} must be a finite number > 0, got ${describe(v)}`);
}
