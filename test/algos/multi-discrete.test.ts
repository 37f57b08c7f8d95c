// MultiDiscrete action spaces: the policy-gradient family (one Categorical head per component) learns with them;
// algorithms without such a head reject them with a clear error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C, DQN, PPO, QLearning, TRPO } from "../../src/algos/index.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";
import { MultiDiscrete } from "../../src/spaces/multi-discrete.js";

/**
 * Copy the target: observation one-hot(t0) ++ one-hot(t1 - 1) for a random target t0 in {0, 1, 2}, t1 in {1, 2}; action
 * MultiDiscrete([3, 2], start [0, 1]); reward 1 per component equal to the target's (random play: 5/6 per step,
 * best: 2). Episodes are 5 steps.
 */
class CopyTargetEnv extends Env<Float32Array, Int32Array> {
  readonly observationSpace = new Box(0, 1, [5]);
  readonly actionSpace = new MultiDiscrete([3, 2], { start: [0, 1] });
  private readonly obs = new Float32Array(5);
  private t0 = 0;
  private t1 = 1;
  private t = 0;

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    this.draw();
    return { observation: this.obs, info: {} };
  }

  step(action: Int32Array): StepResult<Float32Array> {
    assert.ok(this.actionSpace.contains(action), `action ${action} outside ${this.actionSpace}`);
    const reward = (action[0] === this.t0 ? 1 : 0) + (action[1] === this.t1 ? 1 : 0);
    this.t++;
    this.draw();
    return { observation: this.obs, reward, terminated: false, truncated: this.t >= 5, info: {} };
  }

  private draw(): void {
    this.t0 = this.rng.integers(0, 3);
    this.t1 = 1 + this.rng.integers(0, 2);
    this.obs.fill(0);
    this.obs[this.t0] = 1;
    this.obs[2 + this.t1] = 1;
  }
}

/** Mean reward per step of the deterministic policy over 200 fresh targets. */
function greedyReward(model: PPO | A2C | TRPO): number {
  const env = new CopyTargetEnv();
  let obs = env.reset({ seed: 99 }).observation;
  let total = 0;
  for (let i = 0; i < 200; i++) {
    const a = model.predict(obs, { deterministic: true });
    assert.ok(a instanceof Int32Array && a.length === 2, `predict gives one Int32Array(2), got ${a}`);
    const r = env.step(a);
    total += r.reward;
    obs = r.truncated ? env.reset().observation : r.observation;
  }
  return total / 200;
}

test("PPO learns a MultiDiscrete action space (one Categorical per component)", async () => {
  const model = new PPO(new CopyTargetEnv(), { nSteps: 128, batchSize: 64, nEpochs: 10, learningRate: 3e-3, seed: 1 });
  assert.ok(greedyReward(model) < 1.6, "the untrained policy already solves it: the test would prove nothing");
  await model.learn(4096);
  const reward = greedyReward(model);
  assert.ok(reward >= 1.9, `greedy reward per step ${reward}, expected >= 1.9 (random play 0.83, best 2)`);
  const batch = model.predict(new Float32Array([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0]), { deterministic: true });
  assert.ok(batch instanceof Int32Array && batch.length === 6, "a batch of 3 observations gives 3 rows of 2");
});

test("TRPO learns a MultiDiscrete action space (block-diagonal Fisher, one Categorical block per component)", async () => {
  const model = new TRPO(new CopyTargetEnv(), {
    nSteps: 256,
    batchSize: 64,
    nCriticUpdates: 5,
    targetKl: 0.05,
    seed: 1,
  });
  assert.ok(greedyReward(model) < 1.6, "the untrained policy already solves it: the test would prove nothing");
  await model.learn(6144);
  const reward = greedyReward(model);
  assert.ok(reward >= 1.9, `greedy reward per step ${reward}, expected >= 1.9 (random play 0.83, best 2)`);
});

test("A2C runs on a MultiDiscrete action space and predicts actions inside it", async () => {
  const model = await new A2C(new CopyTargetEnv(), { seed: 2 }).learn(200);
  const a = model.predict(new Float32Array([0, 0, 1, 0, 1]));
  assert.ok(new MultiDiscrete([3, 2], { start: [0, 1] }).contains(a as Int32Array));
});

test("DQN and tabular methods reject a MultiDiscrete action space by name", () => {
  assert.throws(
    () => new DQN(new CopyTargetEnv()),
    (e: Error) => {
      return e instanceof InvalidArgumentError && /Discrete action space, got MultiDiscrete/.test(e.message);
    },
  );
  class TabularCopy extends CopyTargetEnv {
    override readonly observationSpace = new Discrete(3) as unknown as Box;
  }
  assert.throws(() => new QLearning(new TabularCopy()), /Discrete action space, got MultiDiscrete/);
});

test("a MultiDiscrete observation space is rejected with a hint to flatten it", () => {
  class MultiObs extends CopyTargetEnv {
    override readonly observationSpace = new MultiDiscrete([3, 2]) as unknown as Box;
  }
  assert.throws(() => new PPO(new MultiObs()), /observation space must be a Discrete or Box space.*FlattenObservation/);
});
