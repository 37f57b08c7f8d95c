// "A step allocates nothing after reset" for the MuJoCo envs, by the method of test/envs/vector/allocation.test.ts
// (no minor GC during the steps, after a full collection), sharpened: the bytes the young generation grew by are
// read, since a few bytes per step over the steps a test can afford fill no semi-space. A control loop that also
// boxes one double per step (16 bytes, the size of the leaks this test was made for) must be seen.
//
// Whether a step allocates depends on what V8 inlines, and that on what the process ran before: a number crossing
// a call V8 did not inline, or stored by code that many envs' info objects go through, is boxed. So all eleven envs
// are measured in one process, twice, in an order that exposed such leaks: first from a fresh start, Humanoid first
// (alone, V8 inlines its step into MujocoEnv.step and runs out of inlining budget); then after every env stepped
// raw and wrapped with actions of three array types (shared code polymorphic: Ant, Swimmer, HalfCheetah leaked).
import assert from "node:assert/strict";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { before, test } from "node:test";
import { getHeapSpaceStatistics } from "node:v8";
import type { Env } from "../../../src/envs/env.js";
import { make } from "../../../src/envs/registry.js";
import { initMujoco, MUJOCO_REGISTRATIONS } from "../../../src/mujoco.js";
import { emptyYoungGeneration, fullGc } from "../../support/gc.js";

before(async () => {
  await initMujoco();
});

/** Steps per measured loop. */
const STEPS = 250;

/** Stepped in this order (see the top of the file). */
const ORDER = [
  "Humanoid-v5",
  "HumanoidStandup-v5",
  "Swimmer-v5",
  "Ant-v5",
  "Hopper-v5",
  "Walker2d-v5",
  "HalfCheetah-v5",
  "Reacher-v5",
  "Pusher-v5",
  "InvertedPendulum-v5",
  "InvertedDoublePendulum-v5",
];

/** Under this many bytes per step passes: a leak boxes at least one number per step (16 bytes). */
const TOLERANCE = 8;
/**
 * Measured runs at most. "Nothing allocated after warm-up": runs go on until one allocates under TOLERANCE bytes per
 * step (one-off garbage, a recompilation, shows in some runs only; a function V8 deoptimized runs unoptimized, boxing,
 * until called often enough to be optimized again: a small one ~10,000 times). A leak shows in every run.
 */
const RUNS = 30;

/**
 * Young-generation bytes allocated per iteration of `loop` (`STEPS` iterations): the first run under TOLERANCE, or
 * the fewest of RUNS runs. Before each, the young generation is emptied (by minor GCs: after a full collection V8
 * drops the optimized code of objects that died, and the run would measure the unoptimized). A run during which a
 * minor GC ran (which takes bytes away) counts as Infinity: it takes a semi-space of garbage, at least a megabyte.
 */
async function youngBytesPerStep(loop: () => void): Promise<number> {
  const used = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_used_size ?? 0;
  let best = Infinity;
  for (let run = 0; run < RUNS && !(best < TOLERANCE); run++) {
    let minorGcs = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
          minorGcs++;
        }
      }
    });
    emptyYoungGeneration();
    observer.observe({ entryTypes: ["gc"] });
    const a = used();
    const b = used(); // b - a: what reading the statistics allocates
    loop();
    const bytes = (used() - b - (b - a)) / STEPS;
    await new Promise((r) => setTimeout(r, 20));
    observer.disconnect();
    best = Math.min(best, minorGcs === 0 ? bytes : Infinity);
  }
  return best;
}

/**
 * Bytes per step of `id`, unwrapped and through make (with `control`, also boxing a double per step), after a
 * warm-up in which V8 optimizes both paths.
 */
async function bytesPerStep(id: string, sink: Float64Array, control = false): Promise<[string, number][]> {
  const unhealthy = ["Hopper-v5", "Walker2d-v5", "Ant-v5", "Humanoid-v5"].includes(id);
  // Stepping on after termination (the pendulums fall): the physics goes on, and so must the step's code.
  const made = make(id, {
    maxEpisodeSteps: null,
    orderEnforce: false,
    ...(unhealthy ? { terminateWhenUnhealthy: false } : {}),
  }) as Env<Float32Array, Float32Array>;
  const envs = [
    ["unwrapped", made.unwrapped as Env<Float32Array, Float32Array>],
    ["through make", made],
  ] as const;
  const n = (made.actionSpace as { shape: readonly number[] }).shape[0];
  const actions = [new Float32Array(n).fill(0.3), new Float32Array(n).fill(-0.2)];
  const holder: { v: unknown } = { v: null };
  const loops = envs.map(([, env]) =>
    control
      ? () => {
          for (let t = 0; t < STEPS; t++) {
            sink[0] += env.step(actions[t & 1]).reward;
            holder.v = sink[0] + t; // a fresh HeapNumber per step
          }
        }
      : () => {
          for (let t = 0; t < STEPS; t++) sink[0] += env.step(actions[t & 1]).reward;
        },
  );
  made.reset({ seed: 3 });
  for (let k = 0; k < 2; k++) for (const loop of loops) loop();
  const out: [string, number][] = [];
  for (let e = 0; e < envs.length; e++) out.push([`${id} ${envs[e][0]}`, await youngBytesPerStep(loops[e])]);
  made.close();
  return out;
}

/** Every env's steps that allocated, listed; every measurement is reported to `log`. */
async function leaks(sink: Float64Array, log: (line: string) => void): Promise<string[]> {
  const found: string[] = [];
  for (const id of ORDER) {
    // The envs before die here, and with them their objects' shapes: V8 drops the optimized code that checks for
    // them (the shared step's too), to optimize it again in the warm-up, not during the measurement.
    fullGc();
    for (const [what, bytes] of await bytesPerStep(id, sink)) {
      log(`${what}: ${bytes.toFixed(1)} bytes per step`);
      if (!(bytes < TOLERANCE)) found.push(`${what}: ${bytes.toFixed(1)} bytes per step`);
    }
  }
  return found;
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

test("every MuJoCo env, unwrapped and through make, steps without allocating, whatever ran before it", async (t) => {
  assert.deepEqual([...ORDER].sort(), MUJOCO_REGISTRATIONS.map((r) => r.id).sort());
  const sink = new Float64Array(1);
  const fresh = await leaks(sink, (line) => t.diagnostic(`fresh start: ${line}`));
  stepAllEnvs();
  const polymorphic = await leaks(sink, (line) => t.diagnostic(`after every env: ${line}`));
  assert.deepEqual({ fresh, polymorphic }, { fresh: [], polymorphic: [] });
  fullGc();
  for (const [what, bytes] of await bytesPerStep("InvertedPendulum-v5", sink, true)) {
    assert.ok(bytes >= TOLERANCE, `${what}: the control's ${bytes.toFixed(2)} bytes per step not seen`);
  }
  assert.ok(Number.isFinite(sink[0]));
});
