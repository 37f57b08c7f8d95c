import type { AlgoZoo } from "./types.js";

/**
 * TRPO's tuned per-env defaults, from sb3-contrib's entries in rl-baselines3-zoo hyperparams/trpo.yml.
 * CartPole-v1 halves the KL bound (targetKl 0.005; the zoo: sb3-contrib's default 0.01), measured: with 0.01 the
 * policy peaked and slid back late in training on some seeds (final greedy return 214.7, 500, 143.1, 500, 500 on
 * seeds 0-4; 12 of seeds 0-14 reached 475); with 0.005, 24 of seeds 0-24 (critic batchSize 128: 23 of 25;
 * gaeLambda 0.95: 13 of 15). Each run as bench:learn's (100k steps, 20 deterministic episodes). After the critic's
 * Adam moved into the arena (float32), 13 of seeds 0-14 (misses: 463.4, 466.3).
 */
export const zoo: AlgoZoo = {
  algorithm: "TRPO",
  entries: {
    "CartPole-v1": {
      totalTimesteps: 100_000,
      nEnvs: 2,
      hyperparams: {
        nSteps: 512,
        batchSize: 512,
        cgDamping: 0.001,
        gaeLambda: 0.98,
        gamma: 0.99,
        learningRate: 0.001,
        nCriticUpdates: 20,
        targetKl: 0.005,
      },
      source: "rl-baselines3-zoo trpo.yml (tuned) with targetKl 0.005 (tsrl tuning)",
      expected: {
        meanReturn: 496.1,
        measured: "npm run bench:learn -- --rows trpo-cartpole (mean of 5 seeds x 20 deterministic episodes)",
      },
    },
    "Pendulum-v1": {
      totalTimesteps: 200_000,
      nEnvs: 2,
      hyperparams: { nSteps: 1024, gamma: 0.9, nCriticUpdates: 15 },
      source: "rl-baselines3-zoo trpo.yml (tuned) without gSDE (use_sde, sde_sample_freq dropped)",
      expected: {
        meanReturn: -154.2,
        measured: "npm run bench:learn -- --rows trpo-pendulum (mean of 5 seeds x 20 deterministic episodes)",
      },
    },
    "Acrobot-v1": {
      totalTimesteps: 100_000,
      nEnvs: 2,
      hyperparams: { normalizeObs: true, normalizeReward: true, nSteps: 1024 },
      source: "rl-baselines3-zoo trpo.yml (tuned)",
    },
  },
  fallback: {
    totalTimesteps: 1_000_000,
    nEnvs: 2,
    hyperparams: { nSteps: 1024 },
    source: "sb3-contrib TRPO defaults with 2 envs x 1024 steps",
  },
};
