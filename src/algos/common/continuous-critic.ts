import type { Engine } from "../../core/engine.js";
import { concat } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { type Activation, MLP } from "../../nn/mlp.js";

/**
 * The critics of SAC, TD3 and DDPG (SB3's ContinuousCritic): `nCritics` independent Q-networks, each an MLP over the
 * concatenated observation and action, Q_j(s, a) = MLP_j([s, a]) -> [B, 1]. Layers use PyTorch's default init, as
 * SB3's off-policy policies do.
 */
export class ContinuousCritic {
  readonly qNets: readonly MLP[];

  constructor(
    engine: Engine,
    rng: Rng,
    obsDim: number,
    actionDim: number,
    hiddenSizes: readonly number[],
    activation: Activation,
    nCritics: number,
  ) {
    const nets: MLP[] = [];
    for (let j = 0; j < nCritics; j++) {
      nets.push(
        new MLP(engine, rng, {
          inputSize: obsDim + actionDim,
          hiddenSizes,
          outputSize: 1,
          activation,
          init: "default",
        }),
      );
    }
    this.qNets = nets;
  }

  /** Q_j(s, a) of every critic, each [B, 1]. */
  forward(obs: Tensor, actions: Tensor): Tensor[] {
    const x = concat([obs, actions]);
    return this.qNets.map((q) => q.forward(x));
  }

  /** Q_1(s, a) only (TD3's and DDPG's actor loss), [B, 1]. */
  forwardFirst(obs: Tensor, actions: Tensor): Tensor {
    return this.qNets[0].forward(concat([obs, actions]));
  }

  /** Every parameter, critic by critic, layer by layer. */
  parameters(): Tensor[] {
    return this.qNets.flatMap((q) => q.parameters());
  }

  /** Names matching {@link parameters}: `qf{j}.{layer}.weight` / `.bias`. */
  parameterNames(): string[] {
    return this.qNets.flatMap((q, j) => mlpParameterNames(q, `qf${j}`));
  }

  /** FLOPs of one forward pass of every critic on a batch (a multiply-add counts 2). */
  forwardFlops(batch: number): number {
    return this.qNets.reduce((s, q) => s + mlpForwardFlops(q, batch), 0);
  }
}

/** `{prefix}.{i}.weight` / `.bias` for each layer of an MLP (PyTorch state_dict style). */
export function mlpParameterNames(mlp: MLP, prefix: string): string[] {
  return mlp.layers.flatMap((l, i) =>
    l.bias === null ? [`${prefix}.${i}.weight`] : [`${prefix}.${i}.weight`, `${prefix}.${i}.bias`],
  );
}

/** FLOPs of an MLP's forward pass on a batch: 2 per multiply-add of each layer's matmul. */
export function mlpForwardFlops(mlp: MLP, batch: number): number {
  return mlp.layers.reduce((s, l) => s + 2 * batch * l.inFeatures * l.outFeatures, 0);
}
