import { zoo as td3 } from "./td3.js";
import type { AlgoZoo } from "./types.js";

/**
 * DDPG defaults per env: rl-baselines3-zoo's hyperparams/ddpg.yml (the settings of its published SB3 result, as
 * listed in the zoo's model card for sb3/ddpg-Pendulum-v1). Its Pendulum-v1 settings are those of td3.yml, key for
 * key, so they are taken from the TD3 zoo here rather than written twice.
 */
export const zoo: AlgoZoo = {
  algorithm: "DDPG",
  entries: {
    "Pendulum-v1": {
      ...td3.entries["Pendulum-v1"],
      source: "rl-baselines3-zoo ddpg.yml, the same settings as its td3.yml (zoo result: -152 at 20k)",
    },
  },
  fallback: {
    totalTimesteps: 100_000,
    hyperparams: { actionNoise: { type: "normal", sigma: 0.1 } },
    source: "SB3 DDPG defaults with Gaussian exploration noise 0.1",
  },
};
