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
  /** MultiDiscrete: the scores split into blocks of nvec[k] logits, action_k = argmax(block k) + start_k */
  | { kind: "multi-argmax"; nvec: readonly number[]; start: readonly number[] }
  /**
   * action_j = clip(mean_j, low_j, high_j), or low + (tanh(mean) + 1) (high - low) / 2 when squashing; gSDE SAC
   * first clamps the mean to [-clipMean, clipMean]
   */
  | { kind: "box"; low: Float32Array; high: Float32Array; squash: boolean; clipMean: number | null };

/** One graph input: a Box (float32 [batch, ...shape]) or a Discrete observation (int64 [batch]). */
export type ObsInput =
  | { name: string; kind: "box"; shape: readonly number[]; dim: number }
  | { name: string; kind: "discrete"; n: number; start: number };

export interface PolicyNetworks {
  algorithm: string;
  /** the observation inputs ("obs", or "obs.<key>" per Dict key in the model's sorted key order), concatenated */
  inputs: ObsInput[];
  /** Discrete inputs enter the networks one-hot (tsrl's features extractor), else as their value */
  oneHot: boolean;
  /** (obs - mean) / std clipped to [-clip, clip] before the networks, or null */
  obsNorm: { mean: Float64Array; std: Float64Array; clip: number } | null;
  /** observation -> action scores (logits, Gaussian means, or Q-values); empty for a Q-table */
  actor: DenseLayer[];
  /** dueling DQN: the state-value head on the last hidden layer, Q = V + A - mean(A) with A the actor's output */
  duelingValue: DenseLayer | null;
  /** tabular agents: Q[s, a] float64 [nStates, nActions], indexed by observation - start */
  qTable: { q: Float64Array; nStates: number; nActions: number } | null;
  /** observation -> state value, for actor-critic models */
  critic: DenseLayer[] | null;
  /** the name of the optional extra output: the critic's "value", or the actor's own "q_values" */
  extraOutput: "value" | "q_values" | null;
  action: ActionRule;
}

const ON_POLICY = ["PPO", "A2C", "TRPO", "REINFORCE"];
const OFF_POLICY = ["SAC", "TD3", "DDPG"];

/**
 * The deterministic policy of `model` (PPO, A2C, TRPO, REINFORCE, DQN, SAC, TD3, DDPG, and the tabular agents) as
 * dense layers or a Q-table.
 */
