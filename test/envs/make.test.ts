import assert from "node:assert/strict";
import { test } from "node:test";
import { CartPoleEnv } from "../../src/envs/classic-control/cartpole.js";
import type { Env } from "../../src/envs/env.js";
import { make, register, registeredIds, spec } from "../../src/envs/index.js";
import { OrderEnforcing } from "../../src/envs/wrappers/order-enforcing.js";
import { PassiveEnvChecker } from "../../src/envs/wrappers/passive-env-checker.js";
import { TimeLimit } from "../../src/envs/wrappers/time-limit.js";
import { Wrapper } from "../../src/envs/wrappers/wrapper.js";
import { EnvError, InvalidArgumentError } from "../../src/errors.js";
import { Discrete } from "../../src/spaces/discrete.js";

test("Gymnasium's classic-control ids, time limits and reward thresholds", () => {
  const expected: [string, number, number | undefined][] = [
    ["CartPole-v0", 200, 195],
    ["CartPole-v1", 500, 475],
    ["Acrobot-v1", 500, -100],
    ["MountainCar-v0", 200, -110],
    ["MountainCarContinuous-v0", 999, 90],
    ["Pendulum-v1", 200, undefined],
  ];
  for (const [id, steps, threshold] of expected) {
    assert.ok(registeredIds().includes(id));
    assert.equal(spec(id).maxEpisodeSteps, steps);
    assert.equal(spec(id).rewardThreshold, threshold);
  }
});

test("make stacks TimeLimit > OrderEnforcing > PassiveEnvChecker > env, as Gymnasium does", () => {
  const env = make("CartPole-v1");
  assert.ok(env instanceof TimeLimit);
  const inner = (env as TimeLimit<unknown, unknown>).env;
  assert.ok(inner instanceof OrderEnforcing);
  assert.ok((inner as OrderEnforcing<unknown, unknown>).env instanceof PassiveEnvChecker);
  assert.ok(env.unwrapped instanceof CartPoleEnv);
  assert.equal(env.spec?.id, "CartPole-v1");
  assert.equal(env.unwrapped.spec?.maxEpisodeSteps, 500);
  assert.equal(String(env), "<TimeLimit<OrderEnforcing<PassiveEnvChecker<CartPoleEnv<CartPole-v1>>>>>");
  assert.ok(env.actionSpace instanceof Discrete);
  assert.equal(env.metadata.renderFps, 50);
  const bare = make("CartPole-v1", { disableEnvChecker: true, orderEnforce: false, maxEpisodeSteps: null });
  assert.ok(bare instanceof CartPoleEnv);
});

test("make passes env options and validates them", () => {
  const env = make("CartPole-v1", { renderMode: "rgb_array", suttonBartoReward: true, maxEpisodeSteps: 7 });
  assert.equal(env.renderMode, "rgb_array");
  assert.equal((env.unwrapped as CartPoleEnv).suttonBartoReward, true);
  assert.equal(env.spec?.maxEpisodeSteps, 7);
  assert.deepEqual(env.spec?.kwargs, { renderMode: "rgb_array", suttonBartoReward: true });
  assert.throws(
    () => make("CartPole-v1", { gravity: 3 }),
    /make\(CartPole-v1\): CartPole: unknown option "gravity"; expected one of "renderMode", "suttonBartoReward"/,
  );
  assert.throws(() => make("CartPole-v1", { maxEpisodeSteps: 0 }), InvalidArgumentError);
  assert.throws(() => make("CartPole-v1", { renderMode: "human" } as never), InvalidArgumentError);
});

test("unknown ids are errors that name the registered versions", () => {
  assert.throws(
    () => make("CartPole-v7"),
    /No environment registered with id "CartPole-v7"; registered versions: CartPole-v0, CartPole-v1/,
  );
  assert.throws(() => make("NoSuchEnv-v0"), /registered ids: .*CartPole-v1/);
  assert.throws(() => register("CartPole-v1", (kw) => new CartPoleEnv(kw)), /already registered/);
  assert.throws(() => register("bad id!", (kw) => new CartPoleEnv(kw)), InvalidArgumentError);
});

