// the algorithms register themselves by name when their barrel is imported

import type { StateTensor } from "../algos/common/checkpoint.js";
import { type Algorithm, type AnyEnv, getAlgorithmClass, isVectorEnv, type VectorEnvLike } from "../algos/index.js";
import type { RunningMeanStdState } from "../core/running-mean-std.js";
import { Sb3ImportError } from "../errors.js";
import { readFileBytes } from "../platform/fs.js";
import { spacesEqual } from "../spaces/utils.js";
import { parseSb3Data, type Sb3Data } from "./sb3-data.js";
import { dqnConfig, dqnParameters } from "./sb3-dqn.js";
import { offPolicyConfig, offPolicyParameters } from "./sb3-off-policy.js";
import { onPolicyConfig, onPolicyParameters } from "./sb3-on-policy.js";
import { applyOptimizerState, parseOptimizerState, type TorchOptimizerState } from "./sb3-optimizer.js";
import { readSb3VecNormalize, type Sb3VecNormalize } from "./sb3-vecnormalize.js";
import { SpacesOnlyEnv } from "./spaces-only-env.js";
import { readTorchObject, readTorchStateDict, type TorchTensor } from "./torch-pth.js";
import { ZipArchive, type ZipLimits } from "./zip-reader.js";

/** An SB3 model zip, read without executing anything in it. */
export interface Sb3Model {
  data: Sb3Data;
  /** policy.pth: the policy's state_dict. */
  policy: ReadonlyMap<string, TorchTensor>;
  /** pytorch_variables.pth (e.g. SAC's log_ent_coef), empty when absent. */
  variables: ReadonlyMap<string, TorchTensor>;
  /** policy.optimizer.pth (the optimizer's moments and step count), null when absent. */
  optimizer: TorchOptimizerState | null;
  /** The SB3 version that saved it. */
  sb3Version: string | null;
}

export interface ImportSb3Options {
  /** The env to attach (its spaces must equal the model's). Without one, the model can predict but not learn. */
  env?: AnyEnv | VectorEnvLike;
  /** tsrl's seed for further training (default 0). */
  seed?: number;
  /** Size limits of the zip reader (default: 256 MiB per member). */
  limits?: ZipLimits;
  /**
   * Import the optimizer's state (`policy.optimizer.pth`: Adam's or RMSprop's moments and step count) when the zip
   * has it, so further training continues SB3's optimizer (PPO, A2C, TRPO, DQN). Default true; false starts a
   * fresh optimizer.
   */
  optimizerState?: boolean;
  /**
   * SB3's VecNormalize statistics the model was trained with (rl-baselines3-zoo's `vecnormalize.pkl`: bytes, a
   * path in Node, or what readSb3VecNormalize returned), read without executing it. They become the model's own
   * observation and reward normalization (PPO, A2C, TRPO), so raw observations go into `predict`.
   */
  vecNormalize?: Uint8Array | string | Sb3VecNormalize;
}

/** Read an SB3 `model.zip` (bytes, or a path in Node): its data, policy state_dict and pytorch variables. */
export async function readSb3Model(source: Uint8Array | string, limits: ZipLimits = {}): Promise<Sb3Model> {
  const bytes = typeof source === "string" ? await readPath(source) : source;
  const zip = ZipArchive.open(bytes, limits);
  if (!zip.has("data") || !zip.has("policy.pth")) {
    throw new Sb3ImportError(`not an SB3 model zip: it holds ${zip.names().join(", ")} (expected data and policy.pth)`);
  }
  const text = (name: string) => zip.read(name).then((b) => new TextDecoder().decode(b));
  const data = parseSb3Data(await text("data"));
  const policy = await readTorchStateDict(await zip.read("policy.pth"), limits);
  const variables = zip.has("pytorch_variables.pth")
    ? await readTorchStateDict(await zip.read("pytorch_variables.pth"), limits)
    : new Map<string, TorchTensor>();
  const optimizer = zip.has("policy.optimizer.pth")
    ? parseOptimizerState(await readTorchObject(await zip.read("policy.optimizer.pth"), limits))
    : null;
  const sb3Version = zip.has("_stable_baselines3_version") ? (await text("_stable_baselines3_version")).trim() : null;
  return { data, policy, variables, optimizer, sb3Version };
}

/**
 * Import a Stable-Baselines3 model as the matching tsrl model (PPO, A2C, TRPO, DQN, SAC, TD3, DDPG), with SB3's
 * architecture, spaces, weights, the plain-JSON hyperparameters tsrl shares and (PPO, A2C, TRPO, DQN) the
 * optimizer's state. Nothing in the zip is executed.
 */
