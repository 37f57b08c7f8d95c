import { type Action, type EnvInput, registerAlgorithm } from "./common/algorithm.js";
import { OFF_POLICY_KEYS, type OffPolicyConfig } from "./common/off-policy.js";
import { TD3, TD3_DEFAULTS } from "./td3.js";

/** DDPG options: the shared off-policy options (one critic, so no `nCritics`). */
export type DDPGConfig = Omit<OffPolicyConfig, "nCritics">;

/**
 * Deep Deterministic Policy Gradient (Lillicrap et al. 2016) as Stable-Baselines3 builds it: TD3 with one critic,
 * the actor and targets updated at every gradient step, and no target policy smoothing:
 *
 *   y = r + gamma (1 - d) Q'(s', mu'(s'));   J(Q) = mean[(Q(s, a) - y)^2];   J(mu) = -mean[ Q(s, mu(s)) ]
 *   theta' <- tau theta + (1 - tau) theta'
 */
export class DDPG<O = unknown, A extends Action = Action> extends TD3<O, A> {
  static override readonly algorithmName = "DDPG";
  static override readonly configKeys: readonly string[] = OFF_POLICY_KEYS.filter((k) => k !== "nCritics");

  constructor(env: EnvInput<O, A>, config: DDPGConfig = {}) {
    super(env, config, { ...TD3_DEFAULTS, nCritics: 1, policyDelay: 1, targetPolicyNoise: 0, targetNoiseClip: 0 });
  }
}

registerAlgorithm(DDPG);
