// One Hopper-v5 episode prefix through tsrl/mujoco, run the same way in Node (test-browser/mujoco.test.ts) and in
// Chromium (bundled into test-browser/mujoco-page.ts): both import tsrl by its package name, so both run dist/.
import { make } from "tsrl";
import { HopperEnv } from "tsrl/mujoco";

export interface MujocoTrace {
  /** Float32 observations as returned, then the float64 ones Gymnasium returns (`observation64`), per step. */
  observations: number[][];
  observations64: number[][];
  rewards: number[];
  terminated: boolean[];
  frame: { width: number; height: number; rgba: number[] };
}

/** Reset Hopper-v5 with `seed`, step `actions` (resetting at episode ends), and render the last state as a small rgb_array frame. */
export function hopperTrace(seed: number, actions: number[][]): MujocoTrace {
  const env = make("Hopper-v5", { renderMode: "rgb_array", width: 64, height: 48 });
  const hopper = env.unwrapped;
  if (!(hopper instanceof HopperEnv)) throw new Error("make(Hopper-v5) did not give a HopperEnv");
  const trace: MujocoTrace = {
    observations: [Array.from(env.reset({ seed }).observation as Float32Array)],
    observations64: [Array.from(hopper.observation64)],
    rewards: [],
    terminated: [],
    frame: { width: 0, height: 0, rgba: [] },
  };
  for (const a of actions) {
    const r = env.step(a);
    trace.observations.push(Array.from(r.observation as Float32Array));
    trace.observations64.push(Array.from(hopper.observation64));
    trace.rewards.push(r.reward);
    trace.terminated.push(r.terminated);
    if (r.terminated || r.truncated) {
      trace.observations.push(Array.from(env.reset().observation as Float32Array)); // reset noise from the seed's stream
      trace.observations64.push(Array.from(hopper.observation64));
    }
  }
  const frame = env.render();
  if (frame === null || typeof frame === "string") throw new Error("Hopper-v5 rendered no rgb_array frame");
  trace.frame = { width: frame.width, height: frame.height, rgba: Array.from(frame.data) };
  env.close();
  return trace;
}