export async function importSb3(
  source: Uint8Array | string | Sb3Model,
  opts: ImportSb3Options = {},
): Promise<Algorithm> {
  const sb3 =
    typeof source === "object" && !(source instanceof Uint8Array) ? source : await readSb3Model(source, opts.limits);
  const { data } = sb3;
  const cls = getAlgorithmClass(data.algorithm);
  if (cls === undefined)
    throw new Sb3ImportError(`SB3 ${data.algorithm} models need tsrl's ${data.algorithm}, which this build lacks`);
  const env = opts.env ?? new SpacesOnlyEnv(data.observationSpace, data.actionSpace);
  const obsSpace = isVectorEnv(env) ? env.singleObservationSpace : env.observationSpace;
  const actSpace = isVectorEnv(env) ? env.singleActionSpace : env.actionSpace;
  if (!spacesEqual(obsSpace, data.observationSpace) || !spacesEqual(actSpace, data.actionSpace)) {
    throw new Sb3ImportError(
      `the env's spaces ${obsSpace} / ${actSpace} differ from the model's ${data.observationSpace} / ${data.actionSpace}`,
    );
  }
  const family =
    data.algorithm === "DQN"
      ? dqnConfig(data)
      : isOnPolicy(data)
        ? onPolicyConfig(data)
        : offPolicyConfig(data, sb3.policy);
  const keys = "configKeys" in cls && Array.isArray(cls.configKeys) ? (cls.configKeys as string[]) : [];
  const vn =
    opts.vecNormalize === undefined
      ? null
      : opts.vecNormalize instanceof Uint8Array || typeof opts.vecNormalize === "string"
        ? readSb3VecNormalize(
            typeof opts.vecNormalize === "string"
              ? await readPath(opts.vecNormalize, "vecnormalize.pkl")
              : opts.vecNormalize,
          )
        : opts.vecNormalize;
  const config: Record<string, unknown> = { ...hyperparameters(data, keys), ...family, seed: opts.seed ?? 0 };
  if (vn !== null) Object.assign(config, normalizationConfig(data, vn, config.gamma));
  const model = new cls(env, config);
  const ckpt = model.getCheckpoint({ includeReplayBuffer: false });
  // SB3's optimizer parameters (policy.pth's keys, in order) and which tsrl tensor each went to
  let optimized: { keys: string[]; written: Map<TorchTensor, string> } | null = null;
  if (data.algorithm === "DQN") {
    const { online, target } = dqnParameters(data, sb3.policy);
    const written = assignInOrder(ckpt.tensors, (n) => /^q_net[./]/.test(n), online, "q_net");
    assignInOrder(ckpt.tensors, (n) => /^q_net_target[./]/.test(n), target, "q_net_target");
    optimized = { keys: [...sb3.policy.keys()].filter((k) => k.startsWith("q_net.")), written };
  } else if (isOnPolicy(data)) {
    const sources = onPolicyParameters(data, sb3.policy);
    const written = assignInOrder(ckpt.tensors, (n) => /^policy[./]/.test(n), sources, "policy");
    optimized = { keys: [...sb3.policy.keys()], written };
  } else {
    for (const [group, sources] of Object.entries(offPolicyParameters(data, sb3.policy))) {
      assignInOrder(ckpt.tensors, (n) => n.startsWith(`${group}/`) || n.startsWith(`${group}.`), sources, group);
    }
    const logEntCoef = sb3.variables.get("log_ent_coef");
    if (logEntCoef !== undefined && "log_ent_coef" in ckpt.tensors) {
      assignInOrder(ckpt.tensors, (n) => n === "log_ent_coef", [logEntCoef], "log_ent_coef");
    }
  }
  if (sb3.optimizer !== null && optimized !== null && opts.optimizerState !== false) {
    const { keys: optimizedKeys, written } = optimized;
    const names = optimizedKeys.map((k) => {
      const name = written.get(sb3.policy.get(k) as TorchTensor);
      if (name === undefined)
        throw new Sb3ImportError(`SB3 ${data.algorithm}: optimized parameter ${k} has no tsrl twin`);
      return name;
    });
    applyOptimizerState(ckpt, sb3.optimizer, names, data.algorithm === "DQN" ? "nUpdates" : "optimizerSteps");
  }
  if (vn !== null) ckpt.meta.algorithmState.normalizer = normalizerState(model, vn);
  ckpt.meta.counters.numTimesteps = data.numTimesteps;
  model.restoreCheckpoint(ckpt, false);
  return model;
}

function isOnPolicy(data: Sb3Data): boolean {
  return data.algorithm === "PPO" || data.algorithm === "A2C" || data.algorithm === "TRPO";
}

/** SB3's plain-JSON hyperparameters under tsrl's camelCase names, for the options the tsrl class has. */
function hyperparameters(data: Sb3Data, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data.hyperparameters)) {
    const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (keys.includes(camel) && (v !== null || camel === "targetKl")) out[camel] = v;
  }
  return out;
}

/**
 * Write `sources` (SB3 tensors in tsrl's parameter order) into the checkpoint tensors `select` picks, in their
 * order: one tensor each (named layers), or all concatenated into a single flat vector. Returns which tsrl tensor
 * each source went to (empty for the flat vector).
 */
