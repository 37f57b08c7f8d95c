import type { AlgoZoo } from "./types.js";

/** A2C's tuned per-env defaults, from rl-baselines3-zoo hyperparams/a2c.yml (`normalize: true` -> both normalizers). */
export const zoo: AlgoZoo = {
  algorithm: "A2C",
  entries: {
    "CartPole-v1": {
      totalTimesteps: 500_000,
      nEnvs: 8,
      hyperparams: { entCoef: 0 },
      source: "rl-baselines3-zoo a2c.yml",
    },
    "Acrobot-v1": {
      totalTimesteps: 500_000,
      nEnvs: 16,
      hyperparams: { normalizeObs: true, normalizeReward: true, entCoef: 0 },
      source: "rl-baselines3-zoo a2c.yml",
    },
  },
  fallback: {
    totalTimesteps: 1_000_000,
    nEnvs: 8,
    hyperparams: {},
    source: "SB3 A2C defaults with 8 envs",
  },
};
