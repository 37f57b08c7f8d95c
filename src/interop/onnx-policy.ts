import type { Algorithm } from "../algos/common/algorithm.js";
import type { StateTensor } from "../algos/common/checkpoint.js";
import { describe, InvalidArgumentError } from "../errors.js";

/**
 * What a trained model's deterministic policy is, as plain arrays, for exporters: the observation normalization,
 * the dense layers from observation to action scores, the optional second head (state value, or the Q-values
 * themselves) and how scores become an action. Read from the model's checkpoint tensors and config (the format
 * other tools read too), so this is the one file to adapt when a policy's parameter layout changes.
 */
export interface DenseLayer {
  /** [outSize, inSize] row-major (PyTorch layout) */
  weight: Float32Array;
  bias: Float32Array;
  inSize: number;
  outSize: number;
  activation: "tanh" | "relu" | "identity";
}

export type ActionRule =
  /** action = argmax(scores) + start (Discrete: logits or Q-values) */
  | { kind: "argmax"; start: number }
  /** action_j = clip(mean_j, low_j, high_j), or low + (tanh(mean) + 1) (high - low) / 2 when squashing */
  | { kind: "box"; low: Float32Array; high: Float32Array; squash: boolean };

export interface PolicyNetworks {
  algorithm: string;
  obsDim: number;
  /** (obs - mean) / std clipped to [-clip, clip] before the networks, or null */
  obsNorm: { mean: Float64Array; std: Float64Array; clip: number } | null;
  /** observation -> action scores (logits, Gaussian means, or Q-values) */
  actor: DenseLayer[];
  /** observation -> state value, for actor-critic models */
  critic: DenseLayer[] | null;
  /** the name of the optional extra output: the critic's "value", or the actor's own "q_values" */
  extraOutput: "value" | "q_values" | null;
  action: ActionRule;
}

const ON_POLICY = ["PPO", "A2C", "TRPO", "REINFORCE"];
const OFF_POLICY = ["SAC", "TD3", "DDPG"];

