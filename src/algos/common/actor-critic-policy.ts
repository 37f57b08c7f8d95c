import { checkBool } from "../../core/checks.js";
import { Engine } from "../../core/engine.js";
import { type KernelPreference, kernelPreferences } from "../../core/kernels/index.js";
import { checkThreads } from "../../core/kernels/thread-pool.js";
import { tanh } from "../../core/math/index.js";
import { reshape } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { Categorical } from "../../distributions/categorical.js";
import { DiagGaussian } from "../../distributions/diag-gaussian.js";
import { Gsde, GsdeDistribution } from "../../distributions/gsde.js";
import { MultiCategorical } from "../../distributions/multi-categorical.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { type Activation, MLP } from "../../nn/mlp.js";
import { FeaturesExtractor } from "./features-extractor.js";
import type { SpaceInfo } from "./space-info.js";

/**
 * Network architecture, as SB3's `policyKwargs.netArch`: `{ pi, vf }` gives separate actor and critic trunks;
 * a plain list gives one trunk shared by both heads.
 */
export type NetArch = readonly number[] | { readonly pi: readonly number[]; readonly vf: readonly number[] };

export const activations: readonly Activation[] = ["tanh", "relu"];

export interface PolicyOptions {
  /** default { pi: [64, 64], vf: [64, 64] } */
  netArch?: NetArch;
  /** hidden activation, "tanh" (default) or "relu" */
  activation?: Activation;
  /** orthogonal init with gains sqrt(2) hidden, 0.01 policy head, 1 value head (default true); else PyTorch's default */
  orthoInit?: boolean;
  /** initial log standard deviation of a Gaussian policy (state-independent, learned), default 0 */
  logStdInit?: number;
  /** kernels: "auto" (WebAssembly SIMD in float32 when available), "ts" (float64 reference, exact), "wasm"... */
  kernels?: KernelPreference;
  /** threads for the networks' large products (default: the machine's cores, at most 8); results do not depend on it */
  threads?: number;
  /** check every op's output and gradient for NaN/Infinity (the engine's check mode, which names the op) */
  checkFinite?: boolean;
  /**
   * Generalized state-dependent exploration (gSDE, Raffin et al. 2022) for Box actions: the noise is
   * phi(s) E with phi the policy's last hidden layer (no gradient through it) and E ~ N(0, exp(logStd)^2) a
   * [hidden, dim] matrix drawn per env (see `resetExploration`); marginally a = mu(s) + N(0, var(s)),
   * var_j(s) = sum_i phi_i(s)^2 exp(2 logStd_ij) + 1e-6. Default false.
   */
  useSde?: boolean;
  /**
   * Box actions: send the env low + (tanh(u) + 1) (high - low) / 2 of the Gaussian sample u instead of u clipped to
   * the bounds (needs finite bounds). The rollout still stores u and every loss uses log N(u; mu, sigma): the
   * squash's Jacobian does not depend on the parameters, so probability ratios, policy gradients, KL and Fisher
   * products are those of the squashed policy exactly; the logged log-probs and the entropy bonus are the
   * Gaussian's. Default false.
   */
  squashOutput?: boolean;
}

/** What the policy head must produce, read off an action space. */
export type ActionSpec =
  | { readonly kind: "categorical"; readonly nvec: readonly number[]; readonly start: readonly number[] }
  | { readonly kind: "gaussian"; readonly dim: number; readonly low: Float32Array; readonly high: Float32Array };

/** Actions as the policy stores them: integer indices (Discrete, MultiDiscrete) or unclipped floats (Box). */
export type PolicyActions = Int32Array | Float32Array;

/** The action distribution of a batch of observations (src/distributions), every quantity on the tape. */
export type ActionDistribution = Categorical | MultiCategorical | DiagGaussian | GsdeDistribution;

/** How to act: the mode instead of a sample; gSDE's exploration matrices; action masks [B, sum(nvec)] (1 = allowed). */
export interface ActOptions {
  deterministic?: boolean;
  explore?: boolean;
  actionMasks?: Uint8Array | null;
}

/**
 * Actor-critic policy (SB3's ActorCriticPolicy) on the core's tape: observations are flattened (the features
 * extractor of Box and Discrete spaces), optionally pass a shared trunk, then an actor MLP gives the head of the
 * action distribution (logits, or Gaussian means with a learned log-std) and a critic MLP gives V(s).
 * Stateless: every method takes the observations and returns tensors of the caller's engine scope.
 *
 * Parameter order (`parameters()`, and the order of a format-1 checkpoint's flat vector): shared trunk, actor,
 * log-std, critic. Names as a PyTorch state_dict gives them: `shared.0.weight`, `pi.0.weight`, ..., `log_std`,
 * `vf.0.weight`, ...
 */
