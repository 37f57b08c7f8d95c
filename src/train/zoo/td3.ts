import type { AlgoZoo, ZooEntry } from "./types.js";

/**
 * TD3 defaults per env: rl-baselines3-zoo's hyperparams/td3.yml (the settings of its published SB3 results, as
 * listed in the zoo's model cards for sb3/td3-<env>), translated to tsrl's option names: `noise_type`/`noise_std`
 * become `actionNoise`, `train_freq: [1, "episode"]` stays a pair. Everything not listed is SB3's TD3 default
 * (400x300 ReLU networks, batch 256, lr 1e-3, tau 0.005, gamma 0.99, policy delay 2, target noise 0.2 clipped at 0.5).
 */
export const zoo: AlgoZoo = {
  algorithm: "TD3",
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
      source: "rl-baselines3-zoo td3.yml (zoo result: -152 at 20k)",
    },
    "MountainCarContinuous-v0": {
      totalTimesteps: 300_000,
      hyperparams: { actionNoise: { type: "ornstein-uhlenbeck", sigma: 0.5 } },
      source: "rl-baselines3-zoo td3.yml (zoo result: 93.5 at 300k)",
    },
    // the zoo's MuJoCo defaults (its v3 entries, run here on v5)
    "Hopper-v5": mujocoTd3("zoo result for Hopper-v3: 3606 at 1M"),
    "HalfCheetah-v5": mujocoTd3("zoo result for HalfCheetah-v3: 9656 at 1M"),
  },
  fallback: {
    totalTimesteps: 100_000,
    hyperparams: { actionNoise: { type: "normal", sigma: 0.1 } },
    source: "SB3 TD3 defaults with Gaussian exploration noise 0.1",
  },
};

function mujocoTd3(result: string): ZooEntry {
  return {
    totalTimesteps: 1_000_000,
    hyperparams: { learningStarts: 10_000, actionNoise: { type: "normal", sigma: 0.1 } },
    source: `rl-baselines3-zoo td3.yml, MuJoCo defaults (${result})`,
  };
}
