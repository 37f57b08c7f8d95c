import { checkInt } from "../core/checks.js";
import { exp, log } from "../core/math/index.js";
import { addScalar, concat, mean, min, mul, mulScalar, neg, stopGradient, sub } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { Adam } from "../nn/optim/adam.js";
import type { Optimizer } from "../nn/optim/optimizer.js";
import {
  type Action,
  type ActionOf,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type StaticSide,
} from "./common/algorithm.js";
import { ContinuousCritic, CriticsWithTargets } from "./common/continuous-critic.js";
import {
  OFF_POLICY_KEYS,
  OffPolicyAlgorithm,
  type OffPolicyConfig,
  putAdam,
  type ResolvedOffPolicy,
} from "./common/off-policy.js";
import type { ReplayBatch } from "./common/replay-buffer.js";
import { SquashedGaussianActor } from "./common/squashed-gaussian-actor.js";

/** SAC options: SB3's names and defaults. */
export interface SACConfig extends OffPolicyConfig {
  /** Entropy temperature alpha: "auto" (learned, initial 1), "auto_<x>" (learned, initial x) or a fixed number. */
  entCoef?: "auto" | `auto_${number}` | number;
  /** Entropy the learned alpha aims at; "auto" = -dim(A) (the SAC paper's heuristic). */
  targetEntropy?: "auto" | number;
  /** Gradient steps between two Polyak updates of the target critics. Default 1. */
  targetUpdateInterval?: number;
  /** Generalized state-dependent exploration (Raffin et al. 2021) instead of independent Gaussian noise. */
  useSde?: boolean;
  /** gSDE: new exploration matrices every this many env steps; -1 (default) once per collection phase. */
  sdeSampleFreq?: number;
  /** gSDE: act with the policy (not uniformly at random) before learningStarts. Default false. */
  useSdeAtWarmup?: boolean;
  /** gSDE: initial log standard deviation of the exploration weights (SB3's policy_kwargs log_std_init). Default -3. */
  logStdInit?: number;
}

interface ResolvedSAC extends ResolvedOffPolicy {
  entCoef: "auto" | `auto_${number}` | number;
  targetEntropy: "auto" | number;
  targetUpdateInterval: number;
  useSde: boolean;
  sdeSampleFreq: number;
  useSdeAtWarmup: boolean;
  logStdInit: number;
}

const DEFAULTS: ResolvedSAC = {
  learningRate: 3e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 256,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  actionNoise: null,
  optimizeMemoryUsage: false,
  netArch: [256, 256],
  activation: "relu",
  nCritics: 2,
  kernels: "auto",
  checkFinite: false,
  entCoef: "auto",
  targetEntropy: "auto",
  targetUpdateInterval: 1,
  useSde: false,
  sdeSampleFreq: -1,
  useSdeAtWarmup: false,
  logStdInit: -3,
};

/**
 * Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications": twin critics and the
 * learned temperature), Stable-Baselines3's variant. Per gradient step on a minibatch (s, a, r, s', d):
 *
 *   a~ ~ pi(.|s) reparameterised, a~ = tanh(mu + sigma eps)                 (one sample shared by the losses below)
 *   J(alpha) = -mean[ log alpha (log pi(a~|s) + H_target) ]                 temperature (alpha used: before its step)
 *   y = r + gamma (1 - d) (min_j Q'_j(s', a') - alpha log pi(a'|s')),  a' ~ pi(.|s')
 *   J(Q) = 1/2 sum_j mean[(Q_j(s, a) - y)^2]                                critics
 *   J(pi) = mean[ alpha log pi(a~|s) - min_j Q_j(s, a~) ]                   actor (critics after their step)
 *   theta'_j <- tau theta_j + (1 - tau) theta'_j                            every targetUpdateInterval steps
 *
 * Every loss is a tape expression differentiated by `backward()`; the actor's backward passes through the critics
 * without accumulating their weight gradients (they are frozen for it), as only the actor steps on it.
 */
