import type { AlgoZoo } from "./types.js";

/**
 * DDPG defaults per env: rl-baselines3-zoo's hyperparams/ddpg.yml (the settings of its published SB3 result, as
 * listed in the zoo's model card for sb3/ddpg-Pendulum-v1), translated to tsrl's option names.
 */
export const zoo: AlgoZoo = {
  algorithm: "DDPG",
  entries: {
    "Pendulum-v1": {
      totalTimesteps: 20_000,
      hyperparams: {
        gamma: 0.98,
        bufferSize: 200_000,
        learningStarts: 10_000,
        actionNoise: { type: "normal", sigma: 0.1 },
        gradientSteps: -1,
        trainFreq: [1, "episode"],
        learningRate: 1e-3,
        netArch: [400, 300],
      },
      source: "rl-baselines3-zoo ddpg.yml (zoo result: -152 at 20k)",
    },
  },
  fallback: {
    totalTimesteps: 100_000,
    hyperparams: { actionNoise: { type: "normal", sigma: 0.1 } },
    source: "SB3 DDPG defaults with Gaussian exploration noise 0.1",
  },
};
