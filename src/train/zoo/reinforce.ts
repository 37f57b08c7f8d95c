import type { AlgoZoo } from "./types.js";

/**
 * REINFORCE's defaults (no zoo entry exists: SB3 has no REINFORCE). Our own choice: batches of 8 envs x 500
 * steps (whole CartPole episodes fit), Adam 1e-3, learned baseline.
 */
export const zoo: AlgoZoo = {
  algorithm: "REINFORCE",
  entries: {
    "CartPole-v1": {
      totalTimesteps: 500_000,
      nEnvs: 8,
      hyperparams: { nSteps: 500, learningRate: 0.001, gamma: 0.99, baseline: true, normalizeAdvantage: true },
      source: "tsrl tuning run",
    },
  },
  fallback: {
    totalTimesteps: 1_000_000,
    nEnvs: 8,
    hyperparams: { nSteps: 500 },
    source: "tsrl defaults",
  },
};
