// "A step allocates nothing after reset" for the MuJoCo envs, by the method of test/envs/vector/allocation.test.ts
// (minor GCs during many steps, after a full collection), sharpened: the bytes the young generation grew by are also
// read, since a few bytes per step over the steps a test can afford fill no semi-space. A control loop that also
// boxes one double per step (16 bytes, the size of the leaks this test was made for) must be seen.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { getHeapSpaceStatistics } from "node:v8";
import type { Env } from "../../../src/envs/env.js";
import { make } from "../../../src/envs/registry.js";
import { HopperEnv, initMujoco, MUJOCO_REGISTRATIONS } from "../../../src/mujoco.js";
import { fullGc, minorGcsDuring } from "../../support/gc.js";

const STEPS = 10_000;

before(async () => {
  await initMujoco();
});

/** Young-generation bytes allocated per iteration of `loop` (warmed up; no GC may run during it). */
async function youngBytesPerStep(loop: () => void): Promise<number> {
  loop();
  const used = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_used_size ?? 0;
  let best = Infinity;
  for (let run = 0; run < 2; run++) {
    fullGc();
    const a = used();
    const b = used(); // b - a: what reading the statistics allocates
    loop();
    best = Math.min(best, (used() - b - (b - a)) / STEPS);
  }
  return best;
}

/** Every MuJoCo env stepped a little, raw and wrapped, with actions of several array types: shared code goes polymorphic. */
function stepAllEnvs(): void {
  for (const { id } of MUJOCO_REGISTRATIONS) {
    const wrapped = make(id) as Env<Float32Array, ArrayLike<number>>;
    for (const env of [wrapped, wrapped.unwrapped as Env<Float32Array, ArrayLike<number>>]) {
      const n = (env.actionSpace as { shape: readonly number[] }).shape[0];
      const actions = [Array(n).fill(0.1), new Float32Array(n).fill(-0.1), new Float64Array(n).fill(0.05)];
      env.reset({ seed: 1 });
      for (let t = 0; t < 60; t++) {
        const r = env.step(actions[t % 3]);
        if (r.terminated || r.truncated) env.reset();
      }
    }
    wrapped.close();
  }
}

test("Hopper-v5 through make and unwrapped steps without allocating, after episodes of every MuJoCo env", async () => {
  stepAllEnvs();
  const made = make("Hopper-v5", { terminateWhenUnhealthy: false, maxEpisodeSteps: null, frameSkip: 1 }) as Env<
    Float32Array,
    Float32Array
  >;
  const raw = new HopperEnv({ terminateWhenUnhealthy: false, frameSkip: 1 });
  const actions = [new Float32Array([0.4, -0.3, 0.2]), new Float32Array([-0.2, 0.5, -0.6])];
  const sink = new Float64Array(1);
  for (const [name, env] of [
    ["through make", made],
    ["unwrapped", raw],
  ] as const) {
    for (let e = 0; e < 3; e++) {
      env.reset({ seed: e });
      for (let t = 0; t < 100; t++) env.step(actions[t & 1]);
    }
    const stepping = () => {
      for (let t = 0; t < STEPS; t++) sink[0] += env.step(actions[t & 1]).reward;
    };
    const holder: { v: unknown } = { v: null };
    const control = () => {
      for (let t = 0; t < STEPS; t++) {
        sink[0] += env.step(actions[t & 1]).reward;
        holder.v = sink[0] + t; // a fresh HeapNumber per step
      }
    };
    assert.equal(await minorGcsDuring(stepping), 0, `${name}: minor GCs while stepping`);
    const bytes = await youngBytesPerStep(stepping);
    assert.ok(bytes < 1, `${name}: ${bytes.toFixed(2)} bytes allocated per step`);
    const controlBytes = await youngBytesPerStep(control);
    assert.ok(controlBytes >= 8, `${name}: the control's ${controlBytes.toFixed(2)} bytes per step not seen`);
    env.close();
  }
  assert.ok(Number.isFinite(sink[0]));
});
