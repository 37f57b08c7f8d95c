import type { Engine } from "../../core/engine.js";
import { add, mean, reshape, sub } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { InvalidArgumentError } from "../../errors.js";
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
 * The Q-function approximator of DQN: nn's MLP with ReLU hidden layers mapping an observation to one value per
 * action, [B, obs] -> [B, nActions]. With `dueling`, the last hidden features also feed a state-value head
 * V [B, 1], and the MLP's output layer gives advantages A, recombined as Q = V + (A - mean(A)) (the mean makes V
 * and A identifiable).
 *
 * Initialisation is PyTorch's nn.Linear default (what SB3's DQN uses): weights and biases uniform in
 * +-1/sqrt(fan_in).
 */
export class QNetwork {
  readonly engine: Engine;
  readonly nActions: number;
  readonly mlp: MLP;
  private readonly valueHead: Linear | null;

  constructor(engine: Engine, rng: Rng, opts: QNetworkOptions) {
    const { inputSize, hiddenSizes, nActions } = opts;
    if (!Array.isArray(hiddenSizes)) {
      throw new InvalidArgumentError(`QNetwork: hiddenSizes must be a list of positive integers, got ${hiddenSizes}`);
    }
    this.engine = engine;
    this.nActions = nActions;
    const mlp = { inputSize, hiddenSizes, outputSize: nActions, activation: "relu", init: "default" } as const;
    this.mlp = new MLP(engine, rng, mlp);
    const features = hiddenSizes.length > 0 ? hiddenSizes[hiddenSizes.length - 1] : inputSize;
    this.valueHead = opts.dueling ? new Linear(engine, rng, features, 1, { init: "default" }) : null;
  }

  /** Q-values [B, nActions] for observations x [B, inputSize]. */
  forward(x: Tensor): Tensor {
    if (this.valueHead === null) return this.mlp.forward(x);
    const h = this.mlp.hidden(x);
    const advantages = this.mlp.layer(this.mlp.layers.length - 1, h);
    const centred = sub(advantages, reshape(mean(advantages, 1), [advantages.shape[0], 1])); // A - mean_a A
    return add(centred, this.valueHead.forward(h));
  }

  /** Every trainable tensor, in a fixed order (checkpoints and optimizers rely on it). */
  parameters(): Tensor[] {
    return [...this.mlp.parameters(), ...(this.valueHead?.parameters() ?? [])];
  }

  /** Names matching {@link parameters}, for checkpoints: hidden<i>.weight|bias, head.*, value.* (dueling). */
  parameterNames(): string[] {
    const layers = this.mlp.layers.map((_, i) => (i + 1 === this.mlp.layers.length ? "head" : `hidden${i}`));
    if (this.valueHead !== null) layers.push("value");
    return layers.flatMap((l) => [`${l}.weight`, `${l}.bias`]);
  }

  /**
   * theta' <- tau * theta + (1 - tau) * theta' from `source` (same architecture, same engine): tau = 1 is DQN's hard
   * target update, tau < 1 a Polyak average.
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
