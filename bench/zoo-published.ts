import type { DQNConfig } from "../src/algos/dqn.js";
import { zoo } from "../src/train/zoo/dqn.js";

/**
 * DQN CartPole-v1 with rl-baselines3-zoo's published settings, for a like-for-like comparison with SB3: tsrl's
 * shipped entry adds Double DQN (an extra forward pass per gradient step), gamma 0.98 and its own learning-rate
 * schedule for reliability.
 */
export const dqnCartPolePublished: Partial<DQNConfig> = {
  ...(zoo.entries["CartPole-v1"].hyperparams as Partial<DQNConfig>),
  doubleQ: false,
  gamma: 0.99,
  learningRate: 2.3e-3,
  explorationFinalEps: 0.04,
};
