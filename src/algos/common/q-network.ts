import type { Engine } from "../../core/engine.js";
import { add, linear, mean, relu, reshape, sub } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { InvalidArgumentError } from "../../errors.js";

export interface QNetworkOptions {
  inputSize: number;
  hiddenSizes: readonly number[];
  nActions: number;
  /** Dueling head (Wang et al. 2016): Q(s,a) = V(s) + A(s,a) - mean_a' A(s,a'). Default false. */
  dueling?: boolean;
}

interface Dense {
  weight: Tensor; // [out, in], PyTorch layout
  bias: Tensor; // [out]
}

/**
 * The Q-function approximator of DQN: an MLP with ReLU hidden layers mapping an observation to one value per
 * action, [B, obs] -> [B, nActions]. With `dueling`, the last hidden features feed two linear heads, a state value
 * V [B, 1] and advantages A [B, nActions], recombined as Q = V + (A - mean(A)) (the mean makes V and A identifiable).
 *
 * Initialisation is PyTorch's nn.Linear default (what SB3's DQN uses): weights and biases uniform in
 * +-1/sqrt(fan_in).
 */
export class QNetwork {
  readonly engine: Engine;
  readonly inputSize: number;
  readonly nActions: number;
  readonly dueling: boolean;
  private readonly hidden: Dense[];
  private readonly head: Dense; // advantages (dueling) or Q-values
  private readonly valueHead: Dense | null;

  constructor(engine: Engine, rng: Rng, opts: QNetworkOptions) {
    const { inputSize, hiddenSizes, nActions } = opts;
    for (const [name, v] of [
      ["inputSize", inputSize],
      ["nActions", nActions],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidArgumentError(`QNetwork: ${name} must be a positive integer, got ${v}`);
      }
    }
    if (!Array.isArray(hiddenSizes) || hiddenSizes.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new InvalidArgumentError(
        `QNetwork: hiddenSizes must be a list of positive integers, got ${JSON.stringify(hiddenSizes)}`,
      );
    }
    this.engine = engine;
    this.inputSize = inputSize;
    this.nActions = nActions;
    this.dueling = opts.dueling ?? false;
    this.hidden = [];
    let fanIn = inputSize;
    for (const h of hiddenSizes) {
      this.hidden.push(dense(engine, rng, fanIn, h));
      fanIn = h;
    }
    this.head = dense(engine, rng, fanIn, nActions);
    this.valueHead = this.dueling ? dense(engine, rng, fanIn, 1) : null;
  }

  /** Q-values [B, nActions] for observations x [B, inputSize]. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.hidden) h = relu(linear(h, l.weight, l.bias));
    const out = linear(h, this.head.weight, this.head.bias);
    if (this.valueHead === null) return out;
    const batch = out.shape[0];
    const value = linear(h, this.valueHead.weight, this.valueHead.bias); // [B, 1]
    const centred = sub(out, reshape(mean(out, 1), [batch, 1])); // A - mean_a A
    return add(centred, value);
  }

  /** Every trainable tensor, in a fixed order (checkpoints and optimizers rely on it). */
  parameters(): Tensor[] {
    const ps: Tensor[] = [];
    for (const l of this.hidden) ps.push(l.weight, l.bias);
    ps.push(this.head.weight, this.head.bias);
    if (this.valueHead) ps.push(this.valueHead.weight, this.valueHead.bias);
    return ps;
  }

  /** Names matching {@link parameters}, for checkpoints. */
  parameterNames(): string[] {
    const names: string[] = [];
    this.hidden.forEach((_, i) => {
      names.push(`hidden${i}.weight`, `hidden${i}.bias`);
    });
    names.push("head.weight", "head.bias");
    if (this.valueHead) names.push("value.weight", "value.bias");
    return names;
  }

  /**
   * theta' <- tau * theta + (1 - tau) * theta' from `source` (same architecture, same engine): tau = 1 is DQN's hard
   * target update, tau < 1 a Polyak average.
   */
  updateFrom(source: QNetwork, tau: number): void {
    const k = this.engine.kernels;
    const mine = this.parameters();
    const theirs = source.parameters();
    for (let i = 0; i < mine.length; i++) {
      const p = mine[i];
      if (tau === 1) {
        k.copy(theirs[i].offset, p.offset, p.size);
      } else {
        k.scale(p.offset, 1 - tau, p.offset, p.size);
        k.axpy(tau, theirs[i].offset, p.offset, p.size);
      }
    }
  }

  /** FLOPs of one forward pass on a batch (multiply-adds count 2), for throughput reports. */
  forwardFlops(batch: number): number {
    let flops = 0;
    for (const p of this.parameters()) if (p.shape.length === 2) flops += 2 * batch * p.shape[0] * p.shape[1];
    return flops;
  }
}

function dense(engine: Engine, rng: Rng, fanIn: number, fanOut: number): Dense {
  const bound = 1 / Math.sqrt(fanIn);
  const weight = engine.parameter([fanOut, fanIn]);
  const bias = engine.parameter([fanOut]);
  const w = new Float64Array(fanOut * fanIn);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniformRange(-bound, bound);
  const b = new Float64Array(fanOut);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniformRange(-bound, bound);
  weight.set(w);
  bias.set(b);
  return { weight, bias };
}
