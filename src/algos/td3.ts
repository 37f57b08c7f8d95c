import { checkInt } from "../core/checks.js";
import { mean, neg } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { Adam } from "../nn/optim/adam.js";
import type { Optimizer } from "../nn/optim/optimizer.js";
import { polyakUpdate } from "../nn/polyak.js";
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
import { DeterministicActor } from "./common/deterministic-actor.js";
import {
  OFF_POLICY_KEYS,
  OffPolicyAlgorithm,
  type OffPolicyConfig,
  putAdam,
  type ResolvedOffPolicy,
} from "./common/off-policy.js";
import type { ReplayBatch } from "./common/replay-buffer.js";

/** TD3 options: SB3's names and defaults. */
export interface TD3Config extends OffPolicyConfig {
  /** Critic updates per actor (and target) update. Default 2. */
  policyDelay?: number;
  /** Std of the Gaussian noise on the target action (target policy smoothing). Default 0.2. */
  targetPolicyNoise?: number;
  /** That noise is clipped to [-c, c]. Default 0.5. */
  targetNoiseClip?: number;
}

export interface ResolvedTD3 extends ResolvedOffPolicy {
  policyDelay: number;
  targetPolicyNoise: number;
  targetNoiseClip: number;
}

export const TD3_DEFAULTS: ResolvedTD3 = {
  learningRate: 1e-3,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 256,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  actionNoise: null,
  optimizeMemoryUsage: false,
  netArch: [400, 300],
  activation: "relu",
  nCritics: 2,
  kernels: "auto",
  checkFinite: false,
  policyDelay: 2,
  targetPolicyNoise: 0.2,
  targetNoiseClip: 0.5,
};

/**
 * Twin Delayed DDPG (Fujimoto et al. 2018), Stable-Baselines3's variant. Per gradient step on a minibatch
 * (s, a, r, s', d):
 *
 *   a' = clip(mu'(s') + clip(N(0, sigma~^2), -c, c), -1, 1)          target policy smoothing
 *   y = r + gamma (1 - d) min_j Q'_j(s', a')                          clipped double-Q target
 *   J(Q) = sum_j mean[(Q_j(s, a) - y)^2]                              critics
 *   every policyDelay steps:
 *     J(mu) = -mean[ Q_1(s, mu(s)) ]                                   actor (deterministic policy gradient)
 *     theta' <- tau theta + (1 - tau) theta'                          critic and actor targets
 *
 * Exploration adds `actionNoise` to mu(s) while collecting. DDPG is this with one critic, no delay and no smoothing.
 */
export class TD3Model<O = unknown, A extends Action = Action> extends OffPolicyAlgorithm<TD3Config, ResolvedTD3, O, A> {
  static override readonly algorithmName: string = "TD3";
  static override readonly configKeys: readonly string[] = [
    ...OFF_POLICY_KEYS,
    "policyDelay",
    "targetPolicyNoise",
    "targetNoiseClip",
  ];

  readonly actor: DeterministicActor;
  readonly actorTarget: DeterministicActor;
  /** the critics Q_j, their targets Q'_j and the critics' optimizer */
  private readonly critics: CriticsWithTargets;
  private readonly actorOptimizer: Adam;
  private readonly actorParams: Tensor[];
  private readonly actorTargetParams: Tensor[];
  /** smoothing noise of the target actions, [batchSize, actionDim] */
  private readonly smoothing: Float32Array;
  private readonly sums = { actorLoss: 0, criticLoss: 0, q: 0, actorSteps: 0 };

  constructor(env: EnvInput<O, A>, config: TD3Config = {}, defaults: ResolvedTD3 = TD3_DEFAULTS) {
    super(env, config, defaults);
    const c = this.cfg;
    checkInt(`${this.algoName}: config.policyDelay`, c.policyDelay, 1);
    for (const key of ["targetPolicyNoise", "targetNoiseClip"] as const) {
      if (!(c[key] >= 0 && Number.isFinite(c[key]))) {
        throw new InvalidArgumentError(
          `${this.algoName}: config.${key} must be a finite number >= 0, got ${describe(c[key])}`,
        );
      }
    }
    const eng = this.engine;
    const actor = () => new DeterministicActor(eng, this.rng, this.obsDim, this.actionDim, this.piArch, c.activation);
    this.actor = actor();
    this.actorTarget = actor();
    this.actorParams = this.actor.parameters();
    this.actorTargetParams = this.actorTarget.parameters();
    polyakUpdate(this.actorParams, this.actorTargetParams, 1);
    const lr = typeof c.learningRate === "number" ? c.learningRate : c.learningRate.start;
    this.actorOptimizer = new Adam(this.actorParams, { lr });
    const critic = () =>
      new ContinuousCritic(eng, this.rng, this.obsDim, this.actionDim, this.qfArch, c.activation, c.nCritics);
    this.critics = new CriticsWithTargets(critic, lr, c.batchSize);
    this.smoothing = new Float32Array(c.batchSize * this.actionDim);
  }

  /** The critics Q_j (SB3's `critic`). */
  get critic(): ContinuousCritic {
    return this.critics.critic;
  }

