import { checkRange } from "../../core/checks.js";
import type { Tensor } from "../../core/tensor.js";
import { Optimizer } from "./optimizer.js";

export interface RMSpropOptions {
  /** default 1e-2 (PyTorch) */
  lr?: number;
  /** smoothing constant; default 0.99 */
  alpha?: number;
  /** default 1e-8 (SB3's A2C: 1e-5 with epsInsideSqrt) */
  eps?: number;
  /** default 0 */
  momentum?: number;
  /** normalise by the centred second moment (an estimate of the variance); default false */
  centered?: boolean;
  /** L2 penalty added to the gradient; default 0 */
  weightDecay?: number;
  /**
   * TensorFlow-style eps placement, as SB3's RMSpropTFLike (A2C's optimizer): denominator sqrt(s + eps) instead of
   * sqrt(s) + eps, and the square average starts at one instead of zero. Default false (PyTorch).
   */
  epsInsideSqrt?: boolean;
}

/**
 * RMSprop: s = α s + (1-α) g^2 (centred: minus the square of a running mean of g), denom = sqrt(s) + eps (PyTorch)
 * or sqrt(s + eps) (TF); with momentum: buf = μ buf + g / denom, θ -= lr buf; else θ -= lr g / denom.
 */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;
  readonly epsInsideSqrt: boolean;
  private readonly sq: Tensor[];
  private readonly buf: Tensor[];
  private readonly gradAvg: Tensor[];

  constructor(params: readonly Tensor[], opts: RMSpropOptions = {}) {
    super("RMSprop", params, opts.lr ?? 1e-2);
    this.alpha = opts.alpha ?? 0.99;
    checkRange("RMSprop: alpha", this.alpha, 0, 1, "[)");
    this.eps = opts.eps ?? 1e-8;
    checkRange("RMSprop: eps", this.eps, 0, Infinity, "[)");
    this.momentum = opts.momentum ?? 0;
    checkRange("RMSprop: momentum", this.momentum, 0, 1, "[)");
    this.centered = opts.centered ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    checkRange("RMSprop: weightDecay", this.weightDecay, 0, Infinity, "[)");
    this.epsInsideSqrt = opts.epsInsideSqrt ?? false;
    this.sq = this.stateBuffers("square_avg", this.epsInsideSqrt ? 1 : 0);
    this.buf = this.momentum > 0 ? this.stateBuffers("momentum_buffer") : [];
    this.gradAvg = this.centered ? this.stateBuffers("grad_avg") : [];
  }

  protected update(): void {
    this.stepCount++;
    const k = this.engine.kernels;
    for (const run of this.runs) {
      const i = run.first;
      k.rmspropStep(
        run.value,
        run.grad,
        this.sq[i].offset,
        this.momentum > 0 ? this.buf[i].offset : 0,
        this.centered ? this.gradAvg[i].offset : 0,
        run.length,
        this.lr,
        this.alpha,
        this.eps,
        this.weightDecay,
        this.momentum,
        this.centered,
        this.epsInsideSqrt,
      );
    }
  }
}
