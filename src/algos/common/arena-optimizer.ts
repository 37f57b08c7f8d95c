import type { Kernels } from "../../core/kernels/index.js";
import { describe, InvalidArgumentError } from "../../errors.js";

/**
 * A first-order optimizer over a block of the actor-critic policy's arena copy of its parameters and the gradient
 * block beside it (`ActorCriticPolicy.arenaParams` / `arenaGrads`): one fused kernel of the numeric core per step,
 * WebAssembly SIMD over float32 (or the TypeScript reference over a float64 arena with the "ts" kernels), its moments
 * in the arena too. State (moments, step count) is explicit so checkpoints resume bit for bit.
 */
export interface ArenaOptimizer {
  readonly kind: "adam" | "rmsprop";
  lr: number;
  step(): void;
  /** what a checkpoint saves: the step count, and the moment arrays by name (written into by a restore) */
  stepCount: number;
  stateArrays(): Record<string, Float32Array | Float64Array>;
}

/**
 * Adam (Kingma and Ba 2015) with PyTorch's bias correction (the core's adamStep):
 *   m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
export class KernelAdam implements ArenaOptimizer {
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
 * RMSprop (the core's rmspropStep): v = alpha v + (1 - alpha) g^2 ; p -= lr g / (sqrt(v) + eps), with v starting at
 * 0 (PyTorch, which SB3's A2C uses by default), or with `epsInsideSqrt` p -= lr g / sqrt(v + eps) and v starting at
 * 1 (TensorFlow, SB3's RMSpropTFLike, as the original A2C implementation in OpenAI baselines).
 */
export class KernelRmsprop implements ArenaOptimizer {
  readonly kind = "rmsprop";
  /** arena offset of the running mean of squared gradients, n elements */
  readonly sq: number;
  stepCount = 0;

  constructor(
    readonly kernels: Kernels,
    readonly param: number,
    readonly grad: number,
    readonly n: number,
    public lr: number,
    readonly alpha = 0.99,
    readonly eps = 1e-5,
    readonly epsInsideSqrt = false,
  ) {
    checkPositive("eps", eps);
    this.sq = kernels.arena.allocZeroed(n);
    if (epsInsideSqrt) kernels.fill(this.sq, 1, n);
  }

  step(): void {
    this.stepCount++;
    const { kernels, param, grad, sq, n } = this;
    kernels.rmspropStep(param, grad, sq, 0, 0, n, this.lr, this.alpha, this.eps, 0, 0, false, this.epsInsideSqrt);
  }

  stateArrays(): Record<string, Float32Array | Float64Array> {
    const view = this.kernels.arena.view;
    return { v: view.subarray(this.sq, this.sq + this.n) };
  }
}

function checkPositive(name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v))
    throw new InvalidArgumentError(`optimizer ${name} must be a finite number > 0, got ${describe(v)}`);
}
