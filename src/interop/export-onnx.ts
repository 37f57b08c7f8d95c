import type { Algorithm } from "../algos/common/algorithm.js";
import { LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import { type DenseLayer, policyNetworks } from "./onnx-policy.js";
import { encodeOnnxModel, type OnnxNode, type OnnxTensor, OnnxType, type OnnxValueInfo } from "./onnx-proto.js";

export interface ExportOnnxOptions {
  /** Also output the state value ("value", actor-critic) or the Q-values ("q_values", DQN). Default true. */
  includeValues?: boolean;
}

/** ONNX opset the graphs use (Gemm, Tanh, Relu, Sub, Div, Clip, Max, Min, ArgMax, Add, Mul, Identity). */
export const ONNX_OPSET = 13;

/**
 * The deterministic policy of `model` as ONNX ModelProto bytes: input `obs` float32 [batch, obsDim]; output
 * `action` (int64 [batch] for Discrete, float32 [batch, dim] for Box, exactly what `predict(obs,
 * { deterministic: true })` returns), plus `value` [batch, 1] or `q_values` [batch, nActions]. Observation
 * normalization (the model's running statistics and clip) is part of the graph, so raw observations go in.
 * Browser-safe: no file system.
 */
export function exportOnnx(model: Algorithm, opts: ExportOnnxOptions = {}): Uint8Array {
  const p = policyNetworks(model);
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const float = (name: string, dims: number[], values: ArrayLike<number>) => {
    inits.push({ name, dims, type: OnnxType.FLOAT, values });
    return name;
  };
  const node = (opType: string, inputs: string[], output: string, attributes?: OnnxNode["attributes"]) => {
    nodes.push({ opType, inputs, outputs: [output], name: output, attributes });
    return output;
  };

  let x = "obs";
  if (p.obsNorm !== null) {
    const { mean, std, clip } = p.obsNorm;
    x = node("Sub", [x, float("obs_mean", [p.obsDim], mean)], "obs_centered");
    x = node("Div", [x, float("obs_std", [p.obsDim], std)], "obs_scaled");
    x = node("Clip", [x, float("obs_clip_min", [], [-clip]), float("obs_clip_max", [], [clip])], "obs_normalized");
  }
  const mlp = (prefix: string, layers: readonly DenseLayer[], input: string) => {
    let h = input;
    layers.forEach((l, i) => {
      const w = float(`${prefix}.${i}.weight`, [l.outSize, l.inSize], l.weight);
      const b = float(`${prefix}.${i}.bias`, [l.outSize], l.bias);
      h = node("Gemm", [h, w, b], `${prefix}.${i}.linear`, [{ name: "transB", kind: "int", value: 1 }]);
      if (l.activation === "tanh") h = node("Tanh", [h], `${prefix}.${i}.tanh`);
      else if (l.activation === "relu") h = node("Relu", [h], `${prefix}.${i}.relu`);
    });
    return h;
  };
  const scores = mlp("actor", p.actor, x);
  const outputs: OnnxValueInfo[] = [];
  const a = p.action;
  if (a.kind === "argmax") {
    let action = node("ArgMax", [scores], a.start === 0 ? "action" : "action_index", [
      { name: "axis", kind: "int", value: 1 },
      { name: "keepdims", kind: "int", value: 0 },
    ]);
    if (a.start !== 0) {
      inits.push({ name: "action_start", dims: [], type: OnnxType.INT64, values: [a.start] });
      action = node("Add", [action, "action_start"], "action");
    }
    outputs.push({ name: action, type: OnnxType.INT64, shape: ["batch"] });
  } else {
    const dim = a.low.length;
    let v = scores;
    if (a.squash) {
      // low + (tanh(u) + 1) (high - low) / 2
      const half = Float32Array.from(a.low, (lo, j) => 0.5 * (a.high[j] - lo));
      v = node("Tanh", [v], "squash_tanh");
      v = node("Add", [v, float("one", [], [1])], "squash_shift");
      v = node("Mul", [v, float("action_half_range", [dim], half)], "squash_scale");
      v = node("Add", [v, float("action_low_offset", [dim], a.low)], "squash_action");
    }
    // clip to the bounds, as predict does: min(max(v, low), high)
    v = node("Max", [v, float("action_low", [dim], a.low)], "action_above_low");
    v = node("Min", [v, float("action_high", [dim], a.high)], "action");
    outputs.push({ name: v, type: OnnxType.FLOAT, shape: ["batch", dim] });
  }
  if (opts.includeValues !== false && p.extraOutput !== null) {
    if (p.extraOutput === "q_values") {
      node("Identity", [scores], "q_values");
      outputs.push({ name: "q_values", type: OnnxType.FLOAT, shape: ["batch", p.actor[p.actor.length - 1].outSize] });
    } else if (p.critic !== null) {
      node("Identity", [mlp("critic", p.critic, x)], "value");
      outputs.push({ name: "value", type: OnnxType.FLOAT, shape: ["batch", 1] });
    }
  }
  return encodeOnnxModel({
    graphName: `tsrl-${p.algorithm}`,
    nodes,
    initializers: inits,
    inputs: [{ name: "obs", type: OnnxType.FLOAT, shape: ["batch", p.obsDim] }],
    outputs,
    opset: ONNX_OPSET,
    producerName: "tsrl",
    producerVersion: LIBRARY_VERSION,
    docString: `${p.algorithm} deterministic policy exported by tsrl`,
    metadata: { algorithm: p.algorithm, ...(model.envId ? { env: model.envId } : {}) },
  });
}
