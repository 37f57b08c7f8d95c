import type { KernelPreference } from "../../core/kernels/index.js";
import type { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import type { SpaceJSON } from "../../spaces/space.js";
import { type Activation, type Backend, DenseMlp, makeBackend } from "./dense-mlp.js";

/**
 * Network architecture, as SB3's `policyKwargs.netArch`: `{ pi, vf }` gives separate actor and critic trunks;
 * a plain list gives one trunk shared by both heads.
 */
export type NetArch = readonly number[] | { readonly pi: readonly number[]; readonly vf: readonly number[] };

export interface PolicyOptions {
  /** default { pi: [64, 64], vf: [64, 64] } */
  netArch?: NetArch;
  /** hidden activation, default "tanh" */
  activation?: Activation;
  /** orthogonal init with gains sqrt(2) hidden, 0.01 policy head, 1 value head (default true); else PyTorch's default */
  orthoInit?: boolean;
  /** initial log standard deviation of a Gaussian policy (state-independent, learned), default 0 */
  logStdInit?: number;
  /** kernels: "auto" (WebAssembly SIMD in float32 when available), "ts" (float64 reference, exact), "wasm" */
  kernels?: KernelPreference;
}

/** What the policy head must produce, read off an action space. */
export type ActionSpec =
  | { readonly kind: "categorical"; readonly nvec: readonly number[]; readonly start: readonly number[] }
  | { readonly kind: "gaussian"; readonly dim: number; readonly low: Float32Array; readonly high: Float32Array };

/** Anything with a Gymnasium-style `toJSON()` (our spaces). */
export interface SpaceLike {
  toJSON(): SpaceJSON;
}

/** Discrete -> one Categorical, MultiDiscrete -> independent Categoricals, Box -> DiagGaussian. */
export function actionSpecFromSpace(space: SpaceLike): ActionSpec {
  const json = space.toJSON();
  switch (json.type) {
    case "Discrete":
      return { kind: "categorical", nvec: [json.n], start: [json.start] };
    case "MultiDiscrete":
      return { kind: "categorical", nvec: json.nvec, start: json.start };
    case "Box": {
      const dim = json.shape.reduce((a, b) => a * b, 1);
      return {
        kind: "gaussian",
        dim,
        low: Float32Array.from(json.low, (v) => Number(v)),
        high: Float32Array.from(json.high, (v) => Number(v)),
      };
    }
    default:
      throw new InvalidArgumentError(
        `actionSpace must be Discrete, MultiDiscrete or Box for an actor-critic policy, got ${json.type}`,
      );
  }
}

/** Flat observation size: product of a Box's shape; 1 for Discrete (its integer value). */
export function obsDimFromSpace(space: SpaceLike): number {
  const json = space.toJSON();
  if (json.type === "Box") return json.shape.reduce((a, b) => a * b, 1);
  if (json.type === "Discrete") return 1;
  throw new InvalidArgumentError(`observationSpace must be Box or Discrete, got ${json.type}`);
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Actor-critic MLP policy (SB3's ActorCriticPolicy) over one flat parameter vector:
 * actor parameters (trunk, head, and the Gaussian's log-std) come first, critic parameters last, so TRPO can take
 * the actor block [0, actorSize) as one vector. Every method works on a batch of B observations at once.
 * After `forward(obs, B)` the distribution of each row is held in scratch memory; `logProb`, `entropy`,
 * `sample` and `backward` read it.
 */
export class ActorCriticPolicy {
  readonly obsDim: number;
  readonly spec: ActionSpec;
  /** numbers stored per action (1 for Discrete, len(nvec) for MultiDiscrete, dim for Box) */
  readonly actDim: number;
  /** width of the policy head: logits or Gaussian means */
  readonly headSize: number;
  readonly shared: DenseMlp | null;
  readonly pi: DenseMlp;
  readonly vf: DenseMlp;
  /** offset of the Gaussian log-std block (length dim) in params; -1 for categorical policies */
  readonly logStdOffset: number;
  readonly actorSize: number;
  readonly numParams: number;
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly options: Required<PolicyOptions>;
  readonly backend: Backend;
  /** bumped by `markParamsChanged`; the networks re-read `params` when it moved */
  private paramsVersion = 0;
  private syncedVersion = -1;

  private batch = 0;
  private head: Float64Array<ArrayBufferLike> = new Float64Array(0); // normalized logits or means, [B, headSize]
  private values: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private readonly scratch = new Map<number, BatchScratch>();
  private fvpGrads: Float64Array | null = null;

  constructor(obsDim: number, spec: ActionSpec, rng: Rng, options: PolicyOptions = {}) {
    const netArch = options.netArch ?? { pi: [64, 64], vf: [64, 64] };
    this.options = {
      netArch,
      activation: options.activation ?? "tanh",
      orthoInit: options.orthoInit ?? true,
      logStdInit: options.logStdInit ?? 0,
      kernels: options.kernels ?? "auto",
    };
    const backend = makeBackend(this.options.kernels);
    this.backend = backend;
    checkNetArch(netArch);
    if (!Number.isInteger(obsDim) || obsDim < 1)
      throw new InvalidArgumentError(`obsDim must be a positive integer, got ${obsDim}`);
    if (!Number.isFinite(this.options.logStdInit))
      throw new InvalidArgumentError(`logStdInit must be finite, got ${this.options.logStdInit}`);
    this.obsDim = obsDim;
    this.spec = spec;
    this.actDim = spec.kind === "categorical" ? spec.nvec.length : spec.dim;
    this.headSize = spec.kind === "categorical" ? spec.nvec.reduce((a, b) => a + b, 0) : spec.dim;
    const act = this.options.activation;
    const logStdSize = spec.kind === "gaussian" ? spec.dim : 0;
    if (isSharedArch(netArch)) {
      const trunk = netArch;
      this.shared = trunk.length > 0 ? new DenseMlp([obsDim, ...trunk], act, 0, false, backend) : null;
      const feat = trunk.length > 0 ? trunk[trunk.length - 1] : obsDim;
      const sharedSize = this.shared?.numParams ?? 0;
      this.pi = new DenseMlp([feat, this.headSize], act, sharedSize, true, backend);
      this.logStdOffset = spec.kind === "gaussian" ? sharedSize + this.pi.numParams : -1;
      this.actorSize = sharedSize + this.pi.numParams + logStdSize;
      this.vf = new DenseMlp([feat, 1], act, this.actorSize, true, backend);
    } else {
      const arch = netArch;
      this.shared = null;
      this.pi = new DenseMlp([obsDim, ...arch.pi, this.headSize], act, 0, true, backend);
      this.logStdOffset = spec.kind === "gaussian" ? this.pi.numParams : -1;
      this.actorSize = this.pi.numParams + logStdSize;
      this.vf = new DenseMlp([obsDim, ...arch.vf, 1], act, this.actorSize, true, backend);
    }
    this.numParams = this.actorSize + this.vf.numParams;
    this.params = new Float64Array(this.numParams);
    this.grads = new Float64Array(this.numParams);
    this.initParams(rng);
  }

  /** Orthogonal init: sqrt(2) on hidden layers, 0.01 on the policy head, 1 on the value head (or PyTorch default). */
  initParams(rng: Rng): void {
    const ortho = this.options.orthoInit;
    const gains = (n: number, last: number) => (ortho ? [...Array(n - 1).fill(Math.SQRT2), last] : null);
    if (this.shared !== null)
      this.shared.init(this.params, rng, ortho ? Array(this.shared.layers.length).fill(Math.SQRT2) : null);
    this.pi.init(this.params, rng, gains(this.pi.layers.length, 0.01));
    this.vf.init(this.params, rng, gains(this.vf.layers.length, 1));
    if (this.logStdOffset >= 0)
      this.params.fill(this.options.logStdInit, this.logStdOffset, this.logStdOffset + this.actDim);
    this.markParamsChanged();
  }

  /** Call after writing `params` (optimizer step, line search, load): the networks' kernels read a mirror. */
  markParamsChanged(): void {
    this.paramsVersion++;
  }

  private syncParams(): void {
    if (this.syncedVersion === this.paramsVersion) return;
    this.shared?.syncParams(this.params);
    this.pi.syncParams(this.params);
    this.vf.syncParams(this.params);
    this.syncedVersion = this.paramsVersion;
  }

  private bufs(batch: number): BatchScratch {
    let s = this.scratch.get(batch);
    if (s === undefined) {
      s = {
        dHead: new Float64Array(batch * this.headSize),
        dValue: new Float64Array(batch),
        logProb: new Float64Array(batch),
        entropy: new Float64Array(batch),
        logits: new Float64Array(batch * this.headSize),
        dFeat: new Float64Array(this.shared === null ? 0 : batch * this.shared.outputSize),
      };
      this.scratch.set(batch, s);
    }
    return s;
  }

  /** Forward both heads on B observations ([B, obsDim]); returns V(s) [B] (a scratch view). */
  forward(obs: ArrayLike<number>, batch: number): Float64Array {
    checkBatch(obs, batch, this.obsDim);
    this.syncParams();
    this.batch = batch;
    const feat = this.shared !== null ? this.shared.forward(obs, batch) : obs;
    const raw = this.pi.forward(feat, batch);
    this.values = this.vf.forward(feat, batch);
    const s = this.bufs(batch);
    if (this.spec.kind === "categorical") {
      // normalized log-probabilities z - logsumexp(z) per segment
      const { nvec } = this.spec;
      const h = this.headSize;
      for (let b = 0; b < batch; b++) {
        let off = b * h;
        for (const n of nvec) {
          let m = -Infinity;
          for (let j = 0; j < n; j++) m = Math.max(m, raw[off + j]);
          let z = 0;
          for (let j = 0; j < n; j++) z += Math.exp(raw[off + j] - m);
          const lse = m + Math.log(z);
          for (let j = 0; j < n; j++) s.logits[off + j] = raw[off + j] - lse;
          off += n;
        }
      }
      this.head = s.logits;
    } else {
      this.head = raw;
    }
    return this.values;
  }

  /** Value estimates only (no distribution), [B] scratch view. */
  predictValues(obs: ArrayLike<number>, batch: number): Float64Array {
    checkBatch(obs, batch, this.obsDim);
    this.syncParams();
    const feat = this.shared !== null ? this.shared.forward(obs, batch) : obs;
    return this.vf.forward(feat, batch);
  }

  /** Draw actions for the rows of the last forward (mode when deterministic), stored unclipped, [B, actDim]. */
  sample(rng: Rng, out: Float32Array, deterministic = false): Float32Array {
    const batch = this.batch;
    const head = this.head;
    if (this.spec.kind === "categorical") {
      const { nvec } = this.spec;
      for (let b = 0; b < batch; b++) {
        let off = b * this.headSize;
        for (let k = 0; k < nvec.length; k++) {
          const n = nvec[k];
          let choice = n - 1;
          if (deterministic) {
            let best = -Infinity;
            for (let j = 0; j < n; j++) {
              if (head[off + j] > best) {
                best = head[off + j];
                choice = j;
              }
            }
          } else {
            let u = rng.uniform32();
            for (let j = 0; j < n - 1; j++) {
              u -= Math.exp(head[off + j]);
              if (u < 0) {
                choice = j;
                break;
              }
            }
          }
          out[b * nvec.length + k] = choice;
          off += n;
        }
      }
    } else {
      const d = this.actDim;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < d; j++) {
          const mean = head[b * d + j];
          out[b * d + j] = deterministic ? mean : mean + Math.exp(this.params[this.logStdOffset + j]) * rng.normal();
        }
      }
    }
    return out;
  }

  /** log pi(a|s) of the rows of the last forward, [B] scratch view. */
  logProb(actions: ArrayLike<number>): Float64Array {
    const batch = this.batch;
    const out = this.bufs(batch).logProb;
    const head = this.head;
    if (this.spec.kind === "categorical") {
      const { nvec } = this.spec;
      for (let b = 0; b < batch; b++) {
        let off = b * this.headSize;
        let lp = 0;
        for (let k = 0; k < nvec.length; k++) {
          lp += head[off + actions[b * nvec.length + k]];
          off += nvec[k];
        }
        out[b] = lp;
      }
    } else {
      // log N(a; mu, sigma) = -sum_j [ (a_j - mu_j)^2 / (2 sigma_j^2) + log sigma_j + log(2 pi) / 2 ]
      const d = this.actDim;
      for (let b = 0; b < batch; b++) {
        let lp = 0;
        for (let j = 0; j < d; j++) {
          const logStd = this.params[this.logStdOffset + j];
          const z = (actions[b * d + j] - head[b * d + j]) * Math.exp(-logStd);
          lp -= 0.5 * z * z + logStd + 0.5 * LOG_2PI;
        }
        out[b] = lp;
      }
    }
    return out;
  }

  /** Entropy of each row's distribution, [B] scratch view. */
  entropy(): Float64Array {
    const batch = this.batch;
    const out = this.bufs(batch).entropy;
    if (this.spec.kind === "categorical") {
      const head = this.head;
      for (let b = 0; b < batch; b++) {
        let h = 0;
        for (let j = b * this.headSize; j < (b + 1) * this.headSize; j++) h -= Math.exp(head[j]) * head[j];
        out[b] = h;
      }
    } else {
      // H = sum_j log sigma_j + dim/2 (1 + log 2 pi), the same for every row
      let h = 0;
      for (let j = 0; j < this.actDim; j++) h += this.params[this.logStdOffset + j] + 0.5 * (1 + LOG_2PI);
      out.fill(h, 0, batch);
    }
    return out;
  }

  /**
   * Accumulate into `grads` the gradient of  sum_b [ gLogProb_b log pi(a_b|s_b) + gEntropy H_b + gValue_b V(s_b) ]
   * for the rows of the last forward (the caller folds its loss's means and coefficients into the weights).
   */
  backward(
    actions: ArrayLike<number>,
    gLogProb: ArrayLike<number> | null,
    gEntropy: number,
    gValue: ArrayLike<number> | null,
  ): void {
    const batch = this.batch;
    const s = this.bufs(batch);
    const dHead = s.dHead;
    const head = this.head;
    const hs = this.headSize;
    if (this.spec.kind === "categorical") {
      const { nvec } = this.spec;
      for (let b = 0; b < batch; b++) {
        const g = gLogProb === null ? 0 : gLogProb[b];
        let off = b * hs;
        for (let k = 0; k < nvec.length; k++) {
          const n = nvec[k];
          // d log p_a / dz_j = [j = a] - p_j ;  d H / dz_j = -p_j (log p_j + H_segment)
          let hSeg = 0;
          for (let j = 0; j < n; j++) hSeg -= Math.exp(head[off + j]) * head[off + j];
          const a = actions[b * nvec.length + k];
          for (let j = 0; j < n; j++) {
            const p = Math.exp(head[off + j]);
            dHead[off + j] = g * ((j === a ? 1 : 0) - p) - gEntropy * p * (head[off + j] + hSeg);
          }
          off += n;
        }
      }
    } else {
      const d = this.actDim;
      for (let j = 0; j < d; j++) {
        const logStd = this.params[this.logStdOffset + j];
        const invVar = Math.exp(-2 * logStd);
        // d log p / d mu = (a - mu) / sigma^2 ;  d log p / d log sigma = ((a - mu) / sigma)^2 - 1 ;  dH / d log sigma = 1
        let gLogStd = gEntropy * batch;
        for (let b = 0; b < batch; b++) {
          const g = gLogProb === null ? 0 : gLogProb[b];
          const diff = actions[b * d + j] - head[b * d + j];
          dHead[b * d + j] = g * diff * invVar;
          gLogStd += g * (diff * diff * invVar - 1);
        }
        this.grads[this.logStdOffset + j] += gLogStd;
      }
    }
    const dValue = s.dValue;
    for (let b = 0; b < batch; b++) dValue[b] = gValue === null ? 0 : gValue[b];
    if (this.shared === null) {
      if (gLogProb !== null || gEntropy !== 0) this.pi.backward(this.grads, batch, dHead);
      if (gValue !== null) this.vf.backward(this.grads, batch, dValue);
    } else {
      // both heads read the trunk's features: their input gradients add up
      const dFeat = s.dFeat;
      const dPi = this.pi.backward(this.grads, batch, dHead, true);
      if (dPi !== null) dFeat.set(dPi.subarray(0, dFeat.length));
      const dVf = this.vf.backward(this.grads, batch, dValue, true);
      if (dVf !== null) for (let j = 0; j < dFeat.length; j++) dFeat[j] += dVf[j];
      this.shared.backward(this.grads, batch, dFeat);
    }
  }

  /** After `predictValues(obs, B)`: accumulate into `grads` the gradient of sum_b gValue_b V(s_b). */
  backwardValue(gValue: ArrayLike<number>, batch: number): void {
    const dFeat = this.vf.backward(this.grads, batch, gValue, this.shared !== null);
    if (this.shared !== null && dFeat !== null) this.shared.backward(this.grads, batch, dFeat);
  }

  /** Copy the distribution parameters of the last forward (normalized logits or means) into `out` [B, headSize]. */
  copyDistribution(out: Float64Array): Float64Array {
    out.set(this.head.subarray(0, this.batch * this.headSize));
    return out;
  }

  /**
   * Mean over the rows of the last forward of KL(old || current), where `old` holds distribution parameters
   * saved by `copyDistribution` and `oldLogStd` the Gaussian log-std then (ignored for categorical policies).
   */
  meanKl(old: Float64Array, oldLogStd: Float64Array | null): number {
    const batch = this.batch;
    const head = this.head;
    let total = 0;
    if (this.spec.kind === "categorical") {
      // KL = sum_j p_old_j (log p_old_j - log p_j)
      for (let j = 0; j < batch * this.headSize; j++) total += Math.exp(old[j]) * (old[j] - head[j]);
    } else {
      // KL = sum_j log(s_j / s_old_j) + (s_old_j^2 + (mu_old_j - mu_j)^2) / (2 s_j^2) - 1/2
      const d = this.actDim;
      for (let j = 0; j < d; j++) {
        const ls = this.params[this.logStdOffset + j];
        const lo = oldLogStd === null ? ls : oldLogStd[j];
        const inv2Var = 0.5 * Math.exp(-2 * ls);
        for (let b = 0; b < batch; b++) {
          const dm = old[b * d + j] - head[b * d + j];
          total += ls - lo + (Math.exp(2 * lo) + dm * dm) * inv2Var - 0.5;
        }
      }
    }
    return total / batch;
  }

  /**
   * Exact Fisher-vector product of the actor at the last forward: out = (1/B) J^T M J v + damping v, with J the
   * Jacobian of the distribution parameters w.r.t. the actor parameters [0, actorSize) and M the Fisher matrix of
   * the distribution in those parameters (diag(p) - p p^T for logits; 1/sigma^2 for means, 2 for log-stds).
   * This is the Hessian of the mean KL(pi_old || pi) at pi = pi_old. Needs separate actor and critic trunks.
   */
  fisherVectorProduct(v: Float64Array, out: Float64Array, damping: number): Float64Array {
    if (this.shared !== null) {
      throw new InvalidArgumentError(
        "fisherVectorProduct needs separate actor and critic networks (netArch { pi, vf })",
      );
    }
    const batch = this.batch;
    const head = this.head;
    const hs = this.headSize;
    const jv = this.pi.jvp(v, batch);
    const m = this.bufs(batch).dHead;
    if (this.spec.kind === "categorical") {
      // jv are tangents of the raw logits; normalization's Jacobian is absorbed by M's projection
      const { nvec } = this.spec;
      for (let b = 0; b < batch; b++) {
        let off = b * hs;
        for (const n of nvec) {
          let mean = 0;
          for (let j = 0; j < n; j++) mean += Math.exp(head[off + j]) * jv[off + j];
          for (let j = 0; j < n; j++) m[off + j] = (Math.exp(head[off + j]) * (jv[off + j] - mean)) / batch;
          off += n;
        }
      }
    } else {
      const d = this.actDim;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < d; j++)
          m[b * d + j] = (jv[b * d + j] * Math.exp(-2 * this.params[this.logStdOffset + j])) / batch;
      }
    }
    if (this.fvpGrads === null) this.fvpGrads = new Float64Array(this.numParams);
    const g = this.fvpGrads;
    g.fill(0, 0, this.actorSize);
    this.pi.backward(g, batch, m);
    if (this.logStdOffset >= 0)
      for (let j = 0; j < this.actDim; j++) g[this.logStdOffset + j] = 2 * v[this.logStdOffset + j];
    for (let i = 0; i < this.actorSize; i++) out[i] = g[i] + damping * v[i];
    return out;
  }

  /** Actions as the env takes them: Gaussian samples clipped to the Box, categorical indices shifted by `start`. */
  toEnvActions(actions: Float32Array, batch: number, out: Float32Array | Int32Array): Float32Array | Int32Array {
    const d = this.actDim;
    if (this.spec.kind === "gaussian") {
      const { low, high } = this.spec;
      for (let i = 0; i < batch * d; i++) {
        const j = i % d;
        const a = actions[i];
        out[i] = Math.min(Math.max(a, low[j]), high[j]);
      }
    } else {
      const { start } = this.spec;
      for (let i = 0; i < batch * d; i++) out[i] = actions[i] + start[i % d];
    }
    return out;
  }
}

/** Per-batch-size scratch rows of the policy (made once per batch size, then reused). */
interface BatchScratch {
  dHead: Float64Array;
  dValue: Float64Array;
  logProb: Float64Array;
  entropy: Float64Array;
  logits: Float64Array;
  dFeat: Float64Array;
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

function checkBatch(obs: ArrayLike<number>, batch: number, obsDim: number): void {
  if (!Number.isInteger(batch) || batch < 1 || obs.length < batch * obsDim) {
    throw new InvalidArgumentError(
      `observations: expected at least ${batch} x ${obsDim} values, got length ${obs.length}`,
    );
  }
}