function assignInOrder(
  tensors: Record<string, StateTensor>,
  select: (name: string) => boolean,
  sources: readonly TorchTensor[],
  what: string,
): Map<TorchTensor, string> {
  const names = Object.keys(tensors).filter(select);
  const total = sources.reduce((s, t) => s + t.data.length, 0);
  const write = (name: string, values: ArrayLike<number>) => {
    const t = tensors[name];
    if (t.dtype !== "F32" && t.dtype !== "F64")
      throw new Sb3ImportError(`tsrl tensor ${name} is ${t.dtype}, expected floats`);
    const data = t.dtype === "F32" ? Float32Array.from(values) : Float64Array.from(values);
    tensors[name] = { dtype: t.dtype, shape: t.shape, data } as StateTensor;
  };
  if (names.length === 1 && names.length !== sources.length) {
    const size = tensors[names[0]].data.length;
    if (size !== total) {
      throw new Sb3ImportError(
        `SB3 ${what} has ${total} parameters, tsrl's ${names[0]} holds ${size} (architectures differ)`,
      );
    }
    const flat = new Float64Array(total);
    let at = 0;
    for (const s of sources) {
      flat.set(s.data as Float32Array, at);
      at += s.data.length;
    }
    write(names[0], flat);
    return new Map();
  }
  if (names.length !== sources.length) {
    throw new Sb3ImportError(
      `SB3 ${what} has ${sources.length} tensors, tsrl's model has ${names.length} (architectures differ)`,
    );
  }
  names.forEach((name, i) => {
    const want = tensors[name].shape;
    const got = sources[i].shape;
    const scalars = sources[i].data.length === 1 && tensors[name].data.length === 1; // [] and [1] alike
    if (!scalars && (want.length !== got.length || want.some((d, j) => d !== got[j]))) {
      throw new Sb3ImportError(
        `SB3 ${what} tensor ${i} has shape [${got.join(", ")}], tsrl's ${name} has [${want.join(", ")}]`,
      );
    }
    write(name, sources[i].data as Float32Array);
  });
  return new Map(sources.map((t, i) => [t, names[i]]));
}

/**
 * tsrl's normalization options for SB3's VecNormalize (on-policy models own their normalizer). tsrl's epsilon is
 * SB3's default 1e-8, and its reward normalization discounts with the algorithm's gamma: other values are refused.
 */
function normalizationConfig(data: Sb3Data, vn: Sb3VecNormalize, gamma: unknown): Record<string, unknown> {
  if (!isOnPolicy(data)) {
    throw new Sb3ImportError(
      `VecNormalize statistics: tsrl's ${data.algorithm} has no observation normalization (PPO, A2C and TRPO do)`,
    );
  }
  if (vn.epsilon !== 1e-8) throw new Sb3ImportError(`VecNormalize epsilon ${vn.epsilon}: tsrl's is 1e-8`);
  if (vn.normReward && typeof gamma === "number" && vn.gamma !== gamma) {
    throw new Sb3ImportError(
      `VecNormalize gamma ${vn.gamma} differs from the model's ${gamma}: tsrl's reward normalization discounts with the model's`,
    );
  }
  return {
    normalizeObs: vn.normObs,
    normalizeReward: vn.normReward,
    clipObs: vn.clipObs,
    clipReward: vn.clipReward,
  };
}

/** The model's normalizer state from SB3's statistics: a Dict space's per-key statistics concatenated in key order. */
function normalizerState(model: Algorithm, vn: Sb3VecNormalize): Record<string, unknown> {
  let obs: RunningMeanStdState | null = null;
  const o = vn.obsRms;
  if (o instanceof Map) {
    const info = model.obsInfo;
    if (info.kind !== "dict")
      throw new Sb3ImportError("VecNormalize has per-key statistics, the model's observations are not a Dict");
    const parts = info.keys.map(({ key }) => {
      const s = o.get(key);
      if (s === undefined)
        throw new Sb3ImportError(
          `VecNormalize does not normalize Dict key ${JSON.stringify(key)}; tsrl normalizes every key`,
        );
      return s;
    });
    obs = {
      mean: parts.flatMap((p) => p.mean),
      var: parts.flatMap((p) => p.var),
      count: parts[0].count,
    };
  } else obs = o as RunningMeanStdState | null;
  if (obs !== null && obs.mean.length !== model.obsInfo.dim) {
    throw new Sb3ImportError(
      `VecNormalize has statistics of ${obs.mean.length} values, the observations have ${model.obsInfo.dim}`,
    );
  }
  return { obs, ret: vn.normReward ? vn.retRms : null, returns: [] };
}

async function readPath(path: string, what = "an SB3 model zip"): Promise<Uint8Array> {
  try {
    return await readFileBytes(path);
  } catch (e) {
    throw new Sb3ImportError(`cannot read ${what} at ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
}
