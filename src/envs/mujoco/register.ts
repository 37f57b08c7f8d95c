// Registers the MuJoCo envs under their Gymnasium ids (replacing the core's placeholders); imported by the
// tsrl/mujoco entry, whose module URL worker threads import to load MuJoCo before `make`.
import type { Env } from "../env.js";
import { register } from "../registry.js";
import { AntEnv } from "./ant.js";
import { HalfCheetahEnv } from "./half-cheetah.js";
import { HopperEnv } from "./hopper.js";
import { HumanoidEnv } from "./humanoid.js";
import { HumanoidStandupEnv } from "./humanoid-standup.js";
import { MUJOCO_REGISTRATIONS } from "./ids.js";
import { InvertedDoublePendulumEnv } from "./inverted-double-pendulum.js";
import { InvertedPendulumEnv } from "./inverted-pendulum.js";
import { PusherEnv } from "./pusher.js";
import { ReacherEnv } from "./reacher.js";
import { SwimmerEnv } from "./swimmer.js";
import { Walker2dEnv } from "./walker2d.js";

const CLASSES: Record<string, new (kwargs: Record<string, unknown>) => Env<unknown, unknown>> = {
  "InvertedPendulum-v5": InvertedPendulumEnv,
  "InvertedDoublePendulum-v5": InvertedDoublePendulumEnv,
  "Reacher-v5": ReacherEnv,
  "Pusher-v5": PusherEnv,
  "Swimmer-v5": SwimmerEnv,
  "Hopper-v5": HopperEnv,
  "HalfCheetah-v5": HalfCheetahEnv,
  "Walker2d-v5": Walker2dEnv,
  "Ant-v5": AntEnv,
  "Humanoid-v5": HumanoidEnv,
  "HumanoidStandup-v5": HumanoidStandupEnv,
};

/** Register the real envs; `workerSetup` names the module and export a worker thread awaits before `make`. */
export function registerMujocoEnvs(workerSetup: { module: string; exportName: string }): void {
  for (const { id, ...opts } of MUJOCO_REGISTRATIONS) {
    const Cls = CLASSES[id];
    register(id, (kwargs) => new Cls(kwargs), { ...opts, workerSetup, override: true });
  }
}
