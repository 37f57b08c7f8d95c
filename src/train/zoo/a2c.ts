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
      expected: {
        meanReturn: 500.0,
        measured: "npm run bench:learn -- --rows a2c-cartpole (mean of 5 seeds x 20 deterministic episodes)",
      },
    },
    "Acrobot-v1": {
      totalTimesteps: 500_000,
      nEnvs: 16,
      hyperparams: { normalizeObs: true, normalizeReward: true, entCoef: 0 },
      source: "rl-baselines3-zoo a2c.yml",
      expected: {
        meanReturn: -79.2,
        measured: "npm run bench:learn -- --rows a2c-acrobot (mean of 5 seeds x 20 deterministic episodes)",
      },
    },
  },
  fallback: {
    totalTimesteps: 1_000_000,
    nEnvs: 8,
    hyperparams: {},
    source: "SB3 A2C defaults with 8 envs",
  },
};
