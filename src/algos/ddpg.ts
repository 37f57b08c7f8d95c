import {
  type Action,
  type ActionOf,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type StaticSide,
} from "./common/algorithm.js";
import { OFF_POLICY_KEYS, type OffPolicyConfig } from "./common/off-policy.js";
import { TD3_DEFAULTS, TD3Model } from "./td3.js";

/** DDPG options: the shared off-policy options (one critic, so no `nCritics`). */
export type DDPGConfig = Omit<OffPolicyConfig, "nCritics">;

/**
 * Deep Deterministic Policy Gradient (Lillicrap et al. 2016) as Stable-Baselines3 builds it: TD3 with one critic,
 * the actor and targets updated at every gradient step, and no target policy smoothing:
 *
 *   y = r + gamma (1 - d) Q'(s', mu'(s'));   J(Q) = mean[(Q(s, a) - y)^2];   J(mu) = -mean[ Q(s, mu(s)) ]
 *   theta' <- tau theta + (1 - tau) theta'
 */
export class DDPGModel<O = unknown, A extends Action = Action> extends TD3Model<O, A> {
  static override readonly algorithmName = "DDPG";
  static override readonly configKeys: readonly string[] = OFF_POLICY_KEYS.filter((k) => k !== "nCritics");

  constructor(env: EnvInput<O, A>, config: DDPGConfig = {}) {
    super(env, config, { ...TD3_DEFAULTS, nCritics: 1, policyDelay: 1, targetPolicyNoise: 0, targetNoiseClip: 0 });
  }
}

/** A DDPG model over an env with observations `O` and actions `A`. */
export type DDPG<O = unknown, A extends Action = Action> = DDPGModel<O, A>;
/** DDPG on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const DDPG = DDPGModel as unknown as {
  new <E extends EnvInput = EnvInput>(env: E, config?: DDPGConfig & EnvIdOptions): DDPG<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof DDPGModel>;

registerAlgorithm(DDPG);
