// Action masks (sb3-contrib's MaskablePPO) and Dict observations (SB3's MultiInputPolicy) through the algorithms,
// with the typed errors for bad masks, a Dict observation missing a key and an action of the wrong dtype.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ActorCriticPolicy } from "../../src/algos/common/actor-critic-policy.js";
import { A2C, DQN, PPO, REINFORCE, TRPO } from "../../src/algos/index.js";
import { Rng } from "../../src/core/rng.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Dict } from "../../src/spaces/dict.js";
import { Discrete } from "../../src/spaces/discrete.js";

/**
 * Four actions; each step allows a random pair of them (`info.action_mask`); taking a masked action is recorded
 * as a violation. Reward 1 for the higher allowed action. Episodes of 8 steps.
 */
class PairEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [4]);
  readonly actionSpace = new Discrete(4);
  violations = 0;
  private readonly obs = new Float32Array(4);
  private readonly mask = new Uint8Array(4);
  private t = 0;

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    this.draw();
    return { observation: this.obs, info: { action_mask: this.mask } };
  }

  step(action: number): StepResult<Float32Array> {
    if (this.mask[action] === 0) this.violations++;
    let best = 0;
    for (let j = 0; j < 4; j++) if (this.mask[j]) best = j;
    const reward = action === best ? 1 : 0;
    this.t++;
    this.draw();
    return {
      observation: this.obs,
      reward,
      terminated: false,
      truncated: this.t >= 8,
      info: { action_mask: this.mask },
    };
  }

  private draw(): void {
    const a = this.rng.integers(0, 4);
    const b = (a + 1 + this.rng.integers(0, 3)) % 4;
    this.mask.fill(0);
    this.mask[a] = 1;
    this.mask[b] = 1;
    this.obs.set(this.mask);
  }
}

test("PPO and A2C never take a masked action while learning; predict honours actionMasks", async () => {
  for (const Cls of [PPO, A2C] as const) {
    const env = new PairEnv();
    const model = new Cls(env, { nSteps: 32, seed: 1, ...(Cls === PPO ? { batchSize: 16, nEpochs: 2 } : {}) });
    await model.learn(512);
    assert.equal(env.violations, 0, `${Cls.algorithmName} took masked actions`);
    const obs = new Float32Array([1, 0, 0, 1]);
    for (let i = 0; i < 50; i++) {
      const a = model.predict(obs, { actionMasks: [0, 1, 0, 0] });
      assert.equal(a, 1);
    }
  }
});

test("a mask allowing no action, a mask of the wrong length and an action of the wrong dtype are typed errors", async () => {
  const model = new PPO(new PairEnv(), { nSteps: 16, batchSize: 16, nEpochs: 1 });
  const obs = new Float32Array(4);
  assert.throws(
    () => model.predict(obs, { actionMasks: [0, 0, 0, 0] }),
    (e: unknown) => e instanceof InvalidArgumentError && /allows no action/.test(String(e)),
  );
  assert.throws(
    () => model.predict(obs, { actionMasks: [1, 1] }),
    (e: unknown) =>
      e instanceof InvalidArgumentError &&
      /actionMasks: expected 1 x 4 values \(one per action\), got length 2/.test(String(e)),
  );
  const dqn = new DQN(new PairEnv(), { learningStarts: 8, useActionMasks: false });
  assert.throws(() => dqn.predict(obs, { actionMasks: [1, 1, 0, 0] }), /actionMasks are not supported by this DQN/);
  const p = new ActorCriticPolicy(2, { kind: "categorical", nvec: [3], start: [0] }, new Rng(0));
  p.engine.scope(() => {
    const x = p.observations(new Float32Array(2), 1);
    assert.throws(
      () => p.evaluateActions(x, new Float32Array([1])),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /Discrete or MultiDiscrete space must be an Int32Array/.test(String(e)),
    );
  });
  const box = new ActorCriticPolicy(
    2,
    { kind: "gaussian", dim: 1, low: new Float32Array([-1]), high: new Float32Array([1]) },
    new Rng(0),
  );
  box.engine.scope(() => {
    const x = box.observations(new Float32Array(2), 1);
    assert.throws(() => box.evaluateActions(x, new Int32Array([1])), /Box space must be a Float32Array/);
    assert.throws(
      () => box.evaluateActions(x, new Float32Array([0]), new Uint8Array([1])),
      /Discrete and MultiDiscrete actions only/,
    );
  });
});

/**
 * Dict observation { cue: Box(1) in [-1, 1], flip: Discrete(2) }: the rewarded action is [cue > 0] XOR flip, so a
 * policy must read both keys (either alone is right half the time). One-step episodes.
 */
class XorDictEnv extends Env<Record<string, unknown>, number> {
  readonly observationSpace = new Dict({ cue: new Box(-1, 1, [1]), flip: new Discrete(2) });
  readonly actionSpace = new Discrete(2);
  private obs: { cue: Float32Array; flip: number } = { cue: new Float32Array(1), flip: 0 };

  reset(opts?: ResetOptions): ResetResult<Record<string, unknown>> {
    this.seedReset(opts?.seed);
    this.draw();
    return { observation: this.obs, info: {} };
  }

  step(action: number): StepResult<Record<string, unknown>> {
    const reward = action === target(this.obs.cue[0], this.obs.flip) ? 1 : 0;
    this.draw();
    return { observation: this.obs, reward, terminated: true, truncated: false, info: {} };
  }

  private draw(): void {
    this.obs = { cue: Float32Array.of(this.rng.uniform() * 2 - 1), flip: this.rng.integers(0, 2) };
  }
}

const target = (cue: number, flip: number) => (cue > 0 ? 1 : 0) ^ flip;

test("PPO learns a Dict-observation task that needs both keys (features extractor per key, concatenated)", async () => {
  const model = new PPO(new XorDictEnv(), { nSteps: 256, batchSize: 64, nEpochs: 4, learningRate: 3e-3, seed: 0 });
  await model.learn(6144);
  const rng = new Rng(7);
  let right = 0;
  for (let i = 0; i < 200; i++) {
    const cue = rng.uniform() * 2 - 1;
    const flip = rng.integers(0, 2);
    if (model.predict({ cue: [cue], flip }, { deterministic: true }) === target(cue, flip)) right++;
  }
  assert.ok(right >= 180, `accuracy ${right}/200 (either key alone: ~100)`);
});

test("Dict observations run through every algorithm; a Dict observation missing a key is a typed error naming it", async () => {
  const makers = [
    () => new A2C(new XorDictEnv(), { nSteps: 8 }),
    () => new REINFORCE(new XorDictEnv(), { nSteps: 16 }),
    () => new TRPO(new XorDictEnv(), { nSteps: 32, batchSize: 16, nCriticUpdates: 1 }),
    () => new DQN(new XorDictEnv(), { learningStarts: 16, bufferSize: 64, batchSize: 8 }),
  ];
  for (const make of makers) {
    const model = make();
    await model.learn(64);
    const a = model.predict({ cue: [0.5], flip: 1 });
    assert.ok(a === 0 || a === 1, `${model.algoName}: ${a}`);
    assert.throws(
      () => model.predict({ cue: [0.5] }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /missing key "flip"; expected keys cue, flip/.test(String(e)),
      model.algoName,
    );
  }
});
