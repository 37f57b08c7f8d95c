// "step allocates nothing": counted as garbage collections during millions of steps. A loop that allocates one
// small typed array per iteration triggers dozens of collections in the same budget (the control below), so a
// step that allocated anything per call could not pass.
import assert from "node:assert/strict";
import { PerformanceObserver } from "node:perf_hooks";
import { test } from "node:test";
import type { Env } from "../../src/envs/env.js";
import { make } from "../../src/envs/index.js";

async function countGcs(fn: () => void): Promise<number> {
  let n = 0;
  const observer = new PerformanceObserver((list) => {
    n += list.getEntries().length;
  });
  observer.observe({ entryTypes: ["gc"] });
  fn();
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return n;
}

const STEPS = 2_000_000;

test("control: a loop allocating 16 bytes per iteration is seen collecting garbage", async () => {
  const sink = new Float64Array(1);
  const gcs = await countGcs(() => {
    for (let i = 0; i < STEPS; i++) {
      const a = new Float32Array(4);
      a[0] = i;
      sink[0] += a[0];
    }
  });
  assert.ok(gcs >= 10, `expected many collections, saw ${gcs}`);
});

type Policy = (obs: Float32Array, i: number) => number | Float32Array;
const force = new Float32Array(1);
const cases: [string, Policy][] = [
  // a balancing policy keeps CartPole episodes long, so resets are rare and steps dominate
  ["CartPole-v1", (o) => (o[2] + 0.5 * o[3] > 0 ? 1 : 0)],
  ["Acrobot-v1", (_o, i) => i % 3],
  ["MountainCar-v0", (o) => (o[1] >= 0 ? 2 : 0)],
  [
    "MountainCarContinuous-v0",
    (o) => {
      force[0] = o[1] >= 0 ? 1 : -1;
      return force;
    },
  ],
  [
    "Pendulum-v1",
    (o) => {
      force[0] = o[2] > 0 ? 2 : -2;
      return force;
    },
  ],
];

for (const [id, policy] of cases) {
  test(`${id}: stepping through make() allocates nothing`, async () => {
    const env = make<Float32Array, number | Float32Array>(id) as Env<Float32Array, number | Float32Array>;
    let obs = env.reset({ seed: 0 }).observation;
    const steps = id === "Acrobot-v1" ? STEPS / 8 : STEPS;
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = env.step(policy(obs, i));
        obs = r.terminated || r.truncated ? env.reset().observation : r.observation;
      }
    };
    run(50_000); // let the JIT settle
    const gcs = await countGcs(() => run(steps));
    assert.ok(gcs <= 1, `${id}: ${gcs} collections during ${steps} steps`);
  });
}
