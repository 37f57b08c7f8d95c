// "Stepping allocates nothing": over a million steps, a step that allocated even 16 bytes would fill V8's young
// generation (at most 16 MiB per semi-space) and trigger scavenges. We count minor GCs after a full collection;
// a control loop that allocates a small typed array per step shows the detector sees such garbage.
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/envs/builtin.js";
import { AcrobotEnv } from "../../../src/envs/classic-control/acrobot.js";
import { CartPoleEnv } from "../../../src/envs/classic-control/cartpole.js";
import { MountainCarEnv } from "../../../src/envs/classic-control/mountain-car.js";
import { MountainCarContinuousEnv } from "../../../src/envs/classic-control/mountain-car-continuous.js";
import { PendulumEnv } from "../../../src/envs/classic-control/pendulum.js";
import type { Env } from "../../../src/envs/env.js";
import { make } from "../../../src/envs/registry.js";
import { TaxiEnv } from "../../../src/envs/toy-text/taxi.js";
import { makeVec } from "../../../src/envs/vector/make-vec.js";
import { ClipAction } from "../../../src/envs/wrappers/clip-action.js";
import { FrameStackObservation } from "../../../src/envs/wrappers/frame-stack-observation.js";
import { NormalizeObservation } from "../../../src/envs/wrappers/normalize-observation.js";
import { NormalizeReward } from "../../../src/envs/wrappers/normalize-reward.js";
import { RecordEpisodeStatistics } from "../../../src/envs/wrappers/record-episode-statistics.js";
import { minorGcsDuring } from "../../support/gc.js";

/**
 * Step `env` `steps` times with actions from `policy(observation, t)`. A raw env that terminates is put back to its
 * start state with `setState` (no reset, which may allocate); the policies keep wrapped envs from terminating.
 */
function stepper(
  env: Env<Float32Array, unknown>,
  policy: (obs: Float32Array, t: number) => unknown,
  steps: number,
  raw: boolean,
): () => void {
  let obs = env.reset({ seed: 0 }).observation;
  const inner = env.unwrapped as unknown as { getState(): Float64Array; setState(s: ArrayLike<number>): void };
  const start = inner.getState();
  return () => {
    for (let t = 0; t < steps; t++) {
      const r = env.step(policy(obs, t));
      obs = r.observation;
      if (r.terminated) {
        assert.ok(raw, `${env} terminated: the test policy must keep it running`);
        inner.setState(start);
      }
    }
  };
}

const STEPS = 1_000_000;
const box = (v: number) => new Float32Array([v]);

test("control: a loop allocating a small array per step is detected", async () => {
  const sink: Float32Array[] = [new Float32Array(0)];
  const n = await minorGcsDuring(() => {
    for (let t = 0; t < STEPS; t++) sink[0] = new Float32Array(t & 1 ? 1 : 2);
  });
  assert.ok(n >= 1, `no minor GC seen while allocating ${STEPS} small arrays`);
});

test("classic control, raw and through make, allocates nothing per step", async () => {
  const cycle =
    (...actions: unknown[]) =>
    (_obs: Float32Array, t: number) =>
      actions[t % actions.length];
  // CartPole: a linear balancing controller, so the wrapped env never terminates
  const balance = (o: Float32Array) => (0.1 * o[0] + 0.5 * o[1] + 10 * o[2] + 2 * o[3] > 0 ? 1 : 0);
  const cases: [string, () => Env<Float32Array, unknown>, (obs: Float32Array, t: number) => unknown][] = [
    ["CartPole-v1", () => new CartPoleEnv(), balance],
    ["Acrobot-v1", () => new AcrobotEnv(), cycle(0, 1, 2)],
    ["MountainCar-v0", () => new MountainCarEnv(), cycle(0, 2, 1)],
    ["MountainCarContinuous-v0", () => new MountainCarContinuousEnv(), cycle(box(0.2), box(-0.2))],
    ["Pendulum-v1", () => new PendulumEnv(), cycle(box(2), box(-1))],
  ];
  for (const [id, raw, policy] of cases) {
    const steps = id === "Acrobot-v1" ? STEPS / 4 : STEPS;
    assert.equal(await minorGcsDuring(stepper(raw(), policy, steps, true)), 0, `${id} raw`);
    const made = make(id, { maxEpisodeSteps: null }) as Env<Float32Array, unknown>;
    assert.equal(await minorGcsDuring(stepper(made, policy, steps, false)), 0, `${id} through make`);
  }
});

test("wrappers and toy text allocate nothing per step", async () => {
  const wrapped = new RecordEpisodeStatistics(
    new NormalizeReward(
      new FrameStackObservation(new NormalizeObservation(new ClipAction(new PendulumEnv()) as never), 4),
    ),
  ) as unknown as Env<Float32Array, unknown>;
  wrapped.reset({ seed: 1 });
  const actions = [[3], [-0.5], [1]];
  const n = await minorGcsDuring(() => {
    for (let t = 0; t < STEPS; t++) wrapped.step(actions[t % 3]);
  });
  assert.equal(n, 0, "ClipAction > NormalizeObservation > FrameStack > NormalizeReward > RecordEpisodeStatistics");
  const taxi = new TaxiEnv({ isRainy: true });
  taxi.reset({ seed: 2 });
  assert.equal(
    await minorGcsDuring(() => {
      for (let t = 0; t < STEPS; t++) taxi.step(t & 3); // moves only: never terminates
    }),
    0,
    "Taxi-v4 rainy",
  );
});

test("SyncVectorEnv stepping allocates nothing", async () => {
  const pend = makeVec("Pendulum-v1", 16, { envOptions: { maxEpisodeSteps: null } });
  pend.reset({ seed: 0 });
  const a = new Float32Array(16).fill(0.5);
  assert.equal(
    await minorGcsDuring(() => {
      for (let t = 0; t < STEPS / 16; t++) pend.step(a);
    }),
    0,
    "Pendulum x16",
  );
  const taxis = makeVec("Taxi-v4", 16, { envOptions: { maxEpisodeSteps: null } });
  taxis.reset({ seed: 0 });
  const moves = Int32Array.from({ length: 16 }, (_, i) => i % 4);
  assert.equal(
    await minorGcsDuring(() => {
      for (let t = 0; t < STEPS / 16; t++) taxis.step(moves);
    }),
    0,
    "Taxi x16",
  );
});
