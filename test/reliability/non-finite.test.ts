// Issue 17 items 1-2: nothing trains on NaN/Infinity. A bad reward or observation stops learn() with a typed error
// naming the env and the step before anything is updated; a runaway update stops with an error naming the quantity
// while the parameters keep their last finite values (what a save writes, and a load accepts); normalizer
// statistics stay finite; enumerated options are checked against their lists.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import {
  A2C,
  DDPG,
  DQN,
  ExpectedSarsa,
  PPO,
  QLearning,
  REINFORCE,
  SAC,
  Sarsa,
  TD3,
  TRPO,
} from "../../src/algos/index.js";
import "../../src/envs/builtin.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/** Returns a NaN reward (or a NaN observation) at its 50th step, finite values before. */
class NanAt50 extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  private steps = 0;
  private readonly obs = new Float32Array(2);
  constructor(private readonly what: "reward" | "observation") {
    super();
  }
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.obs.fill(0.5);
    return { observation: this.obs, info: {} };
  }
  step(action: number): StepResult<Float32Array> {
    this.steps++;
    const bad = this.steps === 50;
    this.obs[0] = bad && this.what === "observation" ? Number.NaN : action - 0.5;
    const reward = bad && this.what === "reward" ? Number.NaN : action;
    return { observation: this.obs, reward, terminated: false, truncated: this.steps % 10 === 0, info: {} };
  }
}

/** NanAt50 with a Box action (for SAC, TD3, DDPG): action > 0 is NanAt50's action 1. */
class NanAt50Box extends Env<Float32Array, Float32Array> {
  private readonly inner: NanAt50;
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [1]);
  constructor(what: "reward" | "observation") {
    super();
    this.inner = new NanAt50(what);
    this.observationSpace = this.inner.observationSpace;
  }
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    return this.inner.reset(opts);
  }
  step(action: Float32Array): StepResult<Float32Array> {
    return this.inner.step(action[0] > 0 ? 1 : 0);
  }
}

/** Every number reachable in `x` (arrays, typed arrays, objects) is finite. */
function allFinite(x: unknown): boolean {
  if (typeof x === "number") return Number.isFinite(x);
  if (ArrayBuffer.isView(x)) return Array.from(x as Float64Array).every(Number.isFinite);
  if (x !== null && typeof x === "object") return Object.values(x).every(allFinite);
  return true;
}

type Make = (env: "reward" | "observation") => Algorithm;
const offPolicy = { learningStarts: 8, bufferSize: 64, batchSize: 8 };
const algorithms: [string, Make, (what: "reward" | "observation") => Env<Float32Array, unknown>][] = [
  [
    "PPO",
    (w) => new PPO(new NanAt50(w), { nSteps: 16, batchSize: 8, nEpochs: 1, normalizeObs: true, normalizeReward: true }),
    (w) => new NanAt50(w),
  ],
  ["A2C", (w) => new A2C(new NanAt50(w), { nSteps: 8, normalizeObs: true }), (w) => new NanAt50(w)],
  ["TRPO", (w) => new TRPO(new NanAt50(w), { nSteps: 16, batchSize: 8, nCriticUpdates: 1 }), (w) => new NanAt50(w)],
  ["REINFORCE", (w) => new REINFORCE(new NanAt50(w), { nSteps: 16 }), (w) => new NanAt50(w)],
  ["DQN", (w) => new DQN(new NanAt50(w), offPolicy), (w) => new NanAt50(w)],
  ["SAC", (w) => new SAC(new NanAt50Box(w), offPolicy), (w) => new NanAt50Box(w)],
  ["TD3", (w) => new TD3(new NanAt50Box(w), offPolicy), (w) => new NanAt50Box(w)],
  ["DDPG", (w) => new DDPG(new NanAt50Box(w), offPolicy), (w) => new NanAt50Box(w)],
];

for (const [name, make, envFor] of algorithms) {
  for (const what of ["reward", "observation"] as const) {
    test(`${name}: a NaN ${what} at step 50 stops learn() naming env 0 and step 50; the model still saves and loads`, async () => {
      const model = make(what);
      await assert.rejects(
        () => model.learn(200),
        (e: unknown) =>
          e instanceof NonFiniteError && new RegExp(`env 0 returned a non-finite ${what}.* at step 50`).test(String(e)),
      );
      assert.equal(model.numTimesteps, 49, "the bad step was not counted");
      const bytes = model.toBytes();
      const loaded = (model.constructor as unknown as { fromBytes(b: Uint8Array, o: object): Algorithm }).fromBytes(
        bytes,
        { env: envFor(what) as never },
      );
      assert.equal(loaded.numTimesteps, 49);
      const normalizer = (model as unknown as { normalizer?: { getState(): unknown } }).normalizer;
      if (normalizer !== undefined) assert.ok(allFinite(normalizer.getState()), "normalizer statistics stay finite");
    });
  }
}

