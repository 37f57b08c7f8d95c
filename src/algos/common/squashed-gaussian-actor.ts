import type { Engine } from "../../core/engine.js";
import { clamp, sliceLast } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { SquashedDiagGaussian } from "../../distributions/squashed-diag-gaussian.js";
import { type Activation, MLP } from "../../nn/mlp.js";
import { mlpForwardFlops, mlpParameterNames } from "./continuous-critic.js";

/** SB3's bounds on the actor's log standard deviation (numerical safety of exp and of the tanh correction). */
const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;

/**
 * SAC's actor (SB3's sac Actor): an MLP maps s to the mean and the log standard deviation of a Gaussian over the
 * pre-squash action u, clamped to [-20, 2]; the action a = tanh(u) lies in (-1, 1) (the env receives it rescaled to
 * its bounds). One network with a 2 * dim(A) output computes exactly what SB3's latent network with two linear heads
 * computes (the heads share their input), with every layer one fused op.
 */
export class SquashedGaussianActor {
  readonly net: MLP;
  readonly actionDim: number;

  constructor(
    engine: Engine,
    rng: Rng,
    obsDim: number,
    actionDim: number,
    hiddenSizes: readonly number[],
    activation: Activation,
  ) {
    this.actionDim = actionDim;
    this.net = new MLP(engine, rng, {
      inputSize: obsDim,
      hiddenSizes,
      outputSize: 2 * actionDim,
      activation,
      init: "default",
    });
  }

  /** pi(.|s) for observations [B, obsDim]. */
  distribution(obs: Tensor): SquashedDiagGaussian {
    const out = this.net.forward(obs);
    const d = this.actionDim;
    return new SquashedDiagGaussian(sliceLast(out, 0, d), clamp(sliceLast(out, d, 2 * d), LOG_STD_MIN, LOG_STD_MAX));
  }

  parameters(): Tensor[] {
    return this.net.parameters();
  }

  parameterNames(): string[] {
    return mlpParameterNames(this.net, "pi");
  }

  forwardFlops(batch: number): number {
    return mlpForwardFlops(this.net, batch);
  }
}
