import assert from "node:assert/strict";
import { test } from "node:test";
import { AcrobotEnv } from "../../src/envs/classic-control/acrobot.js";
import { CartPoleEnv } from "../../src/envs/classic-control/cartpole.js";
import { MountainCarEnv } from "../../src/envs/classic-control/mountain-car.js";
import { MountainCarContinuousEnv } from "../../src/envs/classic-control/mountain-car-continuous.js";
import { PendulumEnv } from "../../src/envs/classic-control/pendulum.js";
import type { Env } from "../../src/envs/env.js";
import { EnvError, InvalidArgumentError } from "../../src/errors.js";

type Classic = Env<Float32Array, number | Float32Array> & {
  getState(): Float64Array;
  setState(s: ArrayLike<number>): void;
};

const ENVS: [string, (opts?: Record<string, unknown>) => Classic, number | Float32Array][] = [
  ["CartPole", (o) => new CartPoleEnv(o) as Classic, 1],
  ["Acrobot", (o) => new AcrobotEnv(o) as Classic, 2],
  ["MountainCar", (o) => new MountainCarEnv(o) as Classic, 2],
  ["MountainCarContinuous", (o) => new MountainCarContinuousEnv(o) as Classic, new Float32Array([0.5])],
  ["Pendulum", (o) => new PendulumEnv(o) as Classic, new Float32Array([1])],
];

for (const [name, create, action] of ENVS) {
  test(`${name}: a seeded reset is reproducible, an unseeded reset continues the stream`, () => {
    const a = create();
    const b = create();
    const a0 = a.reset({ seed: 42 }).observation.slice();
    assert.deepEqual(b.reset({ seed: 42 }).observation, a0);
    const a1 = a.reset().observation.slice();
    assert.notDeepEqual(a1, a0);
    assert.deepEqual(b.reset().observation, a1);
    assert.equal(a.npRandomSeed, 42);
    assert.throws(() => a.reset({ seed: -3 }), InvalidArgumentError);
    assert.throws(() => a.reset({ seed: 1.5 }), InvalidArgumentError);
  });

  test(`${name}: observations are float32 inside the space; step reuses its result and buffer`, () => {
    const env = create();
    const r0 = env.reset({ seed: 1 });
    assert.ok(r0.observation instanceof Float32Array);
    assert.ok(env.observationSpace.contains(r0.observation));
    const s1 = env.step(action);
    const obs1 = s1.observation.slice();
    const s2 = env.step(action);
    assert.equal(s2, s1, "step returns the same result object");
    assert.equal(s2.observation, s1.observation, "and the same observation buffer");
    assert.notDeepEqual(s2.observation, obs1);
    assert.ok(Number.isFinite(s2.reward));
    assert.equal(typeof s2.terminated, "boolean");
    assert.equal(s2.truncated, false);
  });

  test(`${name}: getState/setState replay a step exactly`, () => {
    const env = create();
    env.reset({ seed: 5 });
    env.step(action);
    const state = env.getState();
    const first = env.step(action).observation.slice();
    const firstState = env.getState();
    env.setState(state);
    assert.deepEqual(env.getState(), state);
    assert.deepEqual(env.step(action).observation, first);
    assert.deepEqual(env.getState(), firstState);
    assert.throws(() => env.setState([1]), InvalidArgumentError);
    assert.throws(() => env.setState(new Array(state.length).fill(Number.NaN)), InvalidArgumentError);
  });

  test(`${name}: bad actions, stepping before reset and unknown options are clear errors`, () => {
    const env = create();
    assert.throws(() => env.step(action), /before reset/);
    env.reset({ seed: 0 });
    const bad: unknown[] =
      typeof action === "number"
        ? [-1, 7, 0.5, Number.NaN, "1", null]
        : [new Float32Array([Number.NaN]), new Float32Array([Infinity]), new Float32Array(2), 0.5, null];
    for (const b of bad) {
      assert.throws(
        () => env.step(b as number),
        (e: unknown) => e instanceof EnvError && e.message.includes(name) && /action/.test(e.message),
      );
    }
    assert.throws(() => create({ rendermode: "rgb_array" }), /unknown option "rendermode"/);
    assert.throws(() => create({ renderMode: "human" }), InvalidArgumentError);
    assert.throws(() => env.reset({ options: { lo: 0 } }), InvalidArgumentError);
  });

  test(`${name}: rgb_array frames are RGBA of the Gymnasium screen size and change with the state`, () => {
    const env = create({ renderMode: "rgb_array" });
    assert.equal(env.render(), null, "nothing to draw before reset");
    env.reset({ seed: 3 });
    const f0 = env.render() as { width: number; height: number; data: Uint8ClampedArray };
    assert.ok(f0.data instanceof Uint8ClampedArray);
    assert.equal(f0.data.length, f0.width * f0.height * 4);
    assert.ok([600, 500].includes(f0.width));
    let drawn = 0;
    for (let i = 0; i < f0.data.length; i += 4) if (f0.data[i] + f0.data[i + 1] + f0.data[i + 2] < 600) drawn++;
    assert.ok(drawn > 100, "something is drawn on the white background");
    for (let i = 0; i < 5; i++) env.step(action);
    const f1 = env.render() as { data: Uint8ClampedArray };
    assert.notDeepEqual(f1.data, f0.data);
    assert.equal(create().render(), null);
  });
}

test("CartPole: reward 1 until the pole falls, then 0 on steps beyond termination", () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.setState([0, 0, 0.2, 0]);
  const r = env.step(1);
  assert.equal(r.terminated, false);
  env.setState([0, 0, 0.2095, 1]);
  const t = env.step(1);
  assert.equal(t.terminated, true);
  assert.equal(t.reward, 1);
  assert.equal(env.step(1).reward, 0);
  const sb = new CartPoleEnv({ suttonBartoReward: true });
  sb.reset({ seed: 0 });
  assert.equal(sb.step(1).reward, 0);
});

test("reset options low/high set the initial-state range, and are validated", () => {
  const env = new CartPoleEnv();
  const obs = env.reset({ seed: 0, options: { low: 0.1, high: 0.2 } }).observation;
  for (const v of obs) assert.ok(v >= Math.fround(0.1) && v <= Math.fround(0.2));
  assert.throws(() => env.reset({ options: { low: 1, high: 0 } }), InvalidArgumentError);
  assert.throws(() => env.reset({ options: { low: Number.NaN } }), InvalidArgumentError);
  const p = new PendulumEnv();
  const po = p.reset({ seed: 0, options: { x_init: 0.01, y_init: 0.02 } }).observation;
  assert.ok(po[0] > 0.9999 && Math.abs(po[2]) <= 0.02);
});

test("Acrobot 'nips' dynamics differ from the default 'book' ones", () => {
  const book = new AcrobotEnv();
  const nips = new AcrobotEnv();
  nips.bookOrNips = "nips";
  for (const e of [book, nips]) {
    e.reset({ seed: 0 });
    e.setState([0.5, 0.5, 2, 3]);
  }
  assert.notDeepEqual(book.step(2).observation.slice(), nips.step(2).observation.slice());
});

test("continuous actions outside the bounds are clipped as in Gymnasium", () => {
  const a = new PendulumEnv();
  const b = new PendulumEnv();
  a.reset({ seed: 9 });
  b.reset({ seed: 9 });
  const ra = a.step(new Float32Array([5])).observation.slice();
  assert.deepEqual(b.step(new Float32Array([2])).observation, ra);
});
