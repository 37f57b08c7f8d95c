import { Sb3ImportError } from "../errors.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";
import { MultiBinary } from "../spaces/multi-binary.js";
import { MultiDiscrete } from "../spaces/multi-discrete.js";
import type { Space } from "../spaces/space.js";

/** The algorithms whose SB3 (and sb3-contrib) models tsrl can read. */
export type Sb3Algorithm = "PPO" | "A2C" | "TRPO" | "DQN" | "SAC" | "TD3" | "DDPG";

/** The policy architecture SB3 built, in SB3's terms (as a policy's constructor would receive it). */
export interface Sb3PolicySpec {
  /** Hidden layer sizes: one list (the same for every network) or per network (`pi`, `vf`, `qf`). */
  netArch:
    | readonly number[]
    | { readonly pi: readonly number[]; readonly vf?: readonly number[]; readonly qf?: readonly number[] };
  activation: "tanh" | "relu";
  logStdInit: number;
  useSde: boolean;
  fullStd: boolean;
  useExpln: boolean;
  squashOutput: boolean;
  shareFeaturesExtractor: boolean;
  /** The optimizer class SB3 used (e.g. "Adam", "RMSprop"), when it could be read. */
  optimizerClass: string | null;
  optimizerKwargs: Record<string, unknown>;
}

