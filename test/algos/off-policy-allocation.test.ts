// "Nothing allocates per env step or per gradient step after warm-up; memory flat": the allocation tests' method
// (test/envs/vector/allocation.test.ts, test/core/memory.test.ts). Acting and storing during warm-up run without a
// single minor GC over 200k env steps; a gradient step never grows the arena (the step's tensors live between one
// mark and release); and the JS heap after a full collection is the same after 1,500 more training steps.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SAC, TD3 } from "../../src/algos/index.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";
import { fullGc, minorGcsDuring } from "../support/gc.js";

/** The run loop's two phases, called directly: `learn` itself awaits callbacks (promises) once per iteration. */
interface Phases {
  collectRollout(): void;
  train(): void;
}

test("off-policy warm-up (uniform actions, env step, replay storage) allocates nothing per env step", async () => {
  const steps = 200_000;
  const model = new SAC(make("Pendulum-v1"), { learningStarts: 1000, bufferSize: 10_000, netArch: [8] });
  await model.learn(1000);
  // keep warming up past the run's end
  (model.cfg as { learningStarts: number }).learningStarts = Number.POSITIVE_INFINITY;
  model.totalTimesteps = Number.POSITIVE_INFINITY;
  const loop = model as unknown as Phases;
  const n = await minorGcsDuring(() => {
    for (let i = 0; i < steps; i++) loop.collectRollout();
  });
  assert.equal(n, 0, `${n} minor GCs over ${steps} warm-up steps`);
});

for (const [name, build] of [
  ["SAC", () => new SAC(make("Pendulum-v1"), { netArch: [32, 32], batchSize: 64, learningStarts: 100 })],
  ["TD3", () => new TD3(make("Pendulum-v1"), { netArch: [32, 32], batchSize: 64, learningStarts: 100 })],
] as const) {
  test(`${name}: training steps keep the arena and the JS heap flat`, async () => {
    const model = build();
    await model.learn(300);
    model.totalTimesteps = Number.POSITIVE_INFINITY;
    const loop = model as unknown as Phases;
    const arena = model.engine.arena;
    const run = (k: number) => {
      for (let i = 0; i < k; i++) {
        loop.collectRollout();
        loop.train();
      }
    };
    run(200);
    const used = arena.usedBytes;
    const peak = arena.peakUsedBytes;
    const capacity = arena.capacityBytes;
    fullGc();
    const heap0 = process.memoryUsage().heapUsed;
    run(1500);
    fullGc();
    const heap1 = process.memoryUsage().heapUsed;
    assert.equal(arena.usedBytes, used, "nothing leaks out of the step's scope");
    assert.equal(arena.peakUsedBytes, peak, "the per-step high-water mark is constant");
    assert.equal(arena.capacityBytes, capacity, "the arena never grows");
    assert.ok(heap1 - heap0 < 1 << 20, `JS heap grew ${heap1 - heap0} bytes over 1,500 steps`);
    // the engine makes a Tensor object per op (short-lived garbage the young generation absorbs): shown, not a bound
    const gcs = await minorGcsDuring(() => run(500));
    console.log(`${name}: heap ${heap0} -> ${heap1} bytes over 1,500 steps; ${gcs} minor GCs over 500 steps`);
  });
}