test("register + make a custom env id", () => {
  register("test/MyCartPole-v3", (kw) => new CartPoleEnv(kw), {
    maxEpisodeSteps: 3,
    kwargs: { suttonBartoReward: true },
  });
  const env = make<Float32Array, number>("test/MyCartPole-v3");
  env.reset({ seed: 0 });
  assert.equal(env.step(0).reward, 0);
  env.step(0);
  assert.equal(env.step(0).truncated, true);
});

test("TimeLimit truncates at the limit; stepping on without reset is an error", () => {
  const env = make<Float32Array, number>("CartPole-v1", { maxEpisodeSteps: 3 });
  env.reset({ seed: 0 });
  env.unwrapped.reset({ seed: 0 });
  const flags: boolean[] = [];
  for (let i = 0; i < 3; i++) flags.push(env.step(i % 2).truncated);
  assert.deepEqual(flags, [false, false, true]);
  assert.throws(
    () => env.step(0),
    (e: unknown) => e instanceof EnvError && /CartPole-v1.*call reset\(\) first/.test(e.message),
  );
  env.reset();
  assert.equal(env.step(0).truncated, false);
  assert.throws(() => new TimeLimit(new CartPoleEnv(), 0), InvalidArgumentError);
});

test("OrderEnforcing: step or render before reset, and step after termination, are errors", () => {
  const env = make<Float32Array, number>("CartPole-v1", { renderMode: "rgb_array", maxEpisodeSteps: null });
  assert.ok(env instanceof OrderEnforcing);
  assert.throws(() => env.step(0), /CartPole-v1: cannot call step\(\) before calling reset\(\)/);
  assert.throws(() => env.render(), /before calling reset/);
  env.reset({ seed: 0 });
  let r = env.step(0);
  while (!r.terminated) r = env.step(0);
  assert.throws(
    () => env.step(0),
    (e: unknown) => e instanceof EnvError && /after the episode terminated/.test(e.message),
  );
  env.reset();
  assert.ok(env.render() !== null);
});

test("bad actions through make are errors naming the env, the value and the space", () => {
  const env = make<Float32Array, number>("CartPole-v1");
  env.reset({ seed: 0 });
  assert.throws(() => env.step(2), /CartPole-v1: action 2 is not in the action space Discrete\(2\)/);
  const p = make<Float32Array, Float32Array>("Pendulum-v1");
  p.reset({ seed: 0 });
  assert.throws(
    () => p.step(new Float32Array([Number.NaN])),
    /Pendulum-v1: action Float32Array\[NaN\] is not a finite action/,
  );
});

test("PassiveEnvChecker rejects a malformed step result on the first step", () => {
  class Broken extends CartPoleEnv {
    override step(action: number) {
      const r = super.step(action);
      return { ...r, reward: Number.NaN };
    }
  }
  const env = new PassiveEnvChecker(new Broken());
  env.reset({ seed: 0 });
  assert.throws(() => env.step(0), /reward must be a finite number, got NaN/);
  assert.throws(
    () => new PassiveEnvChecker({ observationSpace: 1, actionSpace: 2 } as unknown as Env<unknown, unknown>),
    EnvError,
  );
});

test("wrappers forward spaces, spec, metadata, render mode and the generator", () => {
  const base = new CartPoleEnv({ renderMode: "rgb_array" });
  const w = new Wrapper(new Wrapper(base));
  assert.equal(w.observationSpace, base.observationSpace);
  assert.equal(w.renderMode, "rgb_array");
  assert.equal(w.unwrapped, base);
  w.reset({ seed: 4 });
  assert.equal(w.npRandom, base.npRandom);
  assert.equal(w.npRandomSeed, 4);
  assert.equal(w.metadata, base.metadata);
});

test("stepping through make allocates no new result objects", () => {
  const env = make<Float32Array, number>("CartPole-v1");
  env.reset({ seed: 0 });
  const a = env.step(0);
  const obs = a.observation;
  const b = env.step(1);
  assert.equal(a, b);
  assert.equal(b.observation, obs);
});
