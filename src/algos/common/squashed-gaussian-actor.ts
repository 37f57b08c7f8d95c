import type { Engine } from "../../core/engine.js";
import { add, clamp, matmul, mul, relu, sliceLast, tanh } from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { Gsde } from "../../distributions/gsde.js";
import { SquashedDiagGaussian } from "../../distributions/squashed-diag-gaussian.js";
import { Linear } from "../../nn/linear.js";
import { type Activation, MLP } from "../../nn/mlp.js";
import { mlpForwardFlops, mlpParameterNames } from "./continuous-critic.js";

/** SB3's bounds on the actor's log standard deviation (numerical safety of exp and of the tanh correction). */
const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;
/** With gSDE, SB3 bounds the mean of the pre-squash Gaussian to [-2, 2] (Hardtanh), so tanh never saturates. */
const CLIP_MEAN = 2;

export interface SquashedGaussianActorOptions {
  obsDim: number;
  actionDim: number;
  hiddenSizes: readonly number[];
  activation: Activation;
  /** generalized state-dependent exploration (Raffin et al. 2021) instead of independent Gaussian noise */
  useSde: boolean;
  /** gSDE: initial log standard deviation of the exploration matrix entries */
  logStdInit: number;
  /** gSDE: new exploration matrices every this many env steps (-1: once per collection phase) */
  sdeSampleFreq: number;
}

/** The policy's output for a batch: its reparameterised action sample and that sample's log-probability. */
export interface ActorSample {
  /** a~ = tanh(u) [B, dim(A)], differentiable w.r.t. the actor's parameters */
  actions: Tensor;
  /** log pi(a~|s) [B] */
  logProb: Tensor;
}

/**
 * SAC's actor (SB3's sac Actor). An MLP maps s to the mean and the log standard deviation (clamped to [-20, 2]) of a
 * Gaussian over the pre-squash action u; the action a = tanh(u) lies in (-1, 1) (the env receives it rescaled to
 * its bounds). Without gSDE one network with a 2 dim(A) output computes what SB3's latent network with two linear
 * heads computes (the heads share their input), each layer one fused op.
 *
 * With gSDE (`useSde`), as SB3: latent z = act(MLP(s)), mean mu = clamp(W z + b, -2, 2), and the noise is z theta
 * with theta = sigma . E, E ~ N(0, 1) [latent, dim(A)] drawn per gradient step (training) or per collection phase
 * (acting), sigma = exp(logStd) a learned matrix; u = mu + z theta ~ N(mu, z^2 sigma^2) given s. The features z
 * receive gradients through the noise (SB3's learn_features for SAC).
 */
export class SquashedGaussianActor {
  readonly actionDim: number;
  /** Without gSDE: s -> [mean | log std]. With gSDE: s -> the last hidden layer (before its activation). */
  readonly net: MLP | null;
  /** gSDE only: the mean head and the exploration state */
  readonly mu: Linear | null;
  readonly gsde: Gsde | null;
  readonly logStd: Tensor | null;
  private readonly activation: Activation;
  /** gSDE training noise E [latent, dim(A)], drawn per gradient step */
  private readonly eps: Float32Array;
  private readonly engine: Engine;

  constructor(engine: Engine, rng: Rng, o: SquashedGaussianActorOptions) {
    this.engine = engine;
    this.actionDim = o.actionDim;
    this.activation = o.activation;
    const init = "default" as const;
    if (!o.useSde) {
      this.net = new MLP(engine, rng, {
        inputSize: o.obsDim,
        hiddenSizes: o.hiddenSizes,
        outputSize: 2 * o.actionDim,
        activation: o.activation,
        init,
      });
      this.mu = this.gsde = this.logStd = null;
      this.eps = new Float32Array(0);
      return;
    }
    const h = o.hiddenSizes;
    const latentDim = h.length > 0 ? h[h.length - 1] : o.obsDim;
    this.net =
      h.length > 0
        ? new MLP(engine, rng, {
            inputSize: o.obsDim,
            hiddenSizes: h.slice(0, -1),
            outputSize: latentDim,
            activation: o.activation,
            init,
          })
        : null;
    this.mu = new Linear(engine, rng, latentDim, o.actionDim, { init });
    this.gsde = new Gsde(latentDim, o.actionDim, {
      fullStd: true,
      squashOutput: true,
      learnFeatures: true,
      sdeSampleFreq: o.sdeSampleFreq,
    });
    this.logStd = engine.parameter(this.gsde.logStdShape);
    this.logStd.set(new Float64Array(this.logStd.size).fill(o.logStdInit));
    this.eps = new Float32Array(latentDim * o.actionDim);
  }

