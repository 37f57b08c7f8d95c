import { checkBool } from "../../core/checks.js";
import type { Engine } from "../../core/engine.js";
import { add, mean, reshape, sub } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { Linear } from "../../nn/linear.js";
import { MLP } from "../../nn/mlp.js";
import { polyakUpdate } from "../../nn/polyak.js";

export interface QNetworkOptions {
  inputSize: number;
  hiddenSizes: readonly number[];
  nActions: number;
  /** Dueling head (Wang et al. 2016): Q(s,a) = V(s) + A(s,a) - mean_a' A(s,a'). Default false. */
  dueling?: boolean;
}

/**
 * The Q-function approximator of DQN: an MLP with ReLU hidden layers mapping an observation to one value per
 * action, [B, obs] -> [B, nActions]. With `dueling`, the last hidden features feed two linear heads, a state value
 * V [B, 1] and advantages A [B, nActions] (the MLP's output layer), recombined as Q = V + (A - mean(A)) (the mean
 * makes V and A identifiable).
 *
 * Initialisation is PyTorch's nn.Linear default (what SB3's DQN uses): weights and biases uniform in
 * +-1/sqrt(fan_in), drawn layer by layer (hidden layers, head, value head). The layers run unfused (matmul, bias,
 * relu as separate ops; see MLPOptions.fuseActivation): DQN's tuned results were measured with that rounding.
 */
export class QNetwork {
  readonly engine: Engine;
  readonly nActions: number;
  /** hidden layers and the head (Q-values, or advantages when dueling) */
  private readonly mlp: MLP;
  private readonly valueHead: Linear | null;

  constructor(engine: Engine, rng: Rng, opts: QNetworkOptions) {
    const { inputSize, hiddenSizes, nActions } = opts;
    const dueling = checkBool("QNetwork: dueling", opts.dueling ?? false);
    this.engine = engine;
    this.mlp = new MLP(engine, rng, {
      inputSize,
      hiddenSizes,
      outputSize: nActions,
      activation: "relu",
      init: "default",
      fuseActivation: false,
    });
    this.nActions = nActions;
    const features = this.mlp.layers[this.mlp.layers.length - 1].inFeatures;
    this.valueHead = dueling ? new Linear(engine, rng, features, 1, { init: "default" }) : null;
  }

  /** Q-values [B, nActions] for observations x [B, inputSize]. */
  forward(x: Tensor): Tensor {
    if (this.valueHead === null) return this.mlp.forward(x);
    const h = this.mlp.hidden(x);
    const adv = this.mlp.layer(this.mlp.layers.length - 1, h);
    const value = this.valueHead.forward(h); // [B, 1]
    const centred = sub(adv, reshape(mean(adv, 1), [adv.shape[0], 1])); // A - mean_a A
    return add(centred, value);
  }

  /** Every trainable tensor, in a fixed order (checkpoints and optimizers rely on it). */
  parameters(): Tensor[] {
    const ps = this.mlp.parameters();
    if (this.valueHead) ps.push(...this.valueHead.parameters());
    return ps;
  }

  /** Names matching {@link parameters}, for checkpoints (the names of DQN checkpoints since format 1). */
  parameterNames(): string[] {
    const names: string[] = [];
    for (let i = 0; i + 1 < this.mlp.layers.length; i++) names.push(`hidden${i}.weight`, `hidden${i}.bias`);
    names.push("head.weight", "head.bias");
    if (this.valueHead) names.push("value.weight", "value.bias");
    return names;
  }

  /**
   * theta' <- tau * theta + (1 - tau) * theta' from `source` (same architecture, same engine): tau = 1 is DQN's hard
   * target update, tau < 1 a Polyak average (nn's polyakUpdate, tensor by tensor as DQN's measured runs did).
   */
  updateFrom(source: QNetwork, tau: number): void {
    polyakUpdate(source.parameters(), this.parameters(), tau);
  }

  /** FLOPs of one forward pass on a batch (multiply-adds count 2), for throughput reports. */
  forwardFlops(batch: number): number {
    let flops = 0;
    for (const p of this.parameters()) if (p.shape.length === 2) flops += 2 * batch * p.shape[0] * p.shape[1];
    return flops;
  }
}