export class ActorCriticPolicy {
  readonly engine: Engine;
  /** floats per observation row (a vector env's row) */
  readonly obsDim: number;
  readonly extractor: FeaturesExtractor;
  readonly spec: ActionSpec;
  /** numbers stored per action (1 for Discrete, len(nvec) for MultiDiscrete, dim for Box) */
  readonly actDim: number;
  /** width of the policy head: logits or Gaussian means */
  readonly headSize: number;
  readonly shared: MLP | null;
  readonly pi: MLP;
  readonly vf: MLP;
  /** Gaussian log-std: [dim], or [latent, dim] with gSDE; null for categorical policies */
  readonly logStd: Tensor | null;
  /** width of phi(s) for gSDE (0 without gSDE) */
  readonly sdeLatent: number;
  /** gSDE's noise (its exploration matrices, one per env), or null */
  readonly gsde: Gsde | null;
  readonly options: Required<PolicyOptions>;

  /** `observation`: the observation space (or, for a Box, its flat size). */
  constructor(observation: number | SpaceInfo, spec: ActionSpec, rng: Rng, options: PolicyOptions = {}) {
    const netArch = options.netArch ?? { pi: [64, 64], vf: [64, 64] };
    this.options = {
      netArch,
      activation: options.activation ?? "tanh",
      orthoInit: options.orthoInit ?? true,
      logStdInit: options.logStdInit ?? 0,
      kernels: options.kernels ?? "auto",
      checkFinite: options.checkFinite ?? false,
      threads: checkThreads(options.threads, "policyKwargs.threads"),
      useSde: options.useSde ?? false,
      squashOutput: options.squashOutput ?? false,
    };
    const o = this.options;
    checkNetArch(netArch);
    checkChoice("policyKwargs.activation", o.activation, activations);
    checkChoice("policyKwargs.kernels", o.kernels, kernelPreferences);
    for (const key of ["orthoInit", "useSde", "squashOutput", "checkFinite"] as const) {
      checkBool(`policyKwargs.${key}`, o[key]);
    }
    if (typeof observation === "number" && (!Number.isInteger(observation) || observation < 1))
      throw new InvalidArgumentError(`obsDim must be a positive integer, got ${observation}`);
    if (typeof o.logStdInit !== "number" || !Number.isFinite(o.logStdInit))
      throw new InvalidArgumentError(`logStdInit must be finite, got ${describe(o.logStdInit)}`);
    const shared = isSharedArch(netArch);
    if (o.useSde && (spec.kind !== "gaussian" || shared || netArch.pi.length === 0)) {
      throw new InvalidArgumentError(
        "useSde needs a Box action space and a separate policy network with at least one hidden layer",
      );
    }
    if (o.squashOutput) {
      const finite = spec.kind === "gaussian" && [...spec.low, ...spec.high].every((v) => Number.isFinite(v));
      if (!finite) throw new InvalidArgumentError("squashOutput needs a Box action space with finite bounds");
    }
    this.engine = new Engine({
      dtype: o.kernels === "ts" ? "float64" : "float32",
      kernels: o.kernels,
      checkFinite: o.checkFinite,
      threads: o.threads,
    });
    this.extractor = new FeaturesExtractor(
      typeof observation === "number"
        ? {
            kind: "box",
            shape: [observation],
            low: new Float32Array(0),
            high: new Float32Array(0),
            dim: observation,
            dtype: "float32",
          }
        : observation,
    );
    this.obsDim = this.extractor.rowDim;
    const obsDim = this.extractor.featuresDim;
    this.spec = spec;
    this.actDim = spec.kind === "categorical" ? spec.nvec.length : spec.dim;
    this.headSize = spec.kind === "categorical" ? spec.nvec.reduce((a, b) => a + b, 0) : spec.dim;
    const init = o.orthoInit ? "orthogonal" : "default";
    const mlp = (inputSize: number, hidden: readonly number[], outputSize: number, outputGain: number) =>
      new MLP(this.engine, rng, {
        inputSize,
        hiddenSizes: hidden,
        outputSize,
        activation: o.activation,
        init,
        outputGain,
      });
    let feat = obsDim;
    if (shared && netArch.length > 0) {
      const last = netArch[netArch.length - 1];
      this.shared = new MLP(this.engine, rng, {
        inputSize: obsDim,
        hiddenSizes: netArch.slice(0, -1),
        outputSize: last,
        activation: o.activation,
        init,
        outputGain: Math.SQRT2,
        activateOutput: true,
      });
      feat = last;
    } else this.shared = null;
    this.pi = mlp(feat, shared ? [] : netArch.pi, this.headSize, 0.01);
    this.vf = mlp(feat, shared ? [] : netArch.vf, 1, 1);
    this.sdeLatent = o.useSde && !shared ? netArch.pi[netArch.pi.length - 1] : 0;
    this.gsde = this.sdeLatent > 0 ? new Gsde(this.sdeLatent, this.actDim) : null;
    if (spec.kind === "gaussian") {
      const shape = this.sdeLatent > 0 ? [this.sdeLatent, spec.dim] : [spec.dim];
      this.logStd = this.engine.parameter(shape);
      this.logStd.data().fill(o.logStdInit);
    } else this.logStd = null;
  }

