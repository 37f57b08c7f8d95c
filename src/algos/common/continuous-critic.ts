import type { Engine } from "../../core/engine.js";
import { add, concat, mean, min, mulScalar, square, sub } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { FloatArray, Tensor } from "../../core/tensor.js";
import { type Activation, MLP } from "../../nn/mlp.js";
import { Adam } from "../../nn/optim/adam.js";
import { polyakUpdate } from "../../nn/polyak.js";
import { meanOf } from "./off-policy.js";
import type { ReplayBatch } from "./replay-buffer.js";

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

/**
 * The critic side that SAC, TD3 and DDPG share: the critics Q_j, their Polyak-averaged targets Q'_j (a copy at
 * first), the critics' Adam, and per minibatch
 *
 *   y = r + gamma (1 - d) v(s')                    v from min_j Q'_j(s', a'), the algorithm's next-state value
 *   J(Q) = scale sum_j mean[(Q_j(s, a) - y)^2]     one Adam step
 *   theta' <- tau theta + (1 - tau) theta'         when the algorithm says
 */
export class CriticsWithTargets {
  readonly critic: ContinuousCritic;
  readonly target: ContinuousCritic;
  readonly params: Tensor[];
  readonly targetParams: Tensor[];
  readonly optimizer: Adam;
  /** the bootstrap targets y of a minibatch */
  private readonly y: Float32Array;

  constructor(make: () => ContinuousCritic, lr: number, batchSize: number) {
    this.critic = make();
    this.target = make();
    this.params = this.critic.parameters();
    this.targetParams = this.target.parameters();
    polyakUpdate(this.params, this.targetParams, 1);
    this.optimizer = new Adam(this.params, { lr });
    this.y = new Float32Array(batchSize);
  }

  /** min_j Q'_j(s', a') per row (call under `noGrad`). */
  minTargetQ(nextObs: Tensor, nextActions: Tensor): FloatArray {
    const qs = this.target.forward(nextObs, nextActions);
    return (qs.length === 1 ? qs[0] : min(concat(qs))).data();
  }

  /** y_i = r_i + gamma (1 - d_i) nextValue(i), [B, 1], a constant of the critic loss. */
  targets(batch: ReplayBatch, gamma: number, nextValue: (i: number) => number): Tensor {
    const B = batch.size;
    for (let i = 0; i < B; i++) this.y[i] = batch.rewards[i] + (batch.terminated[i] ? 0 : gamma * nextValue(i));
    return this.params[0].engine.tensor(this.y.subarray(0, B), [B, 1]);
  }

  /**
   * One step on J(Q) = scale sum_j mean[(Q_j(s, a) - y)^2]; `retainGraph` keeps the scope's tape for a later
   * backward (SAC's actor loss reuses its sample). Returns the loss and mean Q_1(s, a).
   */
  step(obs: Tensor, actions: Tensor, y: Tensor, scale = 1, retainGraph = false): { loss: number; meanQ1: number } {
    const qs = this.critic.forward(obs, actions);
    let loss = mean(square(sub(qs[0], y)));
    for (let j = 1; j < qs.length; j++) loss = add(loss, mean(square(sub(qs[j], y))));
    if (scale !== 1) loss = mulScalar(loss, scale);
    this.optimizer.zeroGrad();
    y.engine.backward(loss, undefined, { retainGraph });
    this.optimizer.step();
    return { loss: loss.item(), meanQ1: meanOf(qs[0]) };
  }

  /** `f` with the critics' weights frozen: an actor loss backpropagates through them without touching them. */
  frozen<T>(f: () => T): T {
    for (const p of this.params) p.requiresGrad = false;
    try {
      return f();
    } finally {
      for (const p of this.params) p.requiresGrad = true;
    }
  }

  /** theta' <- tau theta + (1 - tau) theta' */
  polyak(tau: number): void {
    polyakUpdate(this.params, this.targetParams, tau);
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
