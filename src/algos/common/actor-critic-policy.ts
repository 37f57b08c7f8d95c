import type { KernelPreference } from "../../core/kernels/index.js";
import { checkThreads } from "../../core/kernels/thread-pool.js";
import type { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import type { Activation } from "../../nn/mlp.js";
import type { ArenaOptimizer } from "./arena-optimizer.js";
import { type Backend, DenseMlp, makeBackend } from "./dense-mlp.js";

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
  /** threads for the networks' large products (default: the machine's cores, at most 8); results do not depend on it */
  threads?: number;
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
   * Gaussian's (the squashed density's entropy has no closed form). Default false.
   */
  squashOutput?: boolean;
}

/** What the policy head must produce, read off an action space. */
export type ActionSpec =
  | { readonly kind: "categorical"; readonly nvec: readonly number[]; readonly start: readonly number[] }
  | { readonly kind: "gaussian"; readonly dim: number; readonly low: Float32Array; readonly high: Float32Array };

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Actor-critic MLP policy (SB3's ActorCriticPolicy) over one flat parameter vector:
 * actor parameters (trunk, head, and the Gaussian's log-std) come first, critic parameters last, so TRPO can take
 * the actor block [0, actorSize) as one vector. Every method works on a batch of B observations at once.
 * After `forward(obs, B)` the distribution of each row is held in scratch memory; `logProb`, `entropy`,
 * `sample` and `backward` read it.
 *
 * The kernels read an arena copy of the flat vector, which has a gradient block of the same layout beside it.
 * Gradient steps train in the arena (`arenaGradientStep`: `zeroArenaGrads`, `backward(..., true)` into the arena
 * gradient block, `clipArenaGradNorm`, an ArenaOptimizer step on `arenaParams`, `markArenaParamsChanged`), and
 * `params` then reads the arena copy back when it is next used; TRPO's actor step writes `params` in float64 instead and calls
 * `markParamsChanged`.
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
  /** width of phi(s) for gSDE (0 without gSDE) */
  readonly sdeLatent: number;
  /** numbers per row saved by `copyDistribution`: the head, plus the row's log-stds for Gaussian policies */
  readonly distributionSize: number;
  readonly actorSize: number;
  readonly numParams: number;
  /** gradient accumulator of `backward` (float64, same layout as params) */
  readonly grads: Float64Array;
  /** arena offsets of the arena copy of params and of its gradient block (numParams elements each) */
  readonly arenaParams: number;
  readonly arenaGrads: number;
  readonly options: Required<PolicyOptions>;
  readonly backend: Backend;
  private readonly hostParams: Float64Array;
  /** which copy of the parameters was written last: "host" (params), "arena", or "none" (both agree) */
  private newer: "host" | "arena" | "none" = "host";

  private batch = 0;
  private head: Float64Array<ArrayBufferLike> = new Float64Array(0); // normalized logits or means, [B, headSize]
  private probs: Float64Array = new Float64Array(0); // categorical: exp(head)
  private logStd: Float64Array = new Float64Array(0); // Gaussian: log sigma of every row, [B, dim]
  /** gSDE exploration matrices, one [sdeLatent, dim] block per row of the rollout batch */
  private exploration: Float64Array = new Float64Array(0);
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
      threads: checkThreads(options.threads, "policy threads"),
      useSde: options.useSde ?? false,
      squashOutput: options.squashOutput ?? false,
    };
    const backend = makeBackend(this.options.kernels, this.options.threads);
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
    if (this.options.useSde && (spec.kind !== "gaussian" || isSharedArch(netArch) || netArch.pi.length === 0)) {
      throw new InvalidArgumentError(
        "useSde needs a Box action space and a separate policy network with at least one hidden layer",
      );
    }
    if (typeof this.options.squashOutput !== "boolean") {
      throw new InvalidArgumentError(`squashOutput must be a boolean, got ${describe(this.options.squashOutput)}`);
    }
    if (this.options.squashOutput) {
      const finite = spec.kind === "gaussian" && [...spec.low, ...spec.high].every((v) => Number.isFinite(v));
      if (!finite) throw new InvalidArgumentError("squashOutput needs a Box action space with finite bounds");
    }
    this.sdeLatent = this.options.useSde && !isSharedArch(netArch) ? netArch.pi[netArch.pi.length - 1] : 0;
    const logStdSize = spec.kind === "gaussian" ? spec.dim * Math.max(this.sdeLatent, 1) : 0;
    this.distributionSize = this.headSize + (spec.kind === "gaussian" ? spec.dim : 0);
    // layer sizes first: the arena blocks are allocated before the networks that point into them
    const trunkSizes = isSharedArch(netArch) && netArch.length > 0 ? [obsDim, ...netArch] : null;
    const feat = isSharedArch(netArch) ? (netArch.length > 0 ? netArch[netArch.length - 1] : obsDim) : obsDim;
    const piSizes = isSharedArch(netArch) ? [feat, this.headSize] : [obsDim, ...netArch.pi, this.headSize];
    const vfSizes = isSharedArch(netArch) ? [feat, 1] : [obsDim, ...netArch.vf, 1];
    const sharedSize = trunkSizes === null ? 0 : DenseMlp.countParams(trunkSizes);
    const piSize = DenseMlp.countParams(piSizes);
    this.logStdOffset = spec.kind === "gaussian" ? sharedSize + piSize : -1;
    this.actorSize = sharedSize + piSize + logStdSize;
    this.numParams = this.actorSize + DenseMlp.countParams(vfSizes);
    this.arenaParams = backend.arena.allocZeroed(this.numParams);
    this.arenaGrads = backend.arena.allocZeroed(this.numParams);
    const net = (sizes: number[], offset: number, linearOutput: boolean) =>
      new DenseMlp(sizes, act, offset, linearOutput, backend, this.arenaParams, this.arenaGrads);
    this.shared = trunkSizes === null ? null : net(trunkSizes, 0, false);
    this.pi = net(piSizes, sharedSize, true);
    this.vf = net(vfSizes, this.actorSize, true);
    this.hostParams = new Float64Array(this.numParams);
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
    if (this.logStdOffset >= 0) this.params.fill(this.options.logStdInit, this.logStdOffset, this.actorSize);
    this.markParamsChanged();
  }

  /** The flat float64 parameter vector (read back from the arena when training there changed it last). */
  get params(): Float64Array {
    if (this.newer === "arena") {
      const view = this.backend.arena.view;
      this.hostParams.set(view.subarray(this.arenaParams, this.arenaParams + this.numParams));
      this.newer = "none";
    }
    return this.hostParams;
  }

  /** Call after writing `params` (optimizer step, line search, load): the networks' kernels read the arena copy. */
  markParamsChanged(): void {
    this.newer = "host";
  }

  /** Call after updating the arena copy in place (a KernelAdam step): `params` reads it back when next used. */
  markArenaParamsChanged(): void {
    this.newer = "arena";
  }

  /**
   * The parameters as the kernels see them, without the float64 read-back of `params` (PPO's minibatches would pay
   * a copy of the whole vector each): the arena copy when training there wrote last (its values are what the
   * read-back would give), else the host vector. Index it from `liveBase()`.
   */
  private liveParams(): Float32Array | Float64Array {
    return this.newer === "arena" ? this.backend.arena.view : this.hostParams;
  }

  private liveBase(): number {
    return this.newer === "arena" ? this.arenaParams : 0;
  }

  private syncParams(): void {
    if (this.newer !== "host") return;
    // one native float64 -> arena-dtype conversion of the whole vector
    this.backend.arena.view.set(this.hostParams, this.arenaParams);
    this.newer = "none";
  }

  /** Zero the arena gradient block (before a `backward(..., true)`); brings the arena copy of params up to date. */
  zeroArenaGrads(): void {
    this.syncParams();
    this.backend.kernels.fill(this.arenaGrads, 0, this.numParams);
  }

  /** Scale the arena gradient block to global L2 norm at most maxNorm; returns the norm before clipping. */
  clipArenaGradNorm(maxNorm: number): number {
    const k = this.backend.kernels;
    const norm = Math.sqrt(k.sumSquares(this.arenaGrads, this.numParams));
    if (norm > maxNorm) k.scale(this.arenaGrads, maxNorm / (norm + 1e-6), this.arenaGrads, this.numParams);
    return norm;
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
        probs: new Float64Array(batch * this.headSize),
        dFeat: new Float64Array(this.shared === null ? 0 : batch * this.shared.outputSize),
        logStd: new Float64Array(batch * this.actDim),
        dLogStd: new Float64Array(batch * this.actDim),
        latent: new Float64Array(batch * this.sdeLatent),
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
      // normalized log-probabilities z - logsumexp(z) per segment, and the probabilities e^(z - max) / sum
      const { nvec } = this.spec;
      const h = this.headSize;
      const { logits, probs } = s;
      for (let b = 0; b < batch; b++) {
        let off = b * h;
        for (const n of nvec) {
          let m = -Infinity;
          for (let j = 0; j < n; j++) m = Math.max(m, raw[off + j]);
          let z = 0;
          for (let j = 0; j < n; j++) {
            probs[off + j] = Math.exp(raw[off + j] - m);
            z += probs[off + j];
          }
          const lse = m + Math.log(z);
          for (let j = 0; j < n; j++) {
            logits[off + j] = raw[off + j] - lse;
            probs[off + j] /= z;
          }
          off += n;
        }
      }
      this.head = s.logits;
      this.probs = s.probs;
    } else {
      this.head = raw;
      this.logStd = s.logStd;
      const d = this.actDim;
      const params = this.liveParams();
      const lso = this.liveBase() + this.logStdOffset;
      if (this.sdeLatent === 0) {
        for (let b = 0; b < batch; b++) for (let j = 0; j < d; j++) s.logStd[b * d + j] = params[lso + j];
      } else {
        // gSDE: var_j = sum_i phi_i^2 exp(2 logStd_ij) + eps, log sigma = log(var) / 2
        const L = this.sdeLatent;
        this.pi.readHidden(batch, s.latent);
        for (let b = 0; b < batch; b++) {
          for (let j = 0; j < d; j++) {
            let v = 1e-6;
            for (let i = 0; i < L; i++) v += s.latent[b * L + i] ** 2 * Math.exp(2 * params[lso + i * d + j]);
            s.logStd[b * d + j] = 0.5 * Math.log(v);
          }
        }
      }
    }
    return this.values;
  }

  /**
   * gSDE: draw a fresh exploration matrix E ~ N(0, exp(logStd)^2) for each of `rows` envs; `sample(..., true)`
   * then uses a = mu(s) + phi(s) E, noise that changes smoothly with the state (Raffin et al. 2022).
   */
  resetExploration(rng: Rng, rows: number): void {
    const n = rows * this.sdeLatent * this.actDim;
    if (this.exploration.length !== n) this.exploration = new Float64Array(n);
    const block = this.sdeLatent * this.actDim;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < block; k++) {
        this.exploration[r * block + k] = Math.exp(this.params[this.logStdOffset + k]) * rng.normal();
      }
    }
  }

  /**
   * Add into `target`'s log-std block (the flat layout starting at `base`) the chain rule of per-row log-sigma
   * gradients `g` [B, dim].
   */
  private logStdToParams(g: Float64Array, batch: number, target: Float32Array | Float64Array, base: number): void {
    const d = this.actDim;
    const lso = base + this.logStdOffset;
    const params = this.liveParams();
    const plso = this.liveBase() + this.logStdOffset;
    if (this.sdeLatent === 0) {
      for (let b = 0; b < batch; b++) for (let j = 0; j < d; j++) target[lso + j] += g[b * d + j];
      return;
    }
    // d log sigma_bj / d logStd_ij = phi_bi^2 exp(2 logStd_ij) / var_bj
    const L = this.sdeLatent;
    const latent = this.bufs(batch).latent;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < d; j++) {
        const w = g[b * d + j] * Math.exp(-2 * this.logStd[b * d + j]);
        if (w === 0) continue;
        for (let i = 0; i < L; i++) {
          target[lso + i * d + j] += w * latent[b * L + i] ** 2 * Math.exp(2 * params[plso + i * d + j]);
        }
      }
    }
  }

  /** Per-row log-sigma tangents [B, dim] along the parameter direction `v` (its log-std block). */
  private logStdTangent(v: ArrayLike<number>, batch: number, out: Float64Array): void {
    const d = this.actDim;
    const lso = this.logStdOffset;
    const L = this.sdeLatent;
    const latent = this.bufs(batch).latent;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < d; j++) {
        if (L === 0) {
          out[b * d + j] = v[lso + j];
          continue;
        }
        let t = 0;
        for (let i = 0; i < L; i++)
          t += latent[b * L + i] ** 2 * Math.exp(2 * this.params[lso + i * d + j]) * v[lso + i * d + j];
        out[b * d + j] = t * Math.exp(-2 * this.logStd[b * d + j]);
      }
    }
  }

  /** Value estimates only (no distribution), [B] scratch view. */
  predictValues(obs: ArrayLike<number>, batch: number): Float64Array {
    checkBatch(obs, batch, this.obsDim);
    this.syncParams();
    const feat = this.shared !== null ? this.shared.forward(obs, batch) : obs;
    return this.vf.forward(feat, batch);
  }

  /**
   * Draw actions for the rows of the last forward (mode when deterministic), stored unclipped, [B, actDim].
   * With gSDE and `explore`, row b uses exploration matrix b (see `resetExploration`).
   */
  sample(rng: Rng, out: Float32Array, deterministic = false, explore = false): Float32Array {
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
              u -= this.probs[off + j];
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
      const L = this.sdeLatent;
      const useMatrix = explore && L > 0 && this.exploration.length >= batch * L * d;
      const latent = this.bufs(batch).latent;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < d; j++) {
          const mean = head[b * d + j];
          if (deterministic) out[b * d + j] = mean;
          else if (useMatrix) {
            let noise = 0;
            for (let i = 0; i < L; i++) noise += latent[b * L + i] * this.exploration[(b * L + i) * d + j];
            out[b * d + j] = mean + noise;
          } else out[b * d + j] = mean + Math.exp(this.logStd[b * d + j]) * rng.normal();
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
          const logStd = this.logStd[b * d + j];
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
        for (let j = b * this.headSize; j < (b + 1) * this.headSize; j++) h -= this.probs[j] * head[j];
        out[b] = h;
      }
    } else {
      // H = sum_j log sigma_j + dim/2 (1 + log 2 pi)
      const d = this.actDim;
      for (let b = 0; b < batch; b++) {
        let h = 0;
        for (let j = 0; j < d; j++) h += this.logStd[b * d + j] + 0.5 * (1 + LOG_2PI);
        out[b] = h;
      }
    }
    return out;
  }

  /**
   * Accumulate into `grads` (or, `inArena`, into the arena gradient block) the gradient of
   *   sum_b [ gLogProb_b log pi(a_b|s_b) + gEntropy H_b + gValue_b V(s_b) ]
   * for the rows of the last forward (the caller folds its loss's means and coefficients into the weights).
   */
  backward(
    actions: ArrayLike<number>,
    gLogProb: ArrayLike<number> | null,
    gEntropy: number,
    gValue: ArrayLike<number> | null,
    inArena = false,
  ): void {
    const target = inArena ? null : this.grads;
    const batch = this.batch;
    const s = this.bufs(batch);
    const dHead = s.dHead;
    const head = this.head;
    const hs = this.headSize;
    if (this.spec.kind === "categorical") {
      const { nvec } = this.spec;
      const probs = this.probs;
      for (let b = 0; b < batch; b++) {
        const g = gLogProb === null ? 0 : gLogProb[b];
        let off = b * hs;
        for (let k = 0; k < nvec.length; k++) {
          const n = nvec[k];
          // d log p_a / dz_j = [j = a] - p_j ;  d H / dz_j = -p_j (log p_j + H_segment)
          let hSeg = 0;
          for (let j = 0; j < n; j++) hSeg -= probs[off + j] * head[off + j];
          const a = actions[b * nvec.length + k];
          for (let j = 0; j < n; j++) {
            const p = probs[off + j];
            dHead[off + j] = g * ((j === a ? 1 : 0) - p) - gEntropy * p * (head[off + j] + hSeg);
          }
          off += n;
        }
      }
    } else {
      const d = this.actDim;
      // d log p / d mu = (a - mu) / sigma^2 ;  d log p / d log sigma = ((a - mu) / sigma)^2 - 1 ;  dH / d log sigma = 1
      for (let b = 0; b < batch; b++) {
        const g = gLogProb === null ? 0 : gLogProb[b];
        for (let j = 0; j < d; j++) {
          const invVar = Math.exp(-2 * this.logStd[b * d + j]);
          const diff = actions[b * d + j] - head[b * d + j];
          dHead[b * d + j] = g * diff * invVar;
          s.dLogStd[b * d + j] = g * (diff * diff * invVar - 1) + gEntropy;
        }
      }
      if (inArena) this.logStdToParams(s.dLogStd, batch, this.backend.arena.view, this.arenaGrads);
      else this.logStdToParams(s.dLogStd, batch, this.grads, 0);
    }
    const dValue = s.dValue;
    for (let b = 0; b < batch; b++) dValue[b] = gValue === null ? 0 : gValue[b];
    if (this.shared === null) {
      if (gLogProb !== null || gEntropy !== 0) this.pi.backward(target, batch, dHead);
      if (gValue !== null) this.vf.backward(target, batch, dValue);
    } else {
      // both heads read the trunk's features: their input gradients add up
      const dFeat = s.dFeat;
      const dPi = this.pi.backward(target, batch, dHead, true);
      if (dPi !== null) dFeat.set(dPi.subarray(0, dFeat.length));
      const dVf = this.vf.backward(target, batch, dValue, true);
      if (dVf !== null) for (let j = 0; j < dFeat.length; j++) dFeat[j] += dVf[j];
      this.shared.backward(target, batch, dFeat);
    }
  }

  /**
   * One gradient step on the rows of the last forward, all in the arena: the gradient of `backward`'s weighted sum
   * (its arguments), clipped to global norm `maxGradNorm`, then an `optimizer` step on `arenaParams`.
   * Returns the gradient norm before clipping.
   */
  arenaGradientStep(
    actions: ArrayLike<number>,
    gLogProb: ArrayLike<number> | null,
    gEntropy: number,
    gValue: ArrayLike<number> | null,
    optimizer: ArenaOptimizer,
    maxGradNorm: number,
  ): number {
    this.zeroArenaGrads();
    this.backward(actions, gLogProb, gEntropy, gValue, true);
    const norm = this.clipArenaGradNorm(maxGradNorm);
    optimizer.step();
    this.markArenaParamsChanged();
    return norm;
  }

  /** After `predictValues(obs, B)`: accumulate into the arena gradient block the gradient of sum_b gValue_b V(s_b). */
  backwardValue(gValue: ArrayLike<number>, batch: number): void {
    const dFeat = this.vf.backward(null, batch, gValue, this.shared !== null);
    if (this.shared !== null && dFeat !== null) this.shared.backward(null, batch, dFeat);
  }

  /**
   * Copy the distribution of the last forward into `out` (B * distributionSize numbers): normalized logits or
   * means [B, headSize], then for Gaussian policies each row's log-sigmas [B, dim].
   */
  copyDistribution(out: Float64Array): Float64Array {
    const n = this.batch * this.headSize;
    out.set(this.head.subarray(0, n));
    if (this.spec.kind === "gaussian") out.set(this.logStd.subarray(0, this.batch * this.actDim), n);
    return out;
  }

  /**
   * Mean over the rows of the last forward of KL(old || current), where `old` holds a distribution saved by
   * `copyDistribution` for the same rows.
   */
  meanKl(old: Float64Array): number {
    const batch = this.batch;
    const head = this.head;
    let total = 0;
    if (this.spec.kind === "categorical") {
      // KL = sum_j p_old_j (log p_old_j - log p_j)
      for (let j = 0; j < batch * this.headSize; j++) total += Math.exp(old[j]) * (old[j] - head[j]);
    } else {
      // KL = sum_j log(s_j / s_old_j) + (s_old_j^2 + (mu_old_j - mu_j)^2) / (2 s_j^2) - 1/2
      const d = this.actDim;
      const oldLogStd = batch * d;
      for (let k = 0; k < batch * d; k++) {
        const ls = this.logStd[k];
        const lo = old[oldLogStd + k];
        const dm = old[k] - head[k];
        total += ls - lo + (Math.exp(2 * lo) + dm * dm) * 0.5 * Math.exp(-2 * ls) - 0.5;
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
    const hs = this.headSize;
    const jv = this.pi.jvp(v, batch);
    const m = this.bufs(batch).dHead;
    if (this.spec.kind === "categorical") {
      // jv are tangents of the raw logits; normalization's Jacobian is absorbed by M's projection
      const { nvec } = this.spec;
      const probs = this.probs;
      for (let b = 0; b < batch; b++) {
        let off = b * hs;
        for (const n of nvec) {
          let mean = 0;
          for (let j = 0; j < n; j++) mean += probs[off + j] * jv[off + j];
          for (let j = 0; j < n; j++) m[off + j] = (probs[off + j] * (jv[off + j] - mean)) / batch;
          off += n;
        }
      }
    } else {
      const d = this.actDim;
      for (let k = 0; k < batch * d; k++) m[k] = (jv[k] * Math.exp(-2 * this.logStd[k])) / batch;
    }
    if (this.fvpGrads === null) this.fvpGrads = new Float64Array(this.numParams);
    const g = this.fvpGrads;
    g.fill(0, 0, this.actorSize);
    this.pi.backward(g, batch, m);
    if (this.logStdOffset >= 0) {
      // Fisher of a Gaussian in log sigma is 2: J^T (2 / B) J v through the per-row log-sigmas
      const t = this.bufs(batch).dLogStd;
      this.logStdTangent(v, batch, t);
      for (let k = 0; k < batch * this.actDim; k++) t[k] *= 2 / batch;
      this.logStdToParams(t, batch, g, 0);
    }
    for (let i = 0; i < this.actorSize; i++) out[i] = g[i] + damping * v[i];
    return out;
  }

  /**
   * Actions as the env takes them: Gaussian samples clipped to the Box (or squashed into it, `squashOutput`),
   * categorical indices shifted by `start`.
   */
  toEnvActions(actions: Float32Array, batch: number, out: Float32Array | Int32Array): Float32Array | Int32Array {
    const d = this.actDim;
    if (this.spec.kind === "gaussian") {
      const { low, high } = this.spec;
      const squash = this.options.squashOutput;
      for (let i = 0; i < batch * d; i++) {
        const j = i % d;
        const a = actions[i];
        // the min/max also keeps a float32 rounding of the squash inside the bounds
        const v = squash ? low[j] + (Math.tanh(a) + 1) * 0.5 * (high[j] - low[j]) : a;
        out[i] = Math.min(Math.max(v, low[j]), high[j]);
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
  /** exp(logits), computed once per forward for sample, entropy, backward and the Fisher product */
  probs: Float64Array;
  dFeat: Float64Array;
  logStd: Float64Array;
  dLogStd: Float64Array;
  latent: Float64Array;
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
