import { checkBool } from "../core/checks.js";
import type { Engine } from "../core/engine.js";
import { add, linear, mul, relu, square, sub, tanh, where } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { Linear } from "./linear.js";
import type { Module } from "./module.js";

export type Activation = "tanh" | "relu";

export interface MLPOptions {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Hidden activation (default "tanh"); the output layer is linear. */
  activation?: Activation;
  /** "orthogonal" (PPO implementation details; default) or "default" (PyTorch's uniform init). */
  init?: "orthogonal" | "default";
  /** Orthogonal gain of the hidden layers (default sqrt(2)). */
  hiddenGain?: number;
  /** Orthogonal gain of the output layer (default 1; PPO uses 0.01 for the policy head, 1 for the value head). */
  outputGain?: number;
  /** Constant bias for the orthogonal init (default 0). */
  biasInit?: number;
  /** Apply the activation to the output layer too (a trunk whose features feed other heads). Default false. */
  activateOutput?: boolean;
  /**
   * Each layer as one fused op, matmul with bias and activation in its store (default true), or false: matmul, then
   * a bias add, then the activation, as separate ops. Both compute the same function but round differently in the
   * last bit, forward and backward. The unfused arithmetic exists because DQN's tuned results (src/train/zoo/dqn.ts)
   * were measured with it, and DQN CartPole-v1 is sensitive to those bits (9 of 10 seeds solve unfused, 3 fused);
   * the policy-gradient rows were measured fused.
   */
  fuseActivation?: boolean;
}

/** Multi-layer perceptron: Linear -> activation -> ... -> Linear (-> activation with `activateOutput`). */
export class MLP implements Module {
  readonly layers: Linear[] = [];
  readonly activation: Activation;
  readonly activateOutput: boolean;
  readonly fuseActivation: boolean;
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(engine: Engine, rng: Rng, opts: MLPOptions) {
    const { inputSize, outputSize } = opts;
    const hidden = opts.hiddenSizes;
    if (!Array.isArray(hidden))
      throw new InvalidArgumentError("MLP: hiddenSizes must be an array of positive integers");
    const sizes = [inputSize, ...hidden, outputSize];
    sizes.forEach((s, i) => {
      if (!Number.isInteger(s) || s <= 0) {
        throw new InvalidArgumentError(
          `MLP: layer sizes must be positive integers, got ${JSON.stringify(sizes)} (index ${i})`,
        );
      }
    });
    const activation = opts.activation ?? "tanh";
    if (activation !== "tanh" && activation !== "relu") {
      throw new InvalidArgumentError(`MLP: activation must be "tanh" or "relu", got ${JSON.stringify(activation)}`);
    }
    this.activation = activation;
    this.activateOutput = opts.activateOutput ?? false;
    this.fuseActivation = opts.fuseActivation ?? true;
    checkBool("MLP: activateOutput", this.activateOutput);
    checkBool("MLP: fuseActivation", this.fuseActivation);
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    for (let i = 0; i + 1 < sizes.length; i++) {
      const last = i + 2 === sizes.length;
      this.layers.push(
        new Linear(engine, rng, sizes[i], sizes[i + 1], {
          init: opts.init,
          gain: last ? (opts.outputGain ?? 1) : (opts.hiddenGain ?? Math.SQRT2),
          biasInit: opts.biasInit,
        }),
      );
    }
  }

  forward(x: Tensor): Tensor {
    return this.layer(this.layers.length - 1, this.hidden(x));
  }

  /** The last hidden layer's activations (x itself when there is no hidden layer), e.g. gSDE's features. */
  hidden(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i + 1 < this.layers.length; i++) h = this.layer(i, h);
    return h;
  }

  /**
   * Layer i applied to h, activated unless it is a linear output layer: one fused op (matmul, bias, activation), or
   * with `fuseActivation: false` the separate ops activation(h W^T + b).
   */
  layer(i: number, h: Tensor): Tensor {
    const l = this.layers[i];
    const activated = i + 1 < this.layers.length || this.activateOutput;
    if (this.fuseActivation) return linear(h, l.weight, l.bias, activated ? this.activation : "identity");
    const z = l.forward(h);
    if (!activated) return z;
    return this.activation === "relu" ? relu(z) : tanh(z);
  }

  /** [W0, b0, W1, b1, ...] in layer order (jvp tangents follow the same order). */
  parameters(): Tensor[] {
    const out: Tensor[] = [];
    for (const l of this.layers) out.push(...l.parameters());
    return out;
  }

  /**
   * Forward-mode directional derivative w.r.t. the parameters: returns the output f(x; θ) and J v = d/dε f(x; θ + εv)
   * at ε = 0, for a direction v given as one tangent tensor per parameter (same order and shapes as `parameters()`).
   * Per layer: z = h W^T + b, dz = dh W^T + h dW^T + db; tanh: da = dz (1 - a^2); relu: da = dz [z > 0].
   * Built from ordinary ops, so it can itself be differentiated or run under noGrad.
   */
  jvp(x: Tensor, tangents: readonly Tensor[]): { output: Tensor; tangentOutput: Tensor } {
    const params = this.parameters();
    if (!Array.isArray(tangents) || tangents.length !== params.length) {
      throw new InvalidArgumentError(
        `MLP.jvp: expected ${params.length} tangents (one per parameter), got ${tangents?.length}`,
      );
    }
    for (let i = 0; i < params.length; i++) {
      const a = params[i].shape;
      const b = tangents[i].shape;
      if (a.length !== b.length || a.some((d, j) => d !== b[j])) {
        throw new ShapeError(`MLP.jvp: tangent ${i} has shape [${b.join(", ")}], parameter has [${a.join(", ")}]`);
      }
    }
    let h = x;
    let dh: Tensor | null = null; // the input does not depend on the parameters
    const n = this.layers.length;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const layer = this.layers[i];
      const dW = tangents[p++];
      const db = layer.bias === null ? null : tangents[p++];
      const z = layer.forward(h);
      let dz = linear(h, dW, db);
      if (dh !== null) dz = add(dz, linear(dh, layer.weight));
      if (i + 1 < n || this.activateOutput) {
        if (this.activation === "tanh") {
          h = tanh(z);
          dz = sub(dz, mul(dz, square(h)));
        } else {
          h = relu(z);
          const zv = z.data();
          const mask = new Uint8Array(zv.length);
          for (let j = 0; j < zv.length; j++) mask[j] = zv[j] > 0 ? 1 : 0;
          dz = where(mask, dz, z.engine.zeros([]));
        }
      } else h = z;
      dh = dz;
    }
    return { output: h, tangentOutput: dh as Tensor };
  }
}
