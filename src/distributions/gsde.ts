import type { Engine } from "../core/engine.js";
import { tanh } from "../core/math/index.js";
import { addScalar, exp, log, matmul, mul, mulScalar, square, stopGradient, where } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { DiagGaussian } from "./diag-gaussian.js";
import { SquashedDiagGaussian } from "./squashed-diag-gaussian.js";

/** Added to the variance (SB3's epsilon), so a zero latent vector still gives a proper Gaussian. */
const VARIANCE_EPS = 1e-6;

export interface GsdeOptions {
  /** One log-std per (latent feature, action) pair (default true) or one per latent feature, shared by actions. */
  fullStd?: boolean;
  /** std = expln(logStd) (exp below 0, log1p(x) + 1 above) instead of exp, so it cannot explode (default false). */
  useExpln?: boolean;
  /** tanh-squash the actions, as SAC (default false). */
  squashOutput?: boolean;
  /** Let gradients reach the latent features through the variance and the noise (default false: detached). */
  learnFeatures?: boolean;
  /**
   * Draw new exploration matrices every `sdeSampleFreq` environment steps (see `onStep`); -1 (default) draws them
   * only when `resetNoise` is called, i.e. once per rollout.
   */
  sdeSampleFreq?: number;
}

/**
 * Generalized State-Dependent Exploration (Raffin et al. 2021; SB3's StateDependentNoiseDistribution). The action
 * noise is a deterministic function of the policy's latent features z during the steps between two draws of the
 * exploration matrix theta ~ N(0, sigma^2) [latent, action]: a = mu(s) + z(s) theta, so exploration is smooth in
 * the state. Its distribution given s is Gaussian with variance (z^2) (sigma^2) (+ 1e-6), which is what
 * `distribution` builds for log-probabilities and entropies.
 *
 * The learned parameter is `logStd` [latent, action] (fullStd) or [latent, 1]; this object holds the drawn
 * matrices (state: save them with the run, they decide the next actions).
 */
export class Gsde {
  readonly latentDim: number;
  readonly actionDim: number;
  readonly fullStd: boolean;
  readonly useExpln: boolean;
  readonly squashOutput: boolean;
  readonly learnFeatures: boolean;
  readonly sdeSampleFreq: number;
  /** The shared exploration matrix, [latent, action] row-major. */
  explorationMatrix: Float32Array;
  /** One exploration matrix per environment, [nEnvs, latent, action] row-major (used when a batch has nEnvs rows). */
  explorationMatrices: Float32Array;

  constructor(latentDim: number, actionDim: number, opts: GsdeOptions = {}) {
    for (const [name, v] of [
      ["latentDim", latentDim],
      ["actionDim", actionDim],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new InvalidArgumentError(`Gsde: ${name} must be a positive integer, got ${describe(v)}`);
    }
    const freq = opts.sdeSampleFreq ?? -1;
    if (!Number.isInteger(freq) || (freq < 1 && freq !== -1)) {
      throw new InvalidArgumentError(`Gsde: sdeSampleFreq must be -1 or a positive integer, got ${describe(freq)}`);
    }
    this.latentDim = latentDim;
    this.actionDim = actionDim;
    this.fullStd = opts.fullStd ?? true;
    this.useExpln = opts.useExpln ?? false;
    this.squashOutput = opts.squashOutput ?? false;
    this.learnFeatures = opts.learnFeatures ?? false;
    this.sdeSampleFreq = freq;
    this.explorationMatrix = new Float32Array(latentDim * actionDim);
    this.explorationMatrices = new Float32Array(latentDim * actionDim);
  }

  /** Shape of the log-std parameter: [latent, action] with fullStd, else [latent, 1]. */
  get logStdShape(): [number, number] {
    return [this.latentDim, this.fullStd ? this.actionDim : 1];
  }

  /** sigma [latent, action] from the log-std parameter (exp, or expln), broadcast over actions without fullStd. */
  std(logStd: Tensor): Tensor {
    this.checkLogStd(logStd);
    const eng = logStd.engine;
    let s: Tensor;
    if (!this.useExpln) s = exp(logStd);
    else {
      // expln(x) = exp(x) for x <= 0, log1p(x) + 1 for x > 0; the unused branch sees 0 so it stays finite
      const v = logStd.data();
      const pos = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) pos[i] = v[i] > 0 ? 1 : 0;
      const zero = eng.full([], 0);
      const above = addScalar(log(addScalar(where(pos, logStd, zero), 1 + VARIANCE_EPS)), 1);
      s = where(pos, above, exp(where(pos, zero, logStd)));
    }
    return this.fullStd ? s : mul(s, eng.full([this.latentDim, this.actionDim], 1));
  }

