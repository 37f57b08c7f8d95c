import type { AlgoZoo } from "./types.js";

/**
 * Tabular Q-learning defaults for the toy-text envs: our own tuning runs (test-learn/tabular.test.ts asserts what
 * they reach on fixed seeds). The same settings suit SARSA and Expected SARSA.
 */
export const zoo: AlgoZoo = {
  algorithm: "QLearning",
  entries: {
    "FrozenLake-v1": {
      totalTimesteps: 500_000,
      hyperparams: {
        learningRate: { schedule: "linear", start: 0.1, end: 0.001 },
        gamma: 0.99,
        explorationFraction: 0.5,
        explorationFinalEps: 0.05,
      },
      source: "tsrl tuning run (slippery 4x4: greedy success 0.73-0.76 over 1000 episodes, optimum about 0.74)",
      expected: { meanReturn: 0.74, measured: "npm run test:learn (test-learn/tabular.test.ts), seeds 0-2" },
    },
    "CliffWalking-v1": {
      totalTimesteps: 20_000,
      hyperparams: { learningRate: 0.5, gamma: 0.99, explorationInitialEps: 0.1, explorationFinalEps: 0.1 },
      source: "Sutton and Barto, example 6.6 (alpha 0.5, epsilon 0.1)",
      expected: { meanReturn: -13, measured: "npm run test:learn (test-learn/tabular.test.ts)" },
    },
    "Taxi-v4": {
      totalTimesteps: 300_000,
      hyperparams: { learningRate: 0.5, gamma: 0.99, explorationFraction: 0.5, explorationFinalEps: 0.01 },
      source: "tsrl tuning run",
      expected: { meanReturn: 7.9, measured: "npm run test:learn (test-learn/tabular.test.ts), seeds 0-2" },
    },
  },
  fallback: {
    totalTimesteps: 200_000,
    hyperparams: { learningRate: 0.1, gamma: 0.99, explorationFraction: 0.5, explorationFinalEps: 0.05 },
    source: "generic tabular defaults",
  },
};
