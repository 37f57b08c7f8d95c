// "Stepping allocates nothing" for the MuJoCo envs (the method of test/envs/vector/allocation.test.ts): minor GCs over
// 50k steps of Reacher-v5 (cheapest to simulate, never terminates) through the raw env, and a control loop that
// allocates one small typed array per step, which the detector must see.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initMujoco, ReacherEnv } from "../../../src/mujoco.js";
import { minorGcsDuring } from "../../support/gc.js";

const STEPS = 50_000;

before(async () => {
  await initMujoco();
});

test("Reacher-v5 steps without allocating (and the detector sees a loop that does)", async () => {
  const env = new ReacherEnv();
  // a few episodes first: the reused info objects must keep their shape across resets
  for (let e = 0; e < 3; e++) {
    env.reset({ seed: e });
    for (let t = 0; t < 50; t++) env.step(new Float32Array(2));
  }
  const actions = [new Float32Array([0.1, -0.2]), new Float32Array([-0.3, 0.05])];
  const sink = new Float64Array(1);
  const stepping = () => {
    for (let t = 0; t < STEPS; t++) sink[0] += env.step(actions[t & 1]).reward;
  };
  const allocating = () => {
    for (let t = 0; t < STEPS; t++) sink[0] += env.step(new Float32Array([0.1, -0.2])).reward;
  };
  assert.equal(await minorGcsDuring(stepping), 0);
  assert.ok((await minorGcsDuring(allocating)) > 0, "control loop: allocations not detected");
  assert.ok(Number.isFinite(sink[0]));
  env.close();
});
