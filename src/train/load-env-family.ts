import { isMujocoId } from "../envs/mujoco/ids.js";

/** Load what an env id needs before `make` (MuJoCo ids: the tsrl/mujoco entry and its WebAssembly module). */
export async function loadEnvFamily(id: string): Promise<void> {
  if (isMujocoId(id)) await (await import("../mujoco.js")).initMujoco();
}