/** The deterministic policy of `model` (PPO, A2C, TRPO, REINFORCE, DQN, SAC, TD3, DDPG) as dense layers. */
export function policyNetworks(model: Algorithm): PolicyNetworks {
  const name = model.algoName;
  if (model.obsInfo.kind !== "box" || model.obsInfo.shape.length !== 1) {
    throw new InvalidArgumentError(
      `export: ${name} has observation space ${model.observationSpace}; only flat Box observations are supported`,
    );
  }
  const obsDim = model.obsInfo.dim;
  const act = model.actInfo;
  const tensors = model.getCheckpoint({ includeReplayBuffer: false }).tensors;
  const config = model.config as unknown as Record<string, unknown>;
  if (name === "DQN") {
    if (config.dueling === true) throw new InvalidArgumentError("export: dueling DQN is not supported");
    if (act.kind !== "discrete") throw new InvalidArgumentError(`export: DQN with action space ${model.actionSpace}`);
    const arrays = Object.keys(tensors)
      .filter((n) => /^q_net[./]/.test(n))
      .map((n) => tensors[n]);
    return {
      algorithm: name,
      obsDim,
      obsNorm: null,
      actor: layersFromPairs(arrays, "relu", "DQN q_net"),
      critic: null,
      extraOutput: "q_values",
      action: { kind: "argmax", start: act.start },
    };
  }
  if (OFF_POLICY.includes(name)) {
    // SAC, TD3, DDPG: an actor MLP to [-1, 1] through tanh, rescaled to the bounds (no observation normalization)
    if (act.kind !== "box") throw new InvalidArgumentError(`export: ${name} with action space ${model.actionSpace}`);
    if (config.useSde === true) throw new InvalidArgumentError("export: SAC with gSDE is not supported yet");
    const arrays = Object.keys(tensors)
      .filter((n) => /^actor[./]/.test(n))
      .map((n) => tensors[n]);
    const actor = layersFromPairs(
      arrays,
      (config.activation as "tanh" | "relu" | undefined) ?? "relu",
      `${name} actor`,
    );
    if (name === "SAC") {
      // the last layer outputs the means, then the log-stds: the deterministic action needs the means only
      const last = actor[actor.length - 1];
      const d = act.dim;
      actor[actor.length - 1] = {
        ...last,
        weight: last.weight.slice(0, d * last.inSize),
        bias: last.bias.slice(0, d),
        outSize: d,
      };
    }
    return {
      algorithm: name,
      obsDim,
      obsNorm: null,
      actor,
      critic: null,
      extraOutput: null,
      action: { kind: "box", low: act.low, high: act.high, squash: true },
    };
  }
  if (!ON_POLICY.includes(name)) throw new InvalidArgumentError(`export: ${name} models are not supported yet`);
  if (act.kind === "multi-discrete")
    throw new InvalidArgumentError("export: MultiDiscrete actions are not supported yet");
  const pk = (config.policyKwargs ?? {}) as { netArch?: unknown; activation?: "tanh" | "relu"; squashOutput?: boolean };
  const activation = pk.activation ?? "tanh";
  const netArch = (pk.netArch ?? { pi: [64, 64], vf: [64, 64] }) as number[] | { pi: number[]; vf: number[] };
  const shared = Array.isArray(netArch) ? netArch : [];
  const pi = Array.isArray(netArch) ? [] : netArch.pi;
  const vf = Array.isArray(netArch) ? [] : netArch.vf;
  const head = act.kind === "discrete" ? act.n : act.dim;
  const trunkOut = shared.length > 0 ? shared[shared.length - 1] : obsDim;
  const sizes = {
    shared: shared.length > 0 ? [obsDim, ...shared] : [],
    pi: [trunkOut, ...pi, head],
    vf: [trunkOut, ...vf, 1],
  };
  let trunk: DenseLayer[];
  let actor: DenseLayer[];
  let critic: DenseLayer[];
  const flat = tensors["policy/params"];
  if (flat !== undefined) {
    // format 1: one flat vector, [shared trunk][actor][log-std][critic]
    const v = flat.data as Float64Array;
    let at = 0;
    const take = (s: number[], hidden: "tanh" | "relu", lastAct: DenseLayer["activation"]) => {
      const layers: DenseLayer[] = [];
      for (let i = 0; i + 1 < s.length; i++) {
        const nw = s[i] * s[i + 1];
        layers.push({
          weight: Float32Array.from(v.subarray(at, at + nw)),
          bias: Float32Array.from(v.subarray(at + nw, at + nw + s[i + 1])),
          inSize: s[i],
          outSize: s[i + 1],
          activation: i + 2 === s.length ? lastAct : hidden,
        });
        at += nw + s[i + 1];
      }
      return layers;
    };
    trunk = take(sizes.shared, activation, activation);
    actor = take(sizes.pi, activation, "identity");
    at = v.length - count(sizes.vf); // skip the log-stds
    critic = take(sizes.vf, activation, "identity");
  } else {
    // named layers: policy.shared.i.*, policy.pi.i.*, policy.vf.i.*
    const net = (prefix: string, lastAct: DenseLayer["activation"]) =>
      layersFromPairs(
        Object.keys(tensors)
          .filter((n) => n.startsWith(`policy.${prefix}.`))
          .map((n) => tensors[n]),
        activation,
        `policy.${prefix}`,
        lastAct,
      );
    trunk = sizes.shared.length > 0 ? net("shared", activation) : [];
    actor = net("pi", "identity");
    critic = net("vf", "identity");
  }
  const norm = (model as unknown as { normalizer?: NormalizerLike }).normalizer;
  const rms = norm?.obsRms ?? null;
  return {
    algorithm: name,
    obsDim,
    obsNorm:
      norm === undefined || rms === null
        ? null
        : {
            mean: Float64Array.from(rms.mean),
            std: Float64Array.from(rms.var, (x) => Math.sqrt(x + norm.opts.epsilon)),
            clip: norm.opts.clipObs,
          },
    actor: [...trunk, ...actor],
    critic: [...trunk, ...critic],
    extraOutput: "value",
    action:
      act.kind === "discrete"
        ? { kind: "argmax", start: act.start }
        : { kind: "box", low: act.low, high: act.high, squash: pk.squashOutput === true },
  };
}

interface NormalizerLike {
  obsRms: { mean: Float64Array; var: Float64Array } | null;
  opts: { epsilon: number; clipObs: number };
}

function count(sizes: number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return n;
}

/** Dense layers from [weight, bias, weight, bias, ...] tensors, the hidden activation on all but the last. */
function layersFromPairs(
  ts: readonly StateTensor[],
  hidden: "tanh" | "relu",
  what: string,
  lastAct: DenseLayer["activation"] = "identity",
): DenseLayer[] {
  if (ts.length === 0 || ts.length % 2 !== 0)
    throw new InvalidArgumentError(`export: ${what} has ${ts.length} tensors, expected weight/bias pairs`);
  const layers: DenseLayer[] = [];
  for (let i = 0; i < ts.length; i += 2) {
    const w = ts[i];
    const b = ts[i + 1];
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new InvalidArgumentError(
        `export: ${what} layer ${i / 2} has weight ${describe(w.shape)} and bias ${describe(b.shape)}`,
      );
    }
    layers.push({
      weight: Float32Array.from(w.data as Float32Array),
      bias: Float32Array.from(b.data as Float32Array),
      inSize: w.shape[1],
      outSize: w.shape[0],
      activation: i + 2 === ts.length ? lastAct : hidden,
    });
  }
  return layers;
}
