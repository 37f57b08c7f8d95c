// Gymnasium's MuJoCo v5 registrations (ids, time limits, reward thresholds), without the env classes: the core
// registers these ids so that make() says how to load MuJoCo; the tsrl/mujoco entry registers the real envs.
import { EnvError } from "../../errors.js";
import { register } from "../registry.js";
import { HOW_TO_LOAD } from "./loader.js";

export interface MujocoRegistration {
  id: string;
  maxEpisodeSteps: number;
  rewardThreshold?: number;
}

export const MUJOCO_REGISTRATIONS: readonly MujocoRegistration[] = [
  { id: "InvertedPendulum-v5", maxEpisodeSteps: 1000, rewardThreshold: 950 },
  { id: "InvertedDoublePendulum-v5", maxEpisodeSteps: 1000, rewardThreshold: 9100 },
  { id: "Reacher-v5", maxEpisodeSteps: 50, rewardThreshold: -3.75 },
  { id: "Pusher-v5", maxEpisodeSteps: 100, rewardThreshold: 0 },
  { id: "Swimmer-v5", maxEpisodeSteps: 1000, rewardThreshold: 360 },
  { id: "Hopper-v5", maxEpisodeSteps: 1000, rewardThreshold: 3800 },
  { id: "HalfCheetah-v5", maxEpisodeSteps: 1000, rewardThreshold: 4800 },
  { id: "Walker2d-v5", maxEpisodeSteps: 1000 },
  { id: "Ant-v5", maxEpisodeSteps: 1000, rewardThreshold: 6000 },
  { id: "Humanoid-v5", maxEpisodeSteps: 1000 },
  { id: "HumanoidStandup-v5", maxEpisodeSteps: 1000 },
];

export function isMujocoId(id: string): boolean {
  return MUJOCO_REGISTRATIONS.some((r) => r.id === id);
}

/** Placeholders (imported for their side effect by src/envs/builtin.ts). */
for (const { id, ...opts } of MUJOCO_REGISTRATIONS) {
  register(
    id,
    () => {
      throw new EnvError(`make(${id}): MuJoCo environments live in the tsrl/mujoco entry; ${HOW_TO_LOAD}`);
    },
    opts,
  );
}