  /** Their Polyak-averaged targets Q'_j (SB3's `critic_target`). */
  get criticTarget(): ContinuousCritic {
    return this.critics.target;
  }

  /** mu(s); exploration noise is the collect loop's `actionNoise`, so `deterministic` changes nothing (as SB3). */
  protected actorActions(
    obs: Float32Array,
    count: number,
    _deterministic: boolean,
    _rng: Rng,
    out: Float32Array,
  ): void {
    const eng = this.engine;
    eng.scope(() =>
      eng.noGrad(() => {
        const mu = this.actor.forward(eng.tensor(obs.subarray(0, count * this.obsDim), [count, this.obsDim]));
        out.set(mu.data());
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
    // SB3 counts the step first: the actor moves on steps policyDelay, 2 policyDelay, ...
    const updateActor = (this.nUpdates + 1) % c.policyDelay === 0;
    eng.scope(() => {
      const obs = eng.tensor(batch.observations.subarray(0, B * d), [B, d]);
      const nextObs = eng.tensor(batch.nextObservations.subarray(0, B * d), [B, d]);
      const actions = eng.tensor(batch.boxActions.subarray(0, B * ad), [B, ad]);

      // ---- target: a' = clip(mu'(s') + clip(eps, -c, c), -1, 1);  y = r + gamma (1 - d) min_j Q'_j(s', a')
      const qNext = eng.noGrad(() => {
        const mu = this.actorTarget.forward(nextObs).data();
        const a = this.smoothing;
        for (let i = 0; i < B * ad; i++) {
          const eps = c.targetPolicyNoise > 0 ? c.targetPolicyNoise * this.rng.normal() : 0;
          a[i] = Math.min(Math.max(mu[i] + Math.min(Math.max(eps, -c.targetNoiseClip), c.targetNoiseClip), -1), 1);
        }
        return critics.minTargetQ(nextObs, eng.tensor(a.subarray(0, B * ad), [B, ad]));
      });
      const y = critics.targets(batch, c.gamma, (i) => qNext[i]);

      // ---- critics: J(Q) = sum_j mean[(Q_j(s, a) - y)^2]
      const critic = critics.step(obs, actions, y);
      this.sums.criticLoss += critic.loss;
      this.sums.q += critic.meanQ1;

      // ---- delayed actor: J(mu) = -mean[ Q_1(s, mu(s)) ], the critics frozen
      if (updateActor) {
        critics.frozen(() => {
          const actorLoss = neg(mean(critics.critic.forwardFirst(obs, this.actor.forward(obs))));
          this.actorOptimizer.zeroGrad();
          eng.backward(actorLoss);
          this.actorOptimizer.step();
          this.sums.actorLoss += actorLoss.item();
          this.sums.actorSteps++;
        });
      }
    });
    // ---- theta' <- tau theta + (1 - tau) theta', critics and actor, with the actor's steps
    if (updateActor) {
      critics.polyak(c.tau);
      polyakUpdate(this.actorParams, this.actorTargetParams, c.tau);
    }
  }

  protected recordTrainMetrics(steps: number): void {
    const s = this.sums;
    if (s.actorSteps > 0) this.logger.recordMean("train/actor_loss", s.actorLoss / s.actorSteps);
    this.logger.recordMean("train/critic_loss", s.criticLoss / steps);
    this.logger.recordMean("train/mean_q", s.q / steps);
    s.actorLoss = s.criticLoss = s.q = s.actorSteps = 0;
  }

  protected optimizers(): Optimizer[] {
    return [this.actorOptimizer, this.critics.optimizer];
  }

  /** The actor steps once per policyDelay gradient steps. */
  protected override nUpdatesOf(opt: Optimizer): number {
    return opt === this.actorOptimizer ? Math.floor(this.nUpdates / this.cfg.policyDelay) : this.nUpdates;
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
    put("actor_target/", piNames, this.actorTarget.parameters());
    put("critic/", qNames, this.critics.params);
    put("critic_target/", qNames, this.critics.targetParams);
    putAdam(out, "actor_optimizer/", piNames, this.actorOptimizer);
    putAdam(out, "critic_optimizer/", qNames, this.critics.optimizer);
    return out;
  }

  /**
   * FLOPs of one gradient step: target actor and target critics forward on s', critics forward and backward (2x);
   * on actor steps also actor forward, critic-1 forward, its input-gradient backward (1x) and the actor backward (2x).
   */
  gradientStepFlops(): number {
    const B = this.cfg.batchSize;
    const pi = this.actor.forwardFlops(B);
    const q = this.critics.critic.forwardFlops(B);
    const q1 = q / this.cfg.nCritics;
    return pi + q + 3 * q + (3 * pi + 2 * q1) / this.cfg.policyDelay;
  }
}

/** A TD3 model over an env with observations `O` and actions `A`. */
export type TD3<O = unknown, A extends Action = Action> = TD3Model<O, A>;
/** TD3 on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const TD3 = TD3Model as unknown as {
  new <E extends EnvInput = EnvInput>(env: E, config?: TD3Config & EnvIdOptions): TD3<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof TD3Model>;

registerAlgorithm(TD3);
