import type { Env } from "../env.js";
import { register } from "../registry.js";
import { AcrobotEnv } from "./acrobot.js";
import { CartPoleEnv } from "./cartpole.js";
import { MountainCarEnv } from "./mountain-car.js";
import { MountainCarContinuousEnv } from "./mountain-car-continuous.js";
import { PendulumEnv } from "./pendulum.js";

// Gymnasium's ids, time limits and reward thresholds for classic control.
register("CartPole-v0", (kw) => new CartPoleEnv(kw), { maxEpisodeSteps: 200, rewardThreshold: 195.0 });
register("CartPole-v1", (kw) => new CartPoleEnv(kw), { maxEpisodeSteps: 500, rewardThreshold: 475.0 });
register("Acrobot-v1", (kw) => new AcrobotEnv(kw), { maxEpisodeSteps: 500, rewardThreshold: -100.0 });
register("MountainCar-v0", (kw) => new MountainCarEnv(kw), { maxEpisodeSteps: 200, rewardThreshold: -110.0 });
register("MountainCarContinuous-v0", (kw) => new MountainCarContinuousEnv(kw), {
  maxEpisodeSteps: 999,
  rewardThreshold: 90.0,
});
register("Pendulum-v1", (kw) => new PendulumEnv(kw), { maxEpisodeSteps: 200 });

declare module "../registry.js" {
  interface EnvRegistry {
    "CartPole-v0": Env<Float32Array, number>;
    "CartPole-v1": Env<Float32Array, number>;
    "Acrobot-v1": Env<Float32Array, number>;
    "MountainCar-v0": Env<Float32Array, number>;
    "MountainCarContinuous-v0": Env<Float32Array, Float32Array>;
    "Pendulum-v1": Env<Float32Array, Float32Array>;
  }
}