  /**
   * Draw new exploration matrices theta ~ N(0, sigma^2): the shared one, then `nEnvs` per-environment ones, in
   * row-major order from `rng` (SB3's reset_noise / sample_weights).
   */
  resetNoise(logStd: Tensor, rng: Rng, nEnvs = 1): void {
    if (!Number.isInteger(nEnvs) || nEnvs < 1) {
      throw new InvalidArgumentError(`Gsde.resetNoise: nEnvs must be a positive integer, got ${describe(nEnvs)}`);
    }
    const size = this.latentDim * this.actionDim;
    const sigma = Float64Array.from(withScope(logStd.engine, () => this.std(logStd).toArray()));
    for (let i = 0; i < size; i++) this.explorationMatrix[i] = sigma[i] * rng.normal();
    if (this.explorationMatrices.length !== nEnvs * size) this.explorationMatrices = new Float32Array(nEnvs * size);
    for (let e = 0; e < nEnvs; e++) {
      for (let i = 0; i < size; i++) this.explorationMatrices[e * size + i] = sigma[i] * rng.normal();
    }
  }

  /**
   * Call before each environment step `step` (0, 1, ...) of a rollout: draws new matrices when sdeSampleFreq > 0
   * and step % sdeSampleFreq === 0 (SB3's collect_rollouts). Returns whether it drew.
   */
  onStep(step: number, logStd: Tensor, rng: Rng, nEnvs = 1): boolean {
    if (this.sdeSampleFreq < 1 || step % this.sdeSampleFreq !== 0) return false;
    this.resetNoise(logStd, rng, nEnvs);
    return true;
  }

  /**
   * The action distribution given the mean actions [B, action], the log-std parameter and the latent features
   * [B, latent]: N(mu, (z^2) sigma^2 + 1e-6), tanh-squashed when `squashOutput`.
   */
  distribution(meanActions: Tensor, logStd: Tensor, latentSde: Tensor): GsdeDistribution {
    if (!(meanActions instanceof Tensor) || !(latentSde instanceof Tensor)) {
      throw new InvalidArgumentError(
        `Gsde.distribution: meanActions and latentSde must be Tensors, got ${describe(meanActions)} and ${describe(latentSde)}`,
      );
    }
    if (meanActions.rank !== 2 || meanActions.shape[1] !== this.actionDim) {
      throw new ShapeError(
        `Gsde.distribution: meanActions must have shape [B, ${this.actionDim}], got [${meanActions.shape.join(", ")}]`,
      );
    }
    const b = meanActions.shape[0];
    if (latentSde.rank !== 2 || latentSde.shape[0] !== b || latentSde.shape[1] !== this.latentDim) {
      throw new ShapeError(
        `Gsde.distribution: latentSde must have shape [${b}, ${this.latentDim}], got [${latentSde.shape.join(", ")}]`,
      );
    }
    const z = this.learnFeatures ? latentSde : stopGradient(latentSde);
    const variance = addScalar(matmul(square(z), square(this.std(logStd))), VARIANCE_EPS);
    const halfLogVar = mulScalar(log(variance), 0.5);
    return new GsdeDistribution(this, meanActions, halfLogVar, z);
  }

