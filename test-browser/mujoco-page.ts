// The page of test-browser/mujoco.test.ts: tsrl/mujoco bundled as a browser app would bundle it (esbuild, Vite, webpack; the
// `mujoco` package's Node-only imports external, mujoco.wasm and the model files copied to ./mujoco/).
import { initMujoco } from "tsrl/mujoco";
import { hopperTrace, type MujocoTrace } from "./mujoco-trace.js";

declare global {
  interface Window {
    hopperTrace: (seed: number, actions: number[][]) => Promise<MujocoTrace>;
  }
}

window.hopperTrace = async (seed, actions) => {
  await initMujoco({ wasmUrl: "mujoco/mujoco.wasm", assetsUrl: "mujoco/" });
  return hopperTrace(seed, actions);
};