export function policyNetworks(model: Algorithm): PolicyNetworks {
  const name = model.algoName;
  const inputs = obsInputs(model);
  const act = model.actInfo;
  const tensors = model.getCheckpoint({ includeReplayBuffer: false }).tensors;
  const config = model.config as unknown as Record<string, unknown>;
  const none = { obsNorm: null, critic: null, duelingValue: null, qTable: null } as const;
  const table = tensors.q_table;
  if (table !== undefined) {
    // Q-learning, SARSA, Expected SARSA: greedy action = argmax_a Q[s, a], ties to the lowest index as tsrl's
    if (model.obsInfo.kind !== "discrete" || act.kind !== "discrete" || table.shape.length !== 2) {
      throw new InvalidArgumentError(`export: ${name} has a Q-table of shape ${describe(table.shape)}`);
    }
    const [nStates, nActions] = table.shape;
    return {
      algorithm: name,
      inputs,
      oneHot: false,
      ...none,
      actor: [],
      qTable: { q: Float64Array.from(table.data as Float64Array), nStates, nActions },
      extraOutput: "q_values",
      action: { kind: "argmax", start: act.start },
    };
  }
  if (name === "DQN") {
    if (act.kind !== "discrete") throw new InvalidArgumentError(`export: DQN with action space ${model.actionSpace}`);
    // q_net/hidden{i}.*, q_net/head.* (the Q-values, or the advantages when dueling), q_net/value.* (dueling)
    const online = Object.keys(tensors).filter((n) => /^q_net[./]/.test(n));
    const value = online.filter((n) => /[./]value\.(weight|bias)$/.test(n));
    const layers = layersFromPairs(
      online.filter((n) => !value.includes(n)).map((n) => tensors[n]),
      "relu",
      "DQN q_net",
    );
    let duelingValue: DenseLayer | null = null;
    if (value.length > 0) {
      [duelingValue] = layersFromPairs(
        value.map((n) => tensors[n]),
        "relu",
        "DQN q_net value head",
      );
    }
    return {
      algorithm: name,
      inputs,
      // DQN one-hot encodes a Discrete observation space; a Dict's rows enter as they are
      oneHot: model.obsInfo.kind === "discrete",
      ...none,
      actor: layers,
      duelingValue,
      extraOutput: "q_values",
      action: { kind: "argmax", start: act.start },
    };
  }
  if (OFF_POLICY.includes(name)) {
    // SAC, TD3, DDPG: an actor MLP to [-1, 1] through tanh, rescaled to the bounds (no observation normalization)
    if (act.kind !== "box") throw new InvalidArgumentError(`export: ${name} with action space ${model.actionSpace}`);
    const gsde = config.useSde === true;
    // gSDE SAC: actor/pi.{i}.* to the latent features (activation after every layer), actor/mu.* the means, and
    // actor/log_std the exploration scale, which the deterministic action does not use
    const arrays = Object.keys(tensors)
      .filter((n) => /^actor[./]/.test(n) && !/[./]log_std$/.test(n))
      .map((n) => tensors[n]);
    const actor = layersFromPairs(
      arrays,
      (config.activation as "tanh" | "relu" | undefined) ?? "relu",
      `${name} actor`,
    );
    if (name === "SAC" && !gsde) {
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
      inputs,
      oneHot: false,
      ...none,
      actor,
      extraOutput: null,
      action: { kind: "box", low: act.low, high: act.high, squash: true, clipMean: gsde ? SDE_CLIP_MEAN : null },
    };
  }
  if (!ON_POLICY.includes(name)) throw new InvalidArgumentError(`export: ${name} models are not supported yet`);
  const pk = (config.policyKwargs ?? {}) as { netArch?: unknown; activation?: "tanh" | "relu"; squashOutput?: boolean };
  const activation = pk.activation ?? "tanh";
  const netArch = (pk.netArch ?? { pi: [64, 64], vf: [64, 64] }) as number[] | { pi: number[]; vf: number[] };
  // named layers (getCheckpoint upgrades format-1 files): policy.shared.i.*, policy.pi.i.*, policy.vf.i.*
  const net = (prefix: string, lastAct: DenseLayer["activation"]) =>
    layersFromPairs(
      Object.keys(tensors)
        .filter((n) => n.startsWith(`policy.${prefix}.`))
        .map((n) => tensors[n]),
      activation,
      `policy.${prefix}`,
      lastAct,
    );
  const trunk = Array.isArray(netArch) && netArch.length > 0 ? net("shared", activation) : [];
  const actor = net("pi", "identity");
  const critic = net("vf", "identity");
  const norm = (model as unknown as { normalizer?: NormalizerLike }).normalizer;
  const rms = norm?.obsRms ?? null;
  if (rms !== null && rms !== undefined && inputs.some((i) => i.kind === "discrete")) {
    throw new InvalidArgumentError(
      `export: ${name} normalizes Discrete observations (observation space ${model.observationSpace}), which its features extractor then one-hot encodes; not supported`,
    );
  }
  return {
    algorithm: name,
    inputs,
    oneHot: true,
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
    duelingValue: null,
    qTable: null,
    extraOutput: "value",
    action:
      act.kind === "discrete"
        ? { kind: "argmax", start: act.start }
        : act.kind === "multi-discrete"
          ? { kind: "multi-argmax", nvec: act.nvec, start: act.start }
          : { kind: "box", low: act.low, high: act.high, squash: pk.squashOutput === true, clipMean: null },
  };
}

/** SB3's clip_mean of gSDE SAC's actor (tsrl's CLIP_MEAN): the mean is clamped to [-2, 2] before tanh. */
const SDE_CLIP_MEAN = 2;

/** The graph inputs of the model's observation space: "obs", or "obs.<key>" per Dict key. */
function obsInputs(model: Algorithm): ObsInput[] {
  const info = model.obsInfo;
  const leaves =
    info.kind === "dict"
      ? info.keys.map((k) => ({ name: `obs.${k.key}`, leaf: k.info }))
      : [{ name: "obs", leaf: info }];
  return leaves.map(({ name, leaf }): ObsInput => {
    if (leaf.kind === "box") return { name, kind: "box", shape: [...leaf.shape], dim: leaf.dim };
    if (leaf.kind === "discrete") return { name, kind: "discrete", n: leaf.n, start: leaf.start };
    throw new InvalidArgumentError(
      `export: ${model.algoName} has observation space ${model.observationSpace}; MultiDiscrete observations are not supported`,
    );
  });
}

/** Floats the networks see: Box dims plus Discrete inputs one-hot (n each) or as their value (1 each). */
export function featuresDim(inputs: readonly ObsInput[], oneHot: boolean): number {
  return inputs.reduce((n, i) => n + (i.kind === "box" ? i.dim : oneHot ? i.n : 1), 0);
}

interface NormalizerLike {
  obsRms: { mean: Float64Array; var: Float64Array } | null;
  opts: { epsilon: number; clipObs: number };
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
