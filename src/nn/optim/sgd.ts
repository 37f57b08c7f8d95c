import { checkRange } from "../../core/checks.js";
import type { Tensor } from "../../core/tensor.js";
import { InvalidArgumentError } from "../../errors.js";
import { Optimizer } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  /** default 0 */
  momentum?: number;
  /** default 0 */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false */
  nesterov?: boolean;
  /** L2 penalty added to the gradient; default 0 */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent as PyTorch: g += wd θ; with momentum, buf = g on the first step, else
 * buf = μ buf + (1 - dampening) g, and g = nesterov ? g + μ buf : buf; θ -= lr g.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly buf: Tensor[];

  constructor(params: readonly Tensor[], opts: SGDOptions) {
    super("SGD", params, opts?.lr);
    this.momentum = opts.momentum ?? 0;
    checkRange("SGD: momentum", this.momentum, 0, 1, "[)");
    this.dampening = opts.dampening ?? 0;
    checkRange("SGD: dampening", this.dampening, 0, 1, "[)");
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new InvalidArgumentError("SGD: nesterov needs momentum > 0 and dampening 0");
    }
    this.weightDecay = opts.weightDecay ?? 0;
    checkRange("SGD: weightDecay", this.weightDecay, 0, Infinity, "[)");
    this.buf = this.momentum > 0 ? this.stateBuffers("momentum_buffer") : [];
  }

  protected update(): void {
    const k = this.engine.kernels;
    const first = this.stepCount === 0;
    this.stepCount++;
    for (const run of this.runs) {
      k.sgdStep(
        run.value,
        run.grad,
        this.momentum > 0 ? this.buf[run.first].offset : 0,
        run.length,
        this.lr,
        this.momentum,
        this.dampening,
        this.nesterov,
        this.weightDecay,
        first,
      );
    }
  }
}