export class SACModel<O = unknown, A extends Action = Action> extends OffPolicyAlgorithm<SACConfig, ResolvedSAC, O, A> {
  static override readonly algorithmName = "SAC";
  static override readonly configKeys: readonly string[] = [
    ...OFF_POLICY_KEYS,
    "entCoef",
    "targetEntropy",
    "targetUpdateInterval",
    "useSde",
    "sdeSampleFreq",
    "useSdeAtWarmup",
    "logStdInit",
  ];

  readonly actor: SquashedGaussianActor;
  /** the critics Q_j, their targets Q'_j and the critics' optimizer */
  private readonly critics: CriticsWithTargets;
  /** log alpha when the temperature is learned, else null (alpha fixed at entCoef). */
  readonly logEntCoef: Tensor | null;
  readonly targetEntropy: number;
  private readonly actorOptimizer: Adam;
  private readonly entCoefOptimizer: Adam | null;
  private readonly sums = { actorLoss: 0, criticLoss: 0, entCoef: 0, entCoefLoss: 0, q: 0 };
  /** alpha when it is fixed (entCoef a number) */
  private readonly entCoefFixed: number;

  constructor(env: EnvInput<O, A>, config: SACConfig = {}) {
    super(env, config, DEFAULTS);
    const c = this.cfg;
    const eng = this.engine;
    if (typeof c.useSde !== "boolean" || typeof c.useSdeAtWarmup !== "boolean") {
      throw new InvalidArgumentError(
        `SAC: config.useSde and config.useSdeAtWarmup must be booleans, got ${describe(c.useSde)} and ${describe(c.useSdeAtWarmup)}`,
      );
    }
    if (!Number.isFinite(c.logStdInit)) {
      throw new InvalidArgumentError(`SAC: config.logStdInit must be a finite number, got ${describe(c.logStdInit)}`);
    }
    this.actor = new SquashedGaussianActor(eng, this.rng, {
      obsDim: this.obsDim,
      actionDim: this.actionDim,
      hiddenSizes: this.piArch,
      activation: c.activation,
      useSde: c.useSde,
      logStdInit: c.logStdInit,
      sdeSampleFreq: c.sdeSampleFreq,
    });
    // one exploration matrix per env from the start, so checkpoints have the same shapes before and after acting
    const gsde = this.actor.gsde;
    if (gsde !== null) gsde.explorationMatrices = new Float32Array(this.numEnvs * gsde.latentDim * gsde.actionDim);
    const lr = typeof c.learningRate === "number" ? c.learningRate : c.learningRate.start;
    this.actorOptimizer = new Adam(this.actor.parameters(), { lr });
    const critic = () =>
      new ContinuousCritic(eng, this.rng, this.obsDim, this.actionDim, this.qfArch, c.activation, c.nCritics);
    this.critics = new CriticsWithTargets(critic, lr, c.batchSize);
    const { learned, initial } = parseEntCoef(c.entCoef);
    if (learned) {
      this.logEntCoef = eng.parameter([1]);
      this.logEntCoef.set([log(initial)]);
      this.entCoefOptimizer = new Adam([this.logEntCoef], { lr });
    } else {
      this.logEntCoef = null;
      this.entCoefOptimizer = null;
    }
    this.entCoefFixed = initial;
    this.targetEntropy = c.targetEntropy === "auto" ? -this.actionDim : c.targetEntropy;
    if (!Number.isFinite(this.targetEntropy)) {
      throw new InvalidArgumentError(
        `SAC: config.targetEntropy must be "auto" or a finite number, got ${describe(c.targetEntropy)}`,
      );
    }
    checkInt("SAC: config.targetUpdateInterval", c.targetUpdateInterval, 1);
  }

  /** The critics Q_j (SB3's `critic`). */
  get critic(): ContinuousCritic {
    return this.critics.critic;
  }