/** What a model zip's `data` member says, without executing any of it. */
export interface Sb3Data {
  algorithm: Sb3Algorithm;
  observationSpace: Space<unknown>;
  actionSpace: Space<unknown>;
  policy: Sb3PolicySpec;
  /** Plain-JSON hyperparameters, under SB3's names (learning_rate, gamma, n_steps, ...). */
  hyperparameters: Record<string, number | boolean | string | null>;
  /** Keys whose value SB3 stored only as a cloudpickle (a schedule, a class...): not executed, not imported. */
  notImported: string[];
  numTimesteps: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The SB3 keys read as hyperparameters when they are plain JSON. */
const HYPERPARAMETERS = [
  "learning_rate",
  "gamma",
  "gae_lambda",
  "n_steps",
  "batch_size",
  "n_epochs",
  "ent_coef",
  "vf_coef",
  "max_grad_norm",
  "normalize_advantage",
  "target_kl",
  "use_sde",
  "sde_sample_freq",
  "use_sde_at_warmup",
  "buffer_size",
  "learning_starts",
  "tau",
  "gradient_steps",
  "target_update_interval",
  "exploration_fraction",
  "exploration_initial_eps",
  "exploration_final_eps",
  "policy_delay",
  "target_policy_noise",
  "target_noise_clip",
  "target_entropy",
  "n_critic_updates",
  "cg_max_steps",
  "cg_damping",
  "line_search_shrinking_factor",
  "line_search_max_iter",
];

/**
 * Parse the `data` member of an SB3 model zip: spaces, algorithm, policy architecture and hyperparameters.
 * Values SB3 could only cloudpickle (`{":type:", ":serialized:"}` objects) are never decoded: their plain-JSON
 * siblings (which SB3 writes beside them) are read instead, and the rest is listed in `notImported`.
 */
export function parseSb3Data(text: string): Sb3Data {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Sb3ImportError(`SB3 data: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new Sb3ImportError("SB3 data: expected a JSON object");
  const d = raw as Record<string, Json>;
  const notImported: string[] = [];
  const hyperparameters: Record<string, number | boolean | string | null> = {};
  for (const [k, v] of Object.entries(d)) {
    if (isSerialized(v)) {
      if (
        ![
          "policy_class",
          "_last_obs",
          "_last_episode_starts",
          "_last_original_obs",
          "ep_info_buffer",
          "ep_success_buffer",
          "observation_space",
          "action_space",
          "policy_kwargs",
          "rollout_buffer_class",
          "replay_buffer_class",
        ].includes(k)
      ) {
        notImported.push(k);
      }
    } else if (HYPERPARAMETERS.includes(k) && (v === null || ["number", "boolean", "string"].includes(typeof v))) {
      hyperparameters[k] = v as number | boolean | string | null;
    }
  }
  const observationSpace = parseSpace(d.observation_space, "observation_space");
  const actionSpace = parseSpace(d.action_space, "action_space");
  const algorithm = detectAlgorithm(d);
  return {
    algorithm,
    observationSpace,
    actionSpace,
    policy: parsePolicy(d.policy_kwargs, algorithm),
    hyperparameters,
    notImported,
    numTimesteps: typeof d.num_timesteps === "number" ? d.num_timesteps : 0,
  };
}

function isSerialized(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof v[":serialized:"] === "string";
}

/** The algorithm, from the policy class's module and the keys only one algorithm saves. */
function detectAlgorithm(d: Record<string, Json>): Sb3Algorithm {
  const pc = d.policy_class;
  const module = isSerialized(pc) && typeof pc.__module__ === "string" ? pc.__module__ : "";
  if (module.includes(".dqn.") || "exploration_fraction" in d) return "DQN";
  if (module.includes(".sac.") || "target_entropy" in d) return "SAC";
  if (module.includes(".td3.") || "policy_delay" in d) {
    return d.policy_delay === 1 && d.target_noise_clip === 0 ? "DDPG" : "TD3";
  }
  if ("cg_max_steps" in d) return "TRPO";
  if ("n_epochs" in d) return "PPO";
  if ("n_steps" in d) return "A2C";
  throw new Sb3ImportError(
    `SB3 data: cannot tell the algorithm (policy module ${JSON.stringify(module)}); supported: PPO, A2C, TRPO, DQN, SAC, TD3, DDPG`,
  );
}

const DEFAULT_ARCH: Record<Sb3Algorithm, Sb3PolicySpec["netArch"]> = {
  PPO: { pi: [64, 64], vf: [64, 64] },
  A2C: { pi: [64, 64], vf: [64, 64] },
  TRPO: { pi: [64, 64], vf: [64, 64] },
  DQN: [64, 64],
  SAC: [256, 256],
  TD3: [400, 300],
  DDPG: [400, 300],
};

function parsePolicy(pk: Json | undefined, algorithm: Sb3Algorithm): Sb3PolicySpec {
  // a policy_kwargs holding a class is serialized, with its JSON-able items as plain siblings
  const o = pk !== null && typeof pk === "object" && !Array.isArray(pk) ? pk : {};
  const onPolicy = algorithm === "PPO" || algorithm === "A2C" || algorithm === "TRPO";
  const spec: Sb3PolicySpec = {
    netArch: DEFAULT_ARCH[algorithm],
    activation: onPolicy ? "tanh" : "relu",
    logStdInit: algorithm === "SAC" ? -3 : 0,
    useSde: false,
    fullStd: true,
    useExpln: false,
    squashOutput: false,
    shareFeaturesExtractor: true,
    optimizerClass: null,
    optimizerKwargs: {},
  };
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith(":")) continue;
    switch (k) {
      case "net_arch":
        spec.netArch = parseNetArch(v);
        break;
      case "activation_fn":
        spec.activation = parseActivation(v);
        break;
      case "log_std_init":
        spec.logStdInit = num(v, k);
        break;
      case "use_sde":
      case "full_std":
      case "use_expln":
      case "squash_output":
      case "share_features_extractor": {
        if (typeof v !== "boolean")
          throw new Sb3ImportError(`SB3 data: policy_kwargs.${k} is ${JSON.stringify(v)}, expected a boolean`);
        const key = {
          use_sde: "useSde",
          full_std: "fullStd",
          use_expln: "useExpln",
          squash_output: "squashOutput",
          share_features_extractor: "shareFeaturesExtractor",
        } as const;
        spec[key[k]] = v;
        break;
      }
      case "optimizer_class":
        spec.optimizerClass = typeof v === "string" ? (/'([\w.]+)'/.exec(v)?.[1].split(".").pop() ?? null) : null;
        break;
      case "optimizer_kwargs":
        if (v !== null && typeof v === "object" && !Array.isArray(v)) spec.optimizerKwargs = v;
        break;
      case "clip_mean":
        // gSDE SAC's mean clamp: tsrl's is SB3's default, 2
        if (v !== 2)
          throw new Sb3ImportError(`SB3 data: policy_kwargs.clip_mean is ${JSON.stringify(v)}; tsrl supports 2`);
        break;
      case "ortho_init":
      case "n_critics":
      case "normalize_images":
        break; // irrelevant once the weights are loaded / fixed by the state_dict
      default:
        throw new Sb3ImportError(
          `SB3 data: policy_kwargs.${k} (${JSON.stringify(v).slice(0, 80)}) is not supported by the importer`,
        );
    }
  }
  return spec;
}

function parseNetArch(v: Json): Sb3PolicySpec["netArch"] {
  const sizes = (x: Json | undefined, what: string): number[] => {
    if (!Array.isArray(x) || !x.every((s) => typeof s === "number" && Number.isInteger(s) && s > 0)) {
      throw new Sb3ImportError(`SB3 data: net_arch${what} is ${JSON.stringify(x)}, expected a list of layer sizes`);
    }
    return x as number[];
  };
  if (Array.isArray(v)) {
    // SB3 < 1.8 allowed a shared trunk as [64, dict(pi=..., vf=...)]: refuse it rather than guess
    if (v.length > 0 && typeof v[v.length - 1] === "object")
      throw new Sb3ImportError("SB3 data: net_arch with a shared trunk (SB3 < 1.8) is not supported");
    return sizes(v, "");
  }
  if (v !== null && typeof v === "object") {
    return {
      pi: sizes(v.pi ?? [], ".pi"),
      ...(v.vf !== undefined ? { vf: sizes(v.vf, ".vf") } : {}),
      ...(v.qf !== undefined ? { qf: sizes(v.qf, ".qf") } : {}),
    };
  }
  throw new Sb3ImportError(`SB3 data: net_arch is ${JSON.stringify(v)}, expected a list or a dict`);
}

/** activation_fn is a class, saved as its repr ("<class 'torch.nn.modules.activation.ReLU'>"). */
function parseActivation(v: Json): "tanh" | "relu" {
  const name = typeof v === "string" ? (/\.(\w+)'>$/.exec(v)?.[1] ?? v) : "";
  if (name === "Tanh") return "tanh";
  if (name === "ReLU") return "relu";
  throw new Sb3ImportError(`SB3 data: activation_fn ${JSON.stringify(v)} is not supported (Tanh or ReLU)`);
}

function num(v: Json | undefined, what: string): number {
  if (typeof v !== "number") throw new Sb3ImportError(`SB3 data: ${what} is ${JSON.stringify(v)}, expected a number`);
  return v;
}

/** A gymnasium space from SB3's JSON: its type name plus the attributes SB3 writes in plain JSON. */
function parseSpace(v: Json | undefined, what: string): Space<unknown> {
  if (!isSerialized(v) || typeof v[":type:"] !== "string") throw new Sb3ImportError(`SB3 data: ${what} is missing`);
  const type = /\.(\w+)'>$/.exec(v[":type:"] as string)?.[1];
  switch (type) {
    case "Box": {
      const shape = v._shape;
      if (!Array.isArray(shape) || !shape.every((s) => typeof s === "number"))
        throw new Sb3ImportError(`SB3 data: ${what}._shape is missing`);
      if (v.dtype !== "float32")
        throw new Sb3ImportError(
          `SB3 data: ${what} is a Box of ${JSON.stringify(v.dtype)} (images need a CNN policy: not supported)`,
        );
      const size = (shape as number[]).reduce((a, b) => a * b, 1);
      return new Box(
        numpyArray(v.low, size, `${what}.low`),
        numpyArray(v.high, size, `${what}.high`),
        shape as number[],
      );
    }
    case "Discrete":
      return new Discrete(intOf(v.n, `${what}.n`), { start: intOf(v.start ?? 0, `${what}.start`) });
    case "MultiDiscrete":
      return new MultiDiscrete(numpyArray(v.nvec, -1, `${what}.nvec`));
    case "MultiBinary":
      return new MultiBinary(typeof v.n === "number" ? v.n : intOf(v.n, `${what}.n`));
    default:
      throw new Sb3ImportError(
        `SB3 data: ${what} of type ${JSON.stringify(v[":type:"])} is not supported (Box, Discrete, MultiDiscrete, MultiBinary)`,
      );
  }
}

function intOf(v: Json | undefined, what: string): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n))
    throw new Sb3ImportError(`SB3 data: ${what} is ${JSON.stringify(v)}, expected an integer`);
  return n;
}

/**
 * A numpy array from its repr ("[-4.8  -inf  0.41887903]", nested brackets for more dimensions), to float32.
 * A repr numpy summarized with "..." cannot be read back: refused.
 */
function numpyArray(v: Json | undefined, size: number, what: string): Float32Array {
  const text = Array.isArray(v) ? v.join(" ") : String(v);
  if (text.includes("..."))
    throw new Sb3ImportError(`SB3 data: ${what} was summarized by numpy ("...") and cannot be read`);
  const parts = text
    .replace(/[[\],]/g, " ")
    .trim()
    .split(/\s+/)
    .filter((s) => s.length > 0);
  const values = parts.map((p) => {
    const x = p === "inf" ? Infinity : p === "-inf" ? -Infinity : Number(p);
    if (Number.isNaN(x)) throw new Sb3ImportError(`SB3 data: ${what} holds ${JSON.stringify(p)}, expected numbers`);
    return x;
  });
  if (size >= 0 && values.length === 1 && size > 1) return new Float32Array(size).fill(values[0]);
  if (size >= 0 && values.length !== size)
    throw new Sb3ImportError(`SB3 data: ${what} has ${values.length} values, the shape needs ${size}`);
  return Float32Array.from(values);
}

/** The hidden sizes of one network (`pi`, `vf` or `qf`) of an SB3 net_arch: a list applies to every network. */
export function hiddenSizes(arch: Sb3PolicySpec["netArch"], net: "pi" | "vf" | "qf"): readonly number[] {
  if (isList(arch)) return arch;
  return arch[net] ?? [];
}

function isList(arch: Sb3PolicySpec["netArch"]): arch is readonly number[] {
  return Array.isArray(arch);
}
