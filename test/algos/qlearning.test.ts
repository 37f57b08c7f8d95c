import assert from "node:assert/strict";
import { test } from "node:test";
import { QLearning } from "../../src/algos/qlearning.js";
import { ExpectedSarsa, Sarsa } from "../../src/algos/sarsa.js";
import { Env, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { CheckpointError, InvalidArgumentError, NonFiniteError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/**
 * A corridor of `n` cells: start in 0, action 1 moves right, 0 moves left; reaching n-1 terminates with reward 1.
 * `limit` steps truncate the episode. `rewardPerStep` is paid every step.
 */
class Corridor extends Env<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace = new Discrete(2);
  private s = 0;
  private t = 0;
  private readonly result: StepResult<number> = {
    observation: 0,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };
  constructor(
    private readonly n: number,
    private readonly limit: number,
    private readonly rewardPerStep = 0,
    private readonly goalReward = 1,
  ) {
    super();
    this.observationSpace = new Discrete(n);
  }
  reset(opts?: { seed?: number }): ResetResult<number> {
    this.seedReset(opts?.seed);
    this.s = 0;
    this.t = 0;
    return { observation: 0, info: {} };
  }
  step(action: number): StepResult<number> {
    this.t++;
    this.s = Math.max(0, Math.min(this.n - 1, this.s + (action === 1 ? 1 : -1)));
    const r = this.result;
    r.observation = this.s;
    r.terminated = this.s === this.n - 1;
    r.reward = this.rewardPerStep + (r.terminated ? this.goalReward : 0);
    r.truncated = !r.terminated && this.t >= this.limit;
    return r;
  }
}

for (const Algo of [QLearning, Sarsa, ExpectedSarsa]) {
  test(`${Algo.name} learns the corridor and its greedy policy walks straight to the goal`, async () => {
    const env = new Corridor(6, 50);
    const agent = new Algo(env, { learningRate: 0.5, gamma: 0.9, explorationFraction: 0.5, explorationFinalEps: 0.05 });
    await agent.learn(3000);
    for (let s = 0; s < 5; s++) assert.equal(agent.predict(s, { deterministic: true }), 1, `state ${s}`);
    // Q(4, right) -> 1 (terminal, no bootstrap); Q(3, right) -> gamma (greedy values for the off-policy learner)
    assert.ok(Math.abs(agent.q[4 * 2 + 1] - 1) < 1e-3, `Q(4,right) = ${agent.q[9]}`);
    if (Algo === QLearning) assert.ok(Math.abs(agent.q[3 * 2 + 1] - 0.9) < 1e-2);
  });
}

test("terminal transitions do not bootstrap and truncated ones do", async () => {
  // a single cell that never terminates: reward 1 each step, truncated every 3 steps.
  // With bootstrapping through truncation Q -> 1 / (1 - gamma) = 2; treating truncation as terminal would give < 2.
  const endless = new Corridor(2, 3, 1, 0);
  // action 1 would reach the goal (terminal); make it unavailable by learning only on state 0's left action
  const agent = new QLearning(endless, {
    learningRate: 0.2,
    gamma: 0.5,
    explorationInitialEps: 0,
    explorationFinalEps: 0,
  });
  agent.q[1] = -100; // greedy never picks "right" (which would terminate)
  await agent.learn(3000);
  assert.ok(Math.abs(agent.q[0] - 2) < 1e-6, `Q(0,left) = ${agent.q[0]}`);
  // the terminal transition from 0 to the goal: target r = 1 + 0 (goal reward 0) with no bootstrap
  const terminal = new QLearning(new Corridor(2, 3, 1, 0), {
    learningRate: 0.5,
    gamma: 0.5,
    explorationInitialEps: 0,
    explorationFinalEps: 0,
  });
  terminal.q[0] = -100;
  terminal.q[2] = 50; // Q(goal, .) must never be used as a bootstrap
  terminal.q[3] = 50;
  await terminal.learn(200);
  assert.ok(Math.abs(terminal.q[1] - 1) < 1e-6, `Q(0,right) = ${terminal.q[1]}`);
});

test("tabular learning is deterministic for a seed and the table round-trips through a checkpoint", async () => {
  const a = await new Sarsa(new Corridor(8, 30), { seed: 3 }).learn(2000);
  const b = await new Sarsa(new Corridor(8, 30), { seed: 3 }).learn(2000);
  assert.deepEqual(Array.from(a.q), Array.from(b.q));
  const c = await new Sarsa(new Corridor(8, 30), { seed: 4 }).learn(2000);
  assert.notDeepEqual(Array.from(a.q), Array.from(c.q));
  const restored = Sarsa.fromBytes(a.toBytes(), { env: new Corridor(8, 30) });
  assert.deepEqual(Array.from(restored.q), Array.from(a.q));
  assert.equal(restored.numTimesteps, 2000);
  assert.equal(restored.epsilon, a.epsilon);
  assert.throws(() => QLearning.fromBytes(a.toBytes(), { env: new Corridor(8, 30) }), CheckpointError);
  assert.throws(() => Sarsa.fromBytes(a.toBytes(), { env: new Corridor(5, 30) }), CheckpointError);
});

test("tabular agents reject non-discrete spaces, bad config and non-finite rewards", async () => {
  class BoxEnv extends Corridor {
    override readonly observationSpace = new Box(-1, 1, [2]) as unknown as Discrete;
  }
  assert.throws(
    () => new QLearning(new BoxEnv(3, 3)),
    (e: Error) => e instanceof InvalidArgumentError && /Discrete observation space/.test(e.message),
  );
  assert.throws(
    () => new QLearning(new Corridor(3, 3), { gamma: -0.1 }),
    /gamma must be a number in \[0, 1\], got -0.1/,
  );
  assert.throws(
    () => new QLearning(new Corridor(3, 3), { explorationFinalEps: 1.5 }),
    /explorationFinalEps must be a number in \[0, 1\], got 1.5/,
  );
  assert.throws(() => new QLearning(new Corridor(3, 3), { learningRate: 0 }), /learningRate/);
  await assert.rejects(
    () => new QLearning(new Corridor(3, 3)).learn(-1),
    /totalTimesteps must be a non-negative integer/,
  );
  await assert.rejects(() => new QLearning(new Corridor(3, 3, Number.NaN)).learn(5), NonFiniteError);
  assert.throws(() => new QLearning(new Corridor(3, 3)).predict(7), /observation 7 is not in the observation space/);
});