  /** Their Polyak-averaged targets Q'_j (SB3's `critic_target`). */
  get criticTarget(): ContinuousCritic {
    return this.critics.target;
  }

  /** The current temperature alpha. */
  get entCoef(): number {
    return this.logEntCoef === null ? this.entCoefFixed : exp(this.logEntCoef.item());
  }

  protected actorActions(obs: Float32Array, count: number, deterministic: boolean, rng: Rng, out: Float32Array): void {
    const eng = this.engine;
    eng.scope(() =>
      eng.noGrad(() => {
        this.actor.act(eng.tensor(obs.subarray(0, count * this.obsDim), [count, this.obsDim]), deterministic, rng, out);
      }),
    );
  }

  protected gradientStep(batch: ReplayBatch): void {
    const c = this.cfg;
    const eng = this.engine;
    const critics = this.critics;
    const B = batch.size;
    const d = this.obsDim;
    const ad = this.actionDim;
    eng.scope(() => {
      const obs = eng.tensor(batch.observations.subarray(0, B * d), [B, d]);
      const nextObs = eng.tensor(batch.nextObservations.subarray(0, B * d), [B, d]);
      const actions = eng.tensor(batch.boxActions.subarray(0, B * ad), [B, ad]);
      // a~ = tanh(mu(s) + sigma(s) eps), log pi(a~|s): kept on the tape for the actor loss at the end
      if (c.useSde) this.actor.drawTrainingNoise(this.rng);
      const pi = this.actor.sample(obs, this.rng);

      // ---- temperature: J(alpha) = -mean[ log alpha * (log pi(a~|s) + H_target) ]
      const alpha = this.entCoef;
      if (this.logEntCoef !== null && this.entCoefOptimizer !== null) {
        const lp = addScalar(stopGradient(pi.logProb), this.targetEntropy);
        const entLoss = neg(mean(mul(this.logEntCoef, lp)));
        this.entCoefOptimizer.zeroGrad();
        eng.backward(entLoss, undefined, { retainGraph: true });
        this.entCoefOptimizer.step();
        this.sums.entCoefLoss += entLoss.item();
      }
      this.sums.entCoef += alpha;

      // ---- target: y = r + gamma (1 - d) (min_j Q'_j(s', a') - alpha log pi(a'|s')), no gradient
      const { qNext, lpNext } = eng.noGrad(() => {
        const next = this.actor.sample(nextObs, this.rng);
        return { qNext: critics.minTargetQ(nextObs, next.actions), lpNext: next.logProb.data() };
      });
      const y = critics.targets(batch, c.gamma, (i) => qNext[i] - alpha * lpNext[i]);

      // ---- critics: J(Q) = 1/2 sum_j mean[(Q_j(s, a) - y)^2]  (the tape kept for the actor's a~)
      const critic = critics.step(obs, actions, y, 0.5, true);
      this.sums.criticLoss += critic.loss;
      this.sums.q += critic.meanQ1;

      // ---- actor: J(pi) = mean[ alpha log pi(a~|s) - min_j Q_j(s, a~) ], the critics frozen
      critics.frozen(() => {
        const qPi = min(concat(critics.critic.forward(obs, pi.actions)));
        const actorLoss = mean(sub(mulScalar(pi.logProb, alpha), qPi));
        this.actorOptimizer.zeroGrad();
        eng.backward(actorLoss);
        this.actorOptimizer.step();
        this.sums.actorLoss += actorLoss.item();
      });
    });
    // ---- theta' <- tau theta + (1 - tau) theta' (this step is number nUpdates + 1)
    if ((this.nUpdates + 1) % c.targetUpdateInterval === 0) critics.polyak(c.tau);
  }

  /** gSDE: fresh exploration matrices at the start of each collection phase and every sdeSampleFreq steps (SB3). */
  protected override onCollectStart(): void {
    if (this.cfg.useSde) this.actor.resetNoise(this.rng, this.numEnvs);
  }

