import type { AlgoZoo } from "./types.js";

/**
 * DQN defaults per env: rl-baselines3-zoo's hyperparams/dqn.yml (tuned for SB3), translated to tsrl's option names.
 * Note SB3 counts `targetUpdateInterval` in env steps; so does tsrl.
 * CartPole-v1 departs from the zoo, measured: DQN's greedy return swings from one training phase to the next, and the
 * learning suite scores the final model. With the zoo's settings 1 of seeds 0-4 reached 475 (final greedy return over
 * 20 deterministic episodes, DQN's earlier private Adam: 500, 470.7, 210.3, 192.5, 295.6); with the learning rate
 * annealed linearly 2.3e-3 -> 0 and the shared nn Adam, 2 of 5 (13 of seeds 0-19). Double DQN targets, a base rate of
 * 1.5e-3 annealed to 0, a final epsilon of 0.01 (late data nearly on-policy) and gamma 0.98 (the zoo: 0.99; smaller
 * Q-values) reach 475 on 9 of seeds 0-9: 500, 500, 500, 500, 500, 500, 500, 472.3, 500, 500 (training and evaluation as
 * in test-learn/dqn-run.ts; with gamma 0.99, 8 of 10). docs/dqn.md lists every candidate measured.
 * MountainCar-v0 adds 3-step returns (`nStep: 3`) to the zoo's settings: the zoo's own reached the goal on 2 of seeds
 * 0-4 on the final code (1, 2 and 4 never did in 120k steps); with 3-step returns, which carry the goal's reward back
 * along the swing three times faster, all of seeds 0-9 reach -130 (gamma 0.99 instead rescued seeds 1, 2, 4 too).
 */
export const zoo: AlgoZoo = {
  algorithm: "DQN",
  entries: {
    "CartPole-v1": {
      totalTimesteps: 50_000,
      hyperparams: {
        learningRate: { schedule: "linear", start: 1.5e-3, end: 0 },
        batchSize: 64,
        bufferSize: 100_000,
        learningStarts: 1000,
        gamma: 0.98,
        targetUpdateInterval: 10,
        trainFreq: 256,
        gradientSteps: 128,
        explorationFraction: 0.16,
        explorationFinalEps: 0.01,
        doubleQ: true,
        netArch: [256, 256],
      },
      source:
        "rl-baselines3-zoo dqn.yml with Double DQN, lr 1.5e-3 annealed to 0, final epsilon 0.01, gamma 0.98 (tsrl tuning)",
      expected: { meanReturn: 497.2, measured: "seeds 0-9: 500 x7, 472.3, 500, 500 (9 of 10 >= 475)" },
    },
    "MountainCar-v0": {
      totalTimesteps: 120_000,
      hyperparams: {
        learningRate: 4e-3,
        batchSize: 128,
        bufferSize: 10_000,
        learningStarts: 1000,
        gamma: 0.98,
        targetUpdateInterval: 600,
        trainFreq: 16,
        gradientSteps: 8,
        explorationFraction: 0.2,
        explorationFinalEps: 0.07,
        nStep: 3,
        netArch: [256, 256],
      },
      source: "rl-baselines3-zoo dqn.yml with 3-step returns (tsrl tuning)",
      expected: {
        meanReturn: -103.0,
        measured:
          "seeds 0-9: -115.4, -104.0, -97.9, -97.85, -99.5, -99.5, -111.7, -100.65, -100.4, -102.6 (10 of 10 >= -130)",
      },
    },
    "Acrobot-v1": {
      totalTimesteps: 100_000,
      hyperparams: {
        learningRate: 6.3e-4,
        batchSize: 128,
        bufferSize: 50_000,
        learningStarts: 0,
        gamma: 0.99,
        targetUpdateInterval: 250,
        trainFreq: 4,
        gradientSteps: -1,
        explorationFraction: 0.12,
        explorationFinalEps: 0.1,
        netArch: [256, 256],
      },
      source: "rl-baselines3-zoo dqn.yml",
      expected: { meanReturn: -75.3, measured: "test-learn/dqn.test.ts seeds 0-4: -71.2, -71.1, -82.3, -73.0, -79.0" },
    },
  },
  fallback: {
    totalTimesteps: 100_000,
    hyperparams: {
      learningRate: 1e-4,
      bufferSize: 100_000,
      learningStarts: 1000,
      batchSize: 32,
      trainFreq: 4,
      gradientSteps: 1,
      targetUpdateInterval: 1000,
      explorationFraction: 0.1,
      explorationFinalEps: 0.05,
      netArch: [64, 64],
    },
    source: "SB3 DQN defaults with a smaller buffer and target interval",
  },
};
