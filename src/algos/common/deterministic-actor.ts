import type { Engine } from "../../core/engine.js";
import { tanh } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { type Activation, MLP } from "../../nn/mlp.js";
import { mlpForwardFlops, mlpParameterNames } from "./continuous-critic.js";

/**
 * The deterministic policy of TD3 and DDPG (SB3's td3 Actor): mu(s) = tanh(MLP(s)) in (-1, 1), rescaled to the
 * action space's bounds by the algorithm. PyTorch's default layer init, as SB3.
 */
export class DeterministicActor {
  readonly net: MLP;

  constructor(
    engine: Engine,
    rng: Rng,
    obsDim: number,
    actionDim: number,
    hiddenSizes: readonly number[],
    activation: Activation,
  ) {
    this.net = new MLP(engine, rng, {
      inputSize: obsDim,
      hiddenSizes,
      outputSize: actionDim,
      activation,
      init: "default",
    });
  }

  /** mu(s) for observations [B, obsDim] -> [B, dim(A)]. */
  forward(obs: Tensor): Tensor {
    return tanh(this.net.forward(obs));
  }

  parameters(): Tensor[] {
    return this.net.parameters();
  }

  parameterNames(): string[] {
    return mlpParameterNames(this.net, "mu");
  }

  forwardFlops(batch: number): number {
    return mlpForwardFlops(this.net, batch);
  }
}
