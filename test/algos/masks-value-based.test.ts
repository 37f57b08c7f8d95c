// Action masks in the value-based algorithms (issue 10 item 6): DQN and the tabular methods read the env's masks as
// PPO does (info.action_mask or actionMasks()); exploration, greedy actions and predict never pick a masked action,
// the bootstrap maxes over the actions allowed in s' (DQN stores each s' mask in its replay buffer), and bad masks
// are typed errors naming them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import { evaluatePolicy } from "../../src/algos/common/evaluate.js";
import { DQN, ExpectedSarsa, QLearning, Sarsa } from "../../src/algos/index.js";
import { Rng } from "../../src/core/rng.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";
import type { Space } from "../../src/spaces/space.js";

/**
 * Four actions; each step allows a random pair of them, reported as `info.action_mask` (or by an `actionMasks()`
 * method); a masked action taken is counted. The observation tells the pair: a Box of the mask itself, or a
 * Discrete(16) code a * 4 + b. Episodes of 6 steps.
 */
class PairEnv extends Env<Float32Array | number, number> {
  readonly observationSpace: Space<Float32Array | number>;
  readonly actionSpace = new Discrete(4);
  violations = 0;
  readonly mask = new Uint8Array(4);
  /** a mask to report instead of the real one (bad-input tests) */
  badMask: unknown = null;
  private readonly row = new Float32Array(4);
  private t = 0;

  protected readonly viaMethod: boolean = false;

  constructor(private readonly discrete: boolean) {
    super();
    this.observationSpace = discrete ? new Discrete(16) : new Box(0, 1, [4]);
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array | number> {
    this.seedReset(opts?.seed);
    this.t = 0;
    return { observation: this.draw(), info: this.info() };
  }

  step(action: number): StepResult<Float32Array | number> {
    if (this.mask[action] === 0) this.violations++;
    const reward = action === this.mask.lastIndexOf(1) ? 1 : 0;
    this.t++;
    return { observation: this.draw(), reward, terminated: false, truncated: this.t >= 6, info: this.info() };
  }

  private info() {
    return this.viaMethod ? {} : { action_mask: this.badMask ?? this.mask };
  }

  private draw(): Float32Array | number {
    const a = this.rng.integers(0, 4);
    const b = (a + 1 + this.rng.integers(0, 3)) % 4;
    this.mask.fill(0);
    this.mask[a] = 1;
    this.mask[b] = 1;
    this.row.set(this.mask);
    return this.discrete ? Math.min(a, b) * 4 + Math.max(a, b) : this.row;
  }
}

/** The same env telling its masks through an `actionMasks()` method instead of the info. */
class PairEnvWithMethod extends PairEnv {
  protected override readonly viaMethod = true;