  protected override onCollectStep(step: number): void {
    const f = this.cfg.sdeSampleFreq;
    if (this.cfg.useSde && f > 0 && step % f === 0) this.actor.resetNoise(this.rng, this.numEnvs);
  }

  protected override get randomWarmup(): boolean {
    return !(this.cfg.useSde && this.cfg.useSdeAtWarmup);
  }

  protected override stateArrays(): Record<string, Float32Array | Float64Array> {
    const gsde = this.actor.gsde;
    if (gsde === null) return super.stateArrays();
    return {
      ...super.stateArrays(),
      "sde/exploration_matrix": gsde.explorationMatrix,
      "sde/exploration_matrices": gsde.explorationMatrices,
    };
  }

  protected recordTrainMetrics(steps: number): void {
    const s = this.sums;
    this.logger.recordMean("train/actor_loss", s.actorLoss / steps);
    this.logger.recordMean("train/critic_loss", s.criticLoss / steps);
    this.logger.recordMean("train/ent_coef", s.entCoef / steps);
    if (this.logEntCoef !== null) this.logger.recordMean("train/ent_coef_loss", s.entCoefLoss / steps);
    this.logger.recordMean("train/mean_q", s.q / steps);
    s.actorLoss = s.criticLoss = s.entCoef = s.entCoefLoss = s.q = 0;
  }

  protected optimizers(): Optimizer[] {
    return this.entCoefOptimizer === null
      ? [this.actorOptimizer, this.critics.optimizer]
      : [this.actorOptimizer, this.critics.optimizer, this.entCoefOptimizer];
  }

  protected namedTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const put = (prefix: string, names: string[], ts: Tensor[]) => {
      ts.forEach((t, i) => {
        out[`${prefix}${names[i]}`] = t;
      });
    };
    const piNames = this.actor.parameterNames();
    const qNames = this.critics.critic.parameterNames();
    put("actor/", piNames, this.actor.parameters());
    put("critic/", qNames, this.critics.params);
    put("critic_target/", qNames, this.critics.targetParams);
    putAdam(out, "actor_optimizer/", piNames, this.actorOptimizer);
    putAdam(out, "critic_optimizer/", qNames, this.critics.optimizer);
    if (this.logEntCoef !== null && this.entCoefOptimizer !== null) {
      out.log_ent_coef = this.logEntCoef;
      putAdam(out, "ent_coef_optimizer/", ["log_ent_coef"], this.entCoefOptimizer);
    }
    return out;
  }

  /**
   * FLOPs of one gradient step: actor forward on s and s', critic-target forward on s', critics forward on (s, a)
   * and (s, a~); backward of the critic loss (2x its forward), of the actor loss through the critics (input
   * gradients only: 1x) and the actor (2x).
   */
  gradientStepFlops(): number {
    const B = this.cfg.batchSize;
    const pi = this.actor.forwardFlops(B);
    const q = this.critics.critic.forwardFlops(B);
    return 2 * pi + q + 2 * q + 2 * q + q + 2 * pi;
  }
}

/** A SAC model over an env with observations `O` and actions `A`. */
export type SAC<O = unknown, A extends Action = Action> = SACModel<O, A>;
/** SAC on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const SAC = SACModel as unknown as {
  new <E extends EnvInput = EnvInput>(env: E, config?: SACConfig & EnvIdOptions): SAC<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof SACModel>;

registerAlgorithm(SAC);

function parseEntCoef(v: unknown): { learned: boolean; initial: number } {
  if (v === "auto") return { learned: true, initial: 1 };
  if (typeof v === "string" && v.startsWith("auto_")) {
    const x = Number(v.slice(5));
    if (x > 0 && Number.isFinite(x)) return { learned: true, initial: x };
  }
  if (typeof v === "number" && v >= 0 && Number.isFinite(v)) return { learned: false, initial: v };
  throw new InvalidArgumentError(
    `SAC: config.entCoef must be "auto", "auto_<initial value>" or a number >= 0, got ${describe(v)}`,
  );
}
