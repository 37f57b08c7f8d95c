import { checkInt } from "../core/checks.js";
import type { Engine } from "../core/engine.js";
import { linear } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { InvalidArgumentError } from "../errors.js";
import { constantInit, defaultLinearInit, orthogonalInit } from "./init.js";
import type { Module } from "./module.js";

export interface LinearOptions {
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** "orthogonal" (with `gain`, bias = `biasInit`) or "default" (PyTorch's uniform init). Default "orthogonal". */
  init?: "orthogonal" | "default";
  /** Gain of the orthogonal init (default sqrt(2)). */
  gain?: number;
  /** Constant bias value for the orthogonal init (default 0). */
  biasInit?: number;
}

/** y = x W^T + b with W [out, in] and b [out] (PyTorch layout). */
export class Linear implements Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(engine: Engine, rng: Rng, inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    checkInt("Linear: inFeatures", inFeatures, 1);
    checkInt("Linear: outFeatures", outFeatures, 1);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = engine.parameter([outFeatures, inFeatures]);
    this.bias = opts.bias === false ? null : engine.parameter([outFeatures]);
    const init = opts.init ?? "orthogonal";
    if (init === "orthogonal") {
      orthogonalInit(this.weight, opts.gain ?? Math.SQRT2, rng);
      if (this.bias !== null) constantInit(this.bias, opts.biasInit ?? 0);
    } else if (init === "default") {
      defaultLinearInit(this.weight, this.bias, rng);
    } else {
      throw new InvalidArgumentError(`Linear: init must be "orthogonal" or "default", got ${JSON.stringify(init)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  parameters(): Tensor[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }
}