  actionMasks(): unknown {
    return this.badMask ?? this.mask;
  }
}

type Make = (env: PairEnv) => Algorithm;
const makers: [string, boolean, Make][] = [
  ["DQN", false, (e) => new DQN(e, { learningStarts: 16, bufferSize: 256, batchSize: 8, trainFreq: 1, seed: 1 })],
  [
    "DQN double, 3-step",
    false,
    (e) => new DQN(e, { learningStarts: 16, bufferSize: 256, batchSize: 8, doubleQ: true, nStep: 3, seed: 2 }),
  ],
  ["QLearning", true, (e) => new QLearning(e, { seed: 1, stepsPerIteration: 50 })],
  ["SARSA", true, (e) => new Sarsa(e, { seed: 1, stepsPerIteration: 50 })],
  ["ExpectedSARSA", true, (e) => new ExpectedSarsa(e, { seed: 1, stepsPerIteration: 50 })],
];

/** A random mask row of n entries allowing at least one action. */
function randomMask(rng: Rng, n: number): number[] {
  for (;;) {
    const m = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
    if (m.includes(1)) return m;
  }
}

for (const [name, discrete, make] of makers) {
  for (const viaMethod of [false, true]) {
    test(`${name}: never takes a masked action while learning (masks from ${viaMethod ? "actionMasks()" : "info.action_mask"}), nor in predict`, async () => {
      const env = viaMethod ? new PairEnvWithMethod(discrete) : new PairEnv(discrete);
      const model = make(env);
      await model.learn(600);
      assert.equal(env.violations, 0, "masked actions taken while learning");
      // predict, stochastic and greedy, under random masks: never a masked action (property over 300 draws)
      const rng = new Rng(11);
      for (let i = 0; i < 300; i++) {
        const mask = randomMask(rng, 4);
        const obs = discrete ? rng.int(16) : Float32Array.from({ length: 4 }, () => rng.uniform());
        const a = model.predict(obs, { deterministic: i % 2 === 0, actionMasks: mask }) as number;
        assert.equal(mask[a], 1, `predict chose masked action ${a} under [${mask}]`);
      }
      // a batch of observations with one mask row each
      const batch = discrete ? new Float32Array([0, 5]) : new Float32Array(8);
      const acts = model.predict(batch, { deterministic: true, actionMasks: [0, 0, 1, 0, 1, 0, 0, 0] });
      assert.deepEqual(Array.from(acts as Int32Array), [2, 0]);
    });
  }
}

test("DQN stores the allowed actions of each s' in its replay buffer (masks ride with the transitions)", async () => {
  const env = new PairEnv(false);
  const model = new DQN(env, { learningStarts: 1000, bufferSize: 256, batchSize: 8 });
  await model.learn(120);
  const batch = model.buffer.sample(64, new Rng(3));
  let ends = 0;
  for (let b = 0; b < batch.size; b++) {
    const next = Array.from(batch.nextObservations.subarray(b * 4, b * 4 + 4));
    const mask = Array.from(batch.nextActionMasks.subarray(b * 4, b * 4 + 4));
    // the observation IS the mask (two allowed actions); an episode's last s' (time limit: the env reports the
    // next episode's mask) keeps every action for the bootstrap
    if (mask.every((v) => v === 1)) ends++;
    else assert.deepEqual(mask, next, `transition ${batch.indices[b]}`);
  }
  assert.ok(ends > 0 && ends < batch.size / 3, `${ends} episode ends in ${batch.size} (1 in 6 expected)`);
  const noMasks = new DQN(new PairEnv(false), { bufferSize: 64, useActionMasks: false });
  assert.equal(noMasks.buffer.maskDim, 0);
});

test("Q-learning bootstraps from the max over the actions allowed in s', not over all actions", async () => {
  // two states: 0 -> 1 (reward 0); in state 1 only action 0 is allowed; Q(1, 1) = 100 would win an unmasked max
  class TwoStates extends Env<number, number> {
    readonly observationSpace = new Discrete(2);
    readonly actionSpace = new Discrete(2);
    reset(opts?: ResetOptions): ResetResult<number> {
      this.seedReset(opts?.seed);
      return { observation: 0, info: { action_mask: [1, 1] } };
    }
    step(): StepResult<number> {
      return { observation: 1, reward: 0, terminated: false, truncated: false, info: { action_mask: [1, 0] } };
    }
  }
  for (const useActionMasks of [true, false]) {
    const model = new QLearning(new TwoStates(), { learningRate: 1, gamma: 0.5, useActionMasks });
    model.q.set([0, 0, 2, 100]);
    await model.learn(1);
    const updated = Math.max(model.q[0], model.q[1]);
    assert.equal(updated, useActionMasks ? 1 : 50);
  }
});

test("bad masks are typed errors naming them: none allowed, wrong length, from predict and from the env", async () => {
  for (const [name, discrete, make] of makers) {
    const model = make(new PairEnv(discrete));
    const obs = discrete ? 3 : new Float32Array(4);
    assert.throws(
      () => model.predict(obs, { actionMasks: [0, 0, 0, 0] }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /predict: actionMasks: row 0 allows no action/.test(String(e)),
      name,
    );
    assert.throws(
      () => model.predict(obs, { actionMasks: [1, 1] }),
      (e: unknown) =>
        e instanceof InvalidArgumentError &&
        /predict: actionMasks: expected 1 x 4 values \(one per action\), got length 2/.test(String(e)),
      name,
    );
    for (const [bad, pattern] of [
      [[1, 0], /env 0's info\.action_mask: expected 1 x 4 values \(one per action\), got length 2/],
      [[0, 0, 0, 0], /env 0's info\.action_mask: row 0 allows no action/],
      ["yes", /env 0's info\.action_mask must be an array of 0\/1 values, got "yes"/],
    ] as const) {
      const env = new PairEnv(discrete);
      env.badMask = bad;
      await assert.rejects(
        () => make(env).learn(50),
        (e: unknown) => e instanceof InvalidArgumentError && pattern.test(String(e)),
        `${name} ${JSON.stringify(bad)}`,
      );
    }
    const env = new PairEnvWithMethod(discrete);
    env.badMask = [1, 1, 1];
    await assert.rejects(
      () => make(env).learn(50),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /env 0's actionMasks\(\): expected 1 x 4 values/.test(String(e)),
      name,
    );
  }
});

test("evaluatePolicy acts a masked model under the env's masks (as in training); an unmasked model without them", async () => {
  for (const useActionMasks of [true, false]) {
    const model = new QLearning(new PairEnv(true), { seed: 3, useActionMasks });
    await model.learn(300);
    const env = new PairEnv(true);
    evaluatePolicy(model, env, { episodes: 20, deterministic: true, seed: 1 });
    assert.equal(model.takesActionMasks, useActionMasks);
    if (useActionMasks) assert.equal(env.violations, 0, "masked actions in evaluation");
  }
});