  /** Every parameter: shared trunk, actor, log-std, critic (a format-1 checkpoint's flat order). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** The actor's parameters (TRPO's natural-gradient step): actor MLP then log-std; needs separate trunks. */
  actorParameters(): Tensor[] {
    return this.logStd === null ? this.pi.parameters() : [...this.pi.parameters(), this.logStd];
  }

  /** The critic's own parameters (not the shared trunk). */
  criticParameters(): Tensor[] {
    return this.vf.parameters();
  }

  /** [name, tensor] in `parameters()` order: `shared.0.weight`, `pi.0.weight`, `pi.0.bias`, ..., `log_std`, `vf...`. */
  namedParameters(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const add = (prefix: string, net: MLP) =>
      net.layers.forEach((l, i) => {
        out.push([`${prefix}.${i}.weight`, l.weight]);
        if (l.bias !== null) out.push([`${prefix}.${i}.bias`, l.bias]);
      });
    if (this.shared !== null) add("shared", this.shared);
    add("pi", this.pi);
    if (this.logStd !== null) out.push(["log_std", this.logStd]);
    add("vf", this.vf);
    return out;
  }

  /** Total number of scalar parameters. */
  get numParams(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /** Observation rows [B, obsDim] as the features extractor's output, a tensor of the caller's engine scope. */
  observations(obs: Float32Array, batch: number): Tensor {
    return this.extractor.features(this.engine, obs, batch);
  }

  /** Features of the shared trunk (or the flattened observations themselves). */
  private features(obs: Tensor): Tensor {
    return this.shared === null ? obs : this.shared.forward(obs);
  }

  /** pi(.|s) for the observations [B, obsDim], with the action masks [B, sum(nvec)] when given. */
  distribution(obs: Tensor, actionMasks: Uint8Array | null = null): ActionDistribution {
    return this.distributionOf(this.features(obs), actionMasks);
  }

  private distributionOf(features: Tensor, actionMasks: Uint8Array | null): ActionDistribution {
    const spec = this.spec;
    if (spec.kind === "categorical") {
      if (actionMasks !== null && actionMasks.length !== features.shape[0] * this.headSize) {
        // the distributions check it too; here the message names the action space's width
        throw new InvalidArgumentError(
          `actionMasks: expected ${features.shape[0]} x ${this.headSize} values (one per action), got length ${actionMasks.length}`,
        );
      }
      const logits = this.pi.forward(features);
      return spec.nvec.length === 1
        ? new Categorical(logits, { actionMasks })
        : new MultiCategorical(logits, spec.nvec, { actionMasks });
    }
    if (actionMasks !== null)
      throw new InvalidArgumentError("actionMasks apply to Discrete and MultiDiscrete actions only");
    const logStd = this.logStd as Tensor;
    if (this.gsde === null) return new DiagGaussian(this.pi.forward(features), logStd);
    // gSDE: the noise is phi(s) E with phi the actor's last hidden layer
    const latent = this.pi.hidden(features);
    return this.gsde.distribution(this.pi.layer(this.pi.layers.length - 1, latent), logStd, latent);
  }

  /** V(s) for the observations [B, obsDim], shape [B]. */
  predictValues(obs: Tensor): Tensor {
    return reshape(this.vf.forward(this.features(obs)), [obs.shape[0]]);
  }

  /**
   * Act: draw actions for the observations [B, obsDim] into `actions` (the mode when `deterministic`; with gSDE
   * and `explore`, row b's noise is phi(s_b) E_b), and return V(s) and log pi(a|s), both [B].
   */
  forward(obs: Tensor, rng: Rng, actions: PolicyActions, opts: ActOptions = {}): { values: Tensor; logProb: Tensor } {
    const feat = this.features(obs);
    const dist = this.distributionOf(feat, opts.actionMasks ?? null);
    if (dist instanceof Categorical || dist instanceof MultiCategorical) {
      if (opts.deterministic) dist.mode(actions as Int32Array);
      else dist.sample(rng, actions as Int32Array);
    } else if (opts.deterministic) dist.mode(actions as Float32Array);
    else if (dist instanceof GsdeDistribution) {
      if (opts.explore) dist.sample(actions as Float32Array);
      else (dist.inner as DiagGaussian).sample(rng, actions as Float32Array);
    } else dist.sample(rng, actions as Float32Array);
    const logProb = logProbOf(dist, actions);
    return { values: reshape(this.vf.forward(feat), [obs.shape[0]]), logProb };
  }

  /** log pi(a|s), H(pi(.|s)) and V(s) of stored actions, each [B], on the tape (the losses' inputs). */
  evaluateActions(
    obs: Tensor,
    actions: PolicyActions,
    actionMasks: Uint8Array | null = null,
  ): { values: Tensor; logProb: Tensor; entropy: Tensor } {
    const feat = this.features(obs);
    const dist = this.distributionOf(feat, actionMasks);
    return {
      values: reshape(this.vf.forward(feat), [obs.shape[0]]),
      logProb: logProbOf(dist, actions),
      entropy: dist.entropy(),
    };
  }

  /** log pi(a|s) of stored actions, [B]. */
  logProb(obs: Tensor, actions: PolicyActions, actionMasks: Uint8Array | null = null): Tensor {
    return logProbOf(this.distribution(obs, actionMasks), actions);
  }

  /** gSDE: draw fresh exploration matrices E ~ N(0, exp(logStd)^2), one per env. */
  resetExploration(rng: Rng, rows: number): void {
    if (this.gsde !== null) this.gsde.resetNoise(this.logStd as Tensor, rng, rows);
  }

  /** A buffer for `rows` actions as this policy stores them. */
  makeActions(rows: number): PolicyActions {
    return this.spec.kind === "categorical" ? new Int32Array(rows * this.actDim) : new Float32Array(rows * this.actDim);
  }

  /**
   * Actions as the env takes them: Gaussian samples clipped to the Box (or squashed into it, `squashOutput`),
   * categorical indices shifted by `start`.
   */
  toEnvActions(actions: PolicyActions, batch: number, out: PolicyActions): PolicyActions {
    const d = this.actDim;
    if (this.spec.kind === "gaussian") {
      const { low, high } = this.spec;
      const squash = this.options.squashOutput;
      for (let i = 0; i < batch * d; i++) {
        const j = i % d;
        const a = actions[i];
        // the min/max also keeps a float32 rounding of the squash inside the bounds
        const v = squash ? low[j] + (tanh(a) + 1) * 0.5 * (high[j] - low[j]) : a;
        out[i] = Math.min(Math.max(v, low[j]), high[j]);
      }
    } else {
      const { start } = this.spec;
      for (let i = 0; i < batch * d; i++) out[i] = actions[i] + start[i % d];
    }
    return out;
  }
}

/** log pi(a|s) of the first B rows of `actions` (a minibatch array may be longer than its last batch). */
export function logProbOf(dist: ActionDistribution, actions: PolicyActions): Tensor {
  const n =
    dist instanceof Categorical
      ? dist.batchSize
      : dist instanceof MultiCategorical
        ? dist.batchSize * dist.nvec.length
        : dist.mean.size;
  const rows = actions.length === n ? actions : actions.subarray(0, n);
  if (dist instanceof Categorical || dist instanceof MultiCategorical) {
    if (!(rows instanceof Int32Array)) {
      throw new InvalidArgumentError(
        `actions of a Discrete or MultiDiscrete space must be an Int32Array, got ${describe(actions)}`,
      );
    }
    return dist.logProb(rows);
  }
  if (!(rows instanceof Float32Array)) {
    throw new InvalidArgumentError(`actions of a Box space must be a Float32Array, got ${describe(actions)}`);
  }
  return dist.logProb(rows);
}

function isSharedArch(netArch: NetArch): netArch is readonly number[] {
  return Array.isArray(netArch);
}

function checkNetArch(netArch: NetArch): void {
  const lists: unknown[] = isSharedArch(netArch) ? [netArch] : [netArch?.pi, netArch?.vf];
  for (const l of lists) {
    if (!Array.isArray(l) || !l.every((h) => Number.isInteger(h) && h > 0)) {
      throw new InvalidArgumentError(
        `netArch must be a list of positive layer sizes or { pi, vf } of such lists, got ${describe(netArch)}`,
      );
    }
  }
}

/** An enumerated option must be one of its values. */
export function checkChoice<T>(name: string, value: unknown, choices: readonly T[]): asserts value is T {
  if (!choices.includes(value as T)) {
    throw new InvalidArgumentError(
      `${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describe(value)}`,
    );
  }
}