  /** Draw the exploration matrices used to act in `nEnvs` envs (gSDE only; SB3's reset_noise). */
  resetNoise(rng: Rng, nEnvs: number): void {
    if (this.gsde !== null && this.logStd !== null) this.gsde.resetNoise(this.logStd, rng, nEnvs);
  }

  /** Actions in (-1, 1) for observations [B, obsDim] (no gradient): tanh(mean), or a sample. */
  act(obs: Tensor, deterministic: boolean, rng: Rng, out: Float32Array): void {
    if (this.gsde === null) {
      const dist = this.gaussian(obs);
      if (deterministic) dist.mode(out);
      else dist.sample(rng, out);
      return;
    }
    const [mu, z] = this.sdeParams(obs);
    const dist = this.gsde.distribution(mu, this.logStd as Tensor, z);
    if (deterministic) dist.mode(out);
    else dist.sample(out);
  }

  /** The reparameterised a~ ~ pi(.|s) and log pi(a~|s), differentiable (gSDE: with this gradient step's E). */
  sample(obs: Tensor, rng: Rng): ActorSample {
    if (this.gsde === null) return this.gaussian(obs).rsampleWithLogProb(rng);
    const [mu, z] = this.sdeParams(obs);
    const logStd = this.logStd as Tensor;
    const dist = this.gsde.distribution(mu, logStd, z).inner as SquashedDiagGaussian;
    // u = mu + z (sigma . E): the noise of the training sample, differentiable in mu, z and sigma
    const theta = mul(this.gsde.std(logStd), this.engine.tensor(this.eps, this.gsde.logStdShape));
    const u = add(mu, matmul(z, theta));
    return { actions: tanh(u), logProb: dist.logProbOfPreSquash(u) };
  }

  /** gSDE: draw this gradient step's E ~ N(0, 1) (SB3 resets the actor's noise before each gradient step). */
  drawTrainingNoise(rng: Rng): void {
    for (let i = 0; i < this.eps.length; i++) this.eps[i] = rng.normal();
  }

  private gaussian(obs: Tensor): SquashedDiagGaussian {
    const out = (this.net as MLP).forward(obs);
    const d = this.actionDim;
    return new SquashedDiagGaussian(sliceLast(out, 0, d), clamp(sliceLast(out, d, 2 * d), LOG_STD_MIN, LOG_STD_MAX));
  }

  /** gSDE: [mean, latent features] */
  private sdeParams(obs: Tensor): [Tensor, Tensor] {
    let z = obs;
    if (this.net !== null) {
      z = this.net.forward(obs);
      z = this.activation === "relu" ? relu(z) : tanh(z);
    }
    return [clamp((this.mu as Linear).forward(z), -CLIP_MEAN, CLIP_MEAN), z];
  }

  parameters(): Tensor[] {
    const ps = this.net?.parameters() ?? [];
    if (this.mu !== null && this.logStd !== null) ps.push(...this.mu.parameters(), this.logStd);
    return ps;
  }

  parameterNames(): string[] {
    const names = this.net === null ? [] : mlpParameterNames(this.net, "pi");
    if (this.mu !== null) names.push("mu.weight", "mu.bias", "log_std");
    return names;
  }

  forwardFlops(batch: number): number {
    let f = this.net === null ? 0 : mlpForwardFlops(this.net, batch);
    if (this.mu !== null) f += 2 * batch * this.mu.inFeatures * this.mu.outFeatures;
    return f;
  }
}