  private checkLogStd(logStd: Tensor): void {
    const [l, a] = this.logStdShape;
    if (!(logStd instanceof Tensor) || logStd.rank !== 2 || logStd.shape[0] !== l || logStd.shape[1] !== a) {
      throw new ShapeError(
        `Gsde: logStd must be a Tensor of shape [${l}, ${a}]${this.fullStd ? "" : " (fullStd false)"}, got ${
          logStd instanceof Tensor ? `[${logStd.shape.join(", ")}]` : describe(logStd)
        }`,
      );
    }
  }
}

/** The gSDE action distribution of one batch (see {@link Gsde.distribution}). */
export class GsdeDistribution {
  /** The Gaussian (or tanh-squashed Gaussian) with the state-dependent standard deviation. */
  readonly inner: DiagGaussian | SquashedDiagGaussian;

  constructor(
    readonly gsde: Gsde,
    readonly mean: Tensor,
    logStd: Tensor,
    private readonly latent: Tensor,
  ) {
    this.inner = gsde.squashOutput ? new SquashedDiagGaussian(mean, logStd) : new DiagGaussian(mean, logStd);
  }

  /** log p(a), shape [B] (with the tanh correction when squashing). */
  logProb(actions: Float32Array | Float64Array | Tensor): Tensor {
    return this.inner.logProb(actions);
  }

  /** Entropy of the Gaussian, shape [B]; squashed: no closed form (as SB3), an InvalidArgumentError. */
  entropy(): Tensor {
    if (this.inner instanceof SquashedDiagGaussian) {
      throw new InvalidArgumentError(
        "GsdeDistribution.entropy: no closed form with squashOutput (estimate it as -logProb)",
      );
    }
    return this.inner.entropy();
  }

  /** KL(this || other) of the two Gaussians, shape [B]. */
  kl(other: GsdeDistribution): Tensor {
    if (!(other instanceof GsdeDistribution) || other.gsde.squashOutput !== this.gsde.squashOutput) {
      throw new InvalidArgumentError(
        `GsdeDistribution.kl: other must be a GsdeDistribution of the same kind, got ${describe(other)}`,
      );
    }
    const a = this.inner instanceof SquashedDiagGaussian ? this.inner.gaussian : this.inner;
    const b = other.inner instanceof SquashedDiagGaussian ? other.inner.gaussian : other.inner;
    return a.kl(b);
  }

  /** The mean action (tanh of it when squashing), row-major [B * D]. */
  mode(out?: Float32Array | Float64Array): Float32Array | Float64Array {
    return this.inner.mode(out);
  }

  /**
   * a = mu + z theta (tanh of it when squashing), row-major [B * D]: theta is each row's environment matrix when the
   * batch has one row per environment (B = nEnvs > 1), else the shared matrix. No Rng: the noise was drawn by
   * resetNoise / onStep.
   */
  sample(out?: Float32Array | Float64Array): Float32Array | Float64Array {
    const g = this.gsde;
    const b = this.mean.shape[0];
    const L = g.latentDim;
    const A = g.actionDim;
    const res = out ?? new Float32Array(b * A);
    if (!(res instanceof Float32Array || res instanceof Float64Array) || res.length !== b * A) {
      throw new InvalidArgumentError(
        `GsdeDistribution.sample: out must be a Float32Array or Float64Array of length ${b * A}, got ${describe(out)}`,
      );
    }
    const perEnv = b > 1 && g.explorationMatrices.length === b * L * A;
    const mu = this.mean.data();
    const z = this.latent.data();
    for (let r = 0; r < b; r++) {
      const theta = perEnv ? g.explorationMatrices.subarray(r * L * A, (r + 1) * L * A) : g.explorationMatrix;
      for (let j = 0; j < A; j++) {
        let noise = 0;
        for (let i = 0; i < L; i++) noise += z[r * L + i] * theta[i * A + j];
        const a = mu[r * A + j] + noise;
        res[r * A + j] = g.squashOutput ? tanh(a) : a;
      }
    }
    return res;
  }
}

function withScope<T>(engine: Engine, fn: () => T): T {
  return engine.inScope ? engine.noGrad(fn) : engine.scope(() => engine.noGrad(fn));
}
