import type { Algorithm } from "../algos/common/algorithm.js";
import { LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import { type DenseLayer, featuresDim, type PolicyNetworks, policyNetworks } from "./onnx-policy.js";
import { encodeOnnxModel, type OnnxNode, type OnnxTensor, OnnxType, type OnnxValueInfo } from "./onnx-proto.js";

export interface ExportOnnxOptions {
  /** Also output the state value ("value", actor-critic) or the Q-values ("q_values", DQN, tabular). Default true. */
  includeValues?: boolean;
}

/**
 * ONNX opset the graphs use (Gemm, Tanh, Relu, Sub, Div, Clip, Max, Min, ArgMax, Add, Mul, Identity, Flatten,
 * Unsqueeze, Equal, Cast, Concat, Split, ReduceMean, Gather).
 */
export const ONNX_OPSET = 13;

/**
 * The deterministic policy of `model` as ONNX ModelProto bytes. Inputs: `obs`, float32 [batch, ...shape] for a Box
 * observation space or int64 [batch] for a Discrete one; a Dict space has one such input per key, `obs.<key>`, in
 * the model's (sorted) key order. Outputs: `action`, exactly what `predict(obs, { deterministic: true })` returns
 * (int64 [batch] for Discrete, int64 [batch, len(nvec)] for MultiDiscrete, float32 [batch, dim] for Box), plus
 * `value` [batch, 1] or `q_values` [batch, nActions]. Observation normalization (the model's running statistics
 * and clip) is part of the graph, so raw observations go in. Browser-safe: no file system.
 */
export function exportOnnx(model: Algorithm, opts: ExportOnnxOptions = {}): Uint8Array {
  const p = policyNetworks(model);
  const g = new GraphBuilder();
  const outputs: OnnxValueInfo[] = [];
  const withValues = opts.includeValues !== false && p.extraOutput !== null;

  let scores: string;
  if (p.qTable !== null) {
    // tabular: Q[obs - start, :] (float64, so ties and orderings are tsrl's exactly), then the argmax below
    const input = p.inputs[0];
    const start = input.kind === "discrete" ? input.start : 0;
    const q = p.qTable;
    const index = g.node("Sub", ["obs", g.int64("obs_start", [], [start])], "state_index");
    scores = g.node("Gather", [g.tensor("q_table", [q.nStates, q.nActions], OnnxType.DOUBLE, q.q), index], "q_row", [
      { name: "axis", kind: "int", value: 0 },
    ]);
    if (withValues) {
      g.node("Cast", [scores], "q_values", [{ name: "to", kind: "int", value: OnnxType.FLOAT }]);
      outputs.push({ name: "q_values", type: OnnxType.FLOAT, shape: ["batch", q.nActions] });
    }
  } else {
    const x = features(g, p);
    const last = g.mlp("actor", p.duelingValue === null ? p.actor : p.actor.slice(0, -1), x);
    scores = last;
    if (p.duelingValue !== null) {
      // Q = V + (A - mean_a A), from the last hidden features
      const head = p.actor[p.actor.length - 1];
      const adv = g.mlp("advantage", [head], last);
      const v = g.mlp("state_value", [p.duelingValue], last);
      const meanAdv = g.node("ReduceMean", [adv], "advantage_mean", [
        { name: "axes", kind: "ints", value: [1] },
        { name: "keepdims", kind: "int", value: 1 },
      ]);
      scores = g.node("Add", [g.node("Sub", [adv, meanAdv], "advantage_centred"), v], "q_scores");
    }
    if (withValues) {
      if (p.extraOutput === "q_values") {
        g.node("Identity", [scores], "q_values");
        outputs.push({ name: "q_values", type: OnnxType.FLOAT, shape: ["batch", p.actor[p.actor.length - 1].outSize] });
      } else if (p.critic !== null) {
        g.node("Identity", [g.mlp("critic", p.critic, x)], "value");
        outputs.push({ name: "value", type: OnnxType.FLOAT, shape: ["batch", 1] });
      }
    }
  }
  outputs.unshift(actionOutput(g, p, scores));
  return encodeOnnxModel({
    graphName: `tsrl-${p.algorithm}`,
    nodes: g.nodes,
    initializers: g.inits,
    inputs: p.inputs.map((i) =>
      i.kind === "box"
        ? { name: i.name, type: OnnxType.FLOAT, shape: ["batch", ...i.shape] }
        : { name: i.name, type: OnnxType.INT64, shape: ["batch"] },
    ),
    outputs,
    opset: ONNX_OPSET,
    producerName: "tsrl",
    producerVersion: LIBRARY_VERSION,
    docString: `${p.algorithm} deterministic policy exported by tsrl`,
    metadata: { algorithm: p.algorithm, ...(model.envId ? { env: model.envId } : {}) },
  });
}

/** The networks' input [batch, featuresDim] from the graph inputs: flattened, concatenated, normalized. */
function features(g: GraphBuilder, p: PolicyNetworks): string {
  const parts = p.inputs.map((i) => {
    if (i.kind === "box") {
      return i.shape.length === 1 ? i.name : g.node("Flatten", [i.name], `${i.name}.flat`, [g.intAttr("axis", 1)]);
    }
    const col = (v: string, out: string) => g.node("Unsqueeze", [v, g.int64("axes_1", [1], [1])], out);
    if (!p.oneHot)
      return g.node("Cast", [col(i.name, `${i.name}.column`)], `${i.name}.float`, [g.castTo(OnnxType.FLOAT)]);
    // one-hot: (obs - start)[:, None] == [0, 1, ..., n - 1]
    const shifted = g.node("Sub", [i.name, g.int64(`${i.name}.start`, [], [i.start])], `${i.name}.index`);
    const range = g.int64(
      `${i.name}.range`,
      [1, i.n],
      Array.from({ length: i.n }, (_, k) => k),
    );
    const hot = g.node("Equal", [col(shifted, `${i.name}.index_column`), range], `${i.name}.is_index`);
    return g.node("Cast", [hot], `${i.name}.one_hot`, [g.castTo(OnnxType.FLOAT)]);
  });
  let x = parts.length === 1 ? parts[0] : g.node("Concat", parts, "obs_concat", [g.intAttr("axis", 1)]);
  if (p.obsNorm !== null) {
    const { mean, std, clip } = p.obsNorm;
    const d = featuresDim(p.inputs, p.oneHot);
    x = g.node("Sub", [x, g.float("obs_mean", [d], mean)], "obs_centered");
    x = g.node("Div", [x, g.float("obs_std", [d], std)], "obs_scaled");
    x = g.node(
      "Clip",
      [x, g.float("obs_clip_min", [], [-clip]), g.float("obs_clip_max", [], [clip])],
      "obs_normalized",
    );
  }
  return x;
}

/** Scores -> the `action` output, as predict's deterministic action. */
function actionOutput(g: GraphBuilder, p: PolicyNetworks, scores: string): OnnxValueInfo {
  const a = p.action;
  const argmax = (v: string, out: string, keepdims: number) =>
    g.node("ArgMax", [v], out, [g.intAttr("axis", 1), g.intAttr("keepdims", keepdims)]);
  if (a.kind === "argmax") {
    let action = argmax(scores, a.start === 0 ? "action" : "action_index", 0);
    if (a.start !== 0) action = g.node("Add", [action, g.int64("action_start", [], [a.start])], "action");
    return { name: action, type: OnnxType.INT64, shape: ["batch"] };
  }
  if (a.kind === "multi-argmax") {
    // one Categorical per dimension over its block of nvec[k] logits
    const k = a.nvec.length;
    const blocks = Array.from({ length: k }, (_, j) => `logits_block_${j}`);
    g.nodes.push({
      opType: "Split",
      inputs: [scores, g.int64("logits_split", [k], a.nvec)],
      outputs: blocks,
      name: "logits_split",
      attributes: [g.intAttr("axis", 1)],
    });
    const picks = blocks.map((b, j) => argmax(b, `action_index_${j}`, 1));
    const index = k === 1 ? picks[0] : g.node("Concat", picks, "action_indices", [g.intAttr("axis", 1)]);
    g.node("Add", [index, g.int64("action_start", [k], a.start)], "action");
    return { name: "action", type: OnnxType.INT64, shape: ["batch", k] };
  }
  const dim = a.low.length;
  let v = scores;
  if (a.clipMean !== null) {
    v = g.node(
      "Clip",
      [v, g.float("mean_clip_min", [], [-a.clipMean]), g.float("mean_clip_max", [], [a.clipMean])],
      "mean_clipped",
    );
  }
  if (a.squash) {
    // low + (tanh(u) + 1) (high - low) / 2
    const half = Float32Array.from(a.low, (lo, j) => 0.5 * (a.high[j] - lo));
    v = g.node("Tanh", [v], "squash_tanh");
    v = g.node("Add", [v, g.float("one", [], [1])], "squash_shift");
    v = g.node("Mul", [v, g.float("action_half_range", [dim], half)], "squash_scale");
    v = g.node("Add", [v, g.float("action_low_offset", [dim], a.low)], "squash_action");
  }
  // clip to the bounds, as predict does: min(max(v, low), high)
  v = g.node("Max", [v, g.float("action_low", [dim], a.low)], "action_above_low");
  v = g.node("Min", [v, g.float("action_high", [dim], a.high)], "action");
  return { name: v, type: OnnxType.FLOAT, shape: ["batch", dim] };
}

/** Nodes and initializers in the order they are added; each node's name is its (single) output's. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly inits: OnnxTensor[] = [];
  private readonly names = new Set<string>();

  tensor(name: string, dims: number[], type: OnnxType, values: ArrayLike<number>): string {
    if (!this.names.has(name)) {
      this.names.add(name);
      this.inits.push({ name, dims, type, values });
    }
    return name;
  }

  float(name: string, dims: number[], values: ArrayLike<number>): string {
    return this.tensor(name, dims, OnnxType.FLOAT, values);
  }

  int64(name: string, dims: number[], values: ArrayLike<number>): string {
    return this.tensor(name, dims, OnnxType.INT64, values);
  }

  intAttr(name: string, value: number): NonNullable<OnnxNode["attributes"]>[number] {
    return { name, kind: "int", value };
  }

  castTo(type: OnnxType): NonNullable<OnnxNode["attributes"]>[number] {
    return this.intAttr("to", type);
  }

  node(opType: string, inputs: string[], output: string, attributes?: OnnxNode["attributes"]): string {
    this.nodes.push({ opType, inputs, outputs: [output], name: output, attributes });
    return output;
  }

  /** Gemm (x W^T + b) per layer, each followed by its activation. */
  mlp(prefix: string, layers: readonly DenseLayer[], input: string): string {
    let h = input;
    layers.forEach((l, i) => {
      const w = this.float(`${prefix}.${i}.weight`, [l.outSize, l.inSize], l.weight);
      const b = this.float(`${prefix}.${i}.bias`, [l.outSize], l.bias);
      h = this.node("Gemm", [h, w, b], `${prefix}.${i}.linear`, [this.intAttr("transB", 1)]);
      if (l.activation === "tanh") h = this.node("Tanh", [h], `${prefix}.${i}.tanh`);
      else if (l.activation === "relu") h = this.node("Relu", [h], `${prefix}.${i}.relu`);
    });
    return h;
  }
}