/** The tabular twin of NanAt50: Discrete(3) observations; a NaN/Infinity reward at its 50th step, or a huge finite
 * reward every step (the Q-table overflows to Infinity within a few updates). */
class TabularBadAt50 extends Env<number, number> {
  readonly observationSpace = new Discrete(3);
  readonly actionSpace = new Discrete(2);
  private steps = 0;
  constructor(private readonly what: "NaN" | "Infinity" | "overflow") {
    super();
  }
  reset(opts?: ResetOptions): ResetResult<number> {
    this.seedReset(opts?.seed);
    return { observation: 0, info: {} };
  }
  step(action: number): StepResult<number> {
    this.steps++;
    const bad = this.steps === 50;
    const reward =
      this.what === "overflow" ? Number.MAX_VALUE : bad ? (this.what === "NaN" ? Number.NaN : Infinity) : action;
    return { observation: this.steps % 3, reward, terminated: false, truncated: this.steps % 10 === 0, info: {} };
  }
}

for (const Cls of [QLearning, Sarsa, ExpectedSarsa]) {
  for (const what of ["NaN", "Infinity"] as const) {
    test(`${Cls.algorithmName}: a ${what} reward at step 50 stops learn() naming env 0 and step 50 before the table is updated`, async () => {
      const model = new Cls(new TabularBadAt50(what), { stepsPerIteration: 10 });
      await assert.rejects(
        () => model.learn(200),
        (e: unknown) =>
          e instanceof NonFiniteError && /env 0 returned a non-finite reward .* at step 50; nothing/.test(String(e)),
      );
      assert.equal(model.numTimesteps, 49, "the bad step was not counted");
      assert.ok(model.q.every(Number.isFinite), "the table stays finite");
      const loaded = (model.constructor as typeof QLearning).fromBytes(model.toBytes(), {
        env: new TabularBadAt50(what),
      });
      assert.deepEqual(Array.from(loaded.q), Array.from(model.q));
    });
  }
  test(`${Cls.algorithmName}: finite rewards that overflow the Q-table stop learn() naming the env, the step and the entry`, async () => {
    const model = new Cls(new TabularBadAt50("overflow"), { learningRate: 1, gamma: 1 });
    await assert.rejects(
      () => model.learn(200),
      (e: unknown) =>
        e instanceof NonFiniteError &&
        /env 0 at step \d+: the update of Q\(\d, \d\) is Infinity .*the table was not updated/.test(String(e)),
    );
    assert.ok(model.q.every(Number.isFinite), "the table keeps its last finite values");
  });
}

test("PPO with learningRate 1e30 stops with a NonFiniteError instead of training on; its last finite state saves and loads", async () => {
  const env = makeVec("CartPole-v1", 2, { autoresetMode: "same-step" });
  const model = new PPO(env, { learningRate: 1e30, nSteps: 32, batchSize: 32, nEpochs: 4, seed: 3 });
  await assert.rejects(() => model.learn(4096), NonFiniteError);
  for (const p of model.policy.parameters()) assert.ok(p.data().every(Number.isFinite), "parameters stay finite");
  PPO.fromBytes(model.toBytes(), { env: makeVec("CartPole-v1", 2, { autoresetMode: "same-step" }) });
});

test("checkFinite is an option of every deep algorithm; a misspelt enumerated option is refused with its list", () => {
  const env = () => new NanAt50("reward");
  const box = () => new NanAt50Box("reward");
  for (const [name, make] of [
    ["SAC", () => new SAC(box(), { checkFinite: true })],
    ["TD3", () => new TD3(box(), { checkFinite: true })],
    ["DDPG", () => new DDPG(box(), { checkFinite: true })],
    ["PPO", () => new PPO(env(), { checkFinite: true })],
    ["A2C", () => new A2C(env(), { checkFinite: true })],
    ["TRPO", () => new TRPO(env(), { checkFinite: true })],
    ["REINFORCE", () => new REINFORCE(env(), { checkFinite: true })],
    ["DQN", () => new DQN(env(), { checkFinite: true })],
  ] as const) {
    const model = make() as unknown as {
      policy?: { engine: { checkFinite: boolean } };
      engine?: { checkFinite: boolean };
    };
    assert.ok((model.policy?.engine ?? model.engine)?.checkFinite, name);
  }
  const bogus = { policyKwargs: { activation: "bogus" } } as unknown as object;
  assert.throws(
    () => new PPO(env(), bogus),
    (e: unknown) =>
      e instanceof InvalidArgumentError &&
      /policyKwargs\.activation must be one of "tanh", "relu", got "bogus"/.test(String(e)),
  );
  assert.throws(
    () => new A2C(env(), { optimizer: "adagrad" as "adam" }),
    /optimizer must be one of "rmsprop", "rmsprop-tf", "adam"/,
  );
  assert.throws(() => new PPO(env(), { checkFinite: "yes" as unknown as boolean }), /checkFinite must be a boolean/);
  assert.throws(() => new SAC(box(), { checkFinite: 1 as unknown as boolean }), /checkFinite must be a boolean/);
});
