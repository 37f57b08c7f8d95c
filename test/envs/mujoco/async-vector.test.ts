// AsyncVectorEnv with MuJoCo in worker threads: each worker loads MuJoCo through the registration's workerSetup
// (tsrl/mujoco's initMujoco) and steps as the same env does in this thread.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { makeVec } from "../../../src/index.js";
import { initMujoco } from "../../../src/mujoco.js";

before(async () => {
  await initMujoco();
});

test("makeVec(Hopper-v5, 2, async) loads MuJoCo in each worker and matches a sync vector env step for step", () => {
  const asyncVec = makeVec("Hopper-v5", 2, { seed: 4, vectorizationMode: "async" });
  const syncVec = makeVec("Hopper-v5", 2, { seed: 4 });
  try {
    assert.deepEqual(asyncVec.reset().observations, syncVec.reset().observations);
    const actions = new Float32Array([0.5, -0.5, 0.2, -0.1, 0.3, 0.9]);
    for (let t = 0; t < 30; t++) {
      const a = asyncVec.step(actions);
      const s = syncVec.step(actions);
      assert.deepEqual(a.observations, s.observations);
      assert.deepEqual(a.rewards, s.rewards);
      assert.deepEqual(a.terminated, s.terminated);
    }
  } finally {
    asyncVec.close();
    syncVec.close();
  }
});
