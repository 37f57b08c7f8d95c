import type { AlgoZoo, ZooEntry } from "./types.js";

/**
 * SAC defaults per env: rl-baselines3-zoo's hyperparams/sac.yml (the settings of its published SB3 results, as
 * listed in the zoo's model cards for sb3/sac-<env>), translated to tsrl's option names. Everything not listed is
 * SB3's SAC default (256x256 ReLU networks, batch 256, buffer 1M, learning starts 100, tau 0.005, gamma 0.99, one
 * gradient step per env step, learned temperature with target entropy -dim(A)).
 */
export const zoo: AlgoZoo = {
  algorithm: "SAC",
  entries: {
    "Pendulum-v1": {
      totalTimesteps: 20_000,
      hyperparams: { learningRate: 1e-3 },
      source: "rl-baselines3-zoo sac.yml (zoo result: -157 at 20k)",
    },
    "MountainCarContinuous-v0": {
      totalTimesteps: 50_000,
      hyperparams: {
        learningRate: 3e-4,
        bufferSize: 50_000,
        batchSize: 512,
        entCoef: 0.1,
        trainFreq: 32,
        gradientSteps: 32,
        gamma: 0.9999,
        tau: 0.01,
        learningStarts: 0,
        useSde: true,
        logStdInit: -3.67,
        netArch: [64, 64],
      },
      source: "rl-baselines3-zoo sac.yml (zoo result: 94.7 at 50k)",
    },
    // the zoo's MuJoCo defaults (its v3 entries, run here on v5)
    "Hopper-v5": mujocoSac("zoo result for Hopper-v3: 2326 at 1M"),
    "HalfCheetah-v5": mujocoSac("zoo result for HalfCheetah-v3: 9535 at 1M"),
  },
  fallback: {
    totalTimesteps: 100_000,
    hyperparams: {},
    source: "SB3 SAC defaults",
  },
};

function mujocoSac(result: string): ZooEntry {
  return {
    totalTimesteps: 1_000_000,
    hyperparams: { learningStarts: 10_000 },
    source: `rl-baselines3-zoo sac.yml, MuJoCo defaults (${result})`,
  };
}
