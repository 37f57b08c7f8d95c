import assert from "node:assert/strict";
import { test } from "node:test";
import { NStepAccumulator } from "../../src/algos/common/n-step.js";
import type { PrioritizedReplayBuffer } from "../../src/algos/common/prioritized-replay-buffer.js";
import { DQN, type DQNConfig } from "../../src/algos/dqn.js";
import { Env, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/**
 * One observation ([1]), two actions, reward 1 every step; every `len` steps the episode ends, either terminated
 * or truncated. Q(s, a) is then 1 when every step terminates, and 1 / (1 - gamma) when truncations bootstrap.
 */
class ConstantEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  private readonly obs = Float32Array.of(0.5);
  private readonly result: StepResult<Float32Array> = {
    observation: this.obs,
    reward: 1,
    terminated: false,
    truncated: false,
    info: {},
  };
  constructor(
    private readonly len: number,
    private readonly ending: "terminated" | "truncated",
    private readonly badValue = 0,
  ) {
    super();
  }
  reset(opts?: { seed?: number }): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    return { observation: this.obs, info: {} };
  }
  step(_action: number): StepResult<Float32Array> {
    this.t++;
    const end = this.t >= this.len;
    this.result.terminated = end && this.ending === "terminated";
    this.result.truncated = end && this.ending === "truncated";
    if (this.badValue !== 0 && this.t === 3) this.obs[0] = this.badValue;
    return this.result;
  }
}

const small: DQNConfig = {
  gamma: 0.5,
  learningRate: 3e-3,
  netArch: [16],
  bufferSize: 500,
  batchSize: 32,
  learningStarts: 32,
  trainFreq: 1,
  targetUpdateInterval: 50,
  explorationFraction: 0.5,
};

function qValues(model: DQN): number[] {
  const q = model.engine.scope(() =>
    model.engine.noGrad(() => model.qNet.forward(model.engine.tensor([0.5], [1, 1])).toArray()),
  );
  return q;
}

test("DQN: terminal transitions are not bootstrapped, truncated ones are", async () => {
  const term = await new DQN(new ConstantEnv(1, "terminated"), small).learn(1500);
  for (const q of qValues(term)) assert.ok(Math.abs(q - 1) < 0.05, `terminated: Q = ${q}, want 1`);
  const trunc = await new DQN(new ConstantEnv(1, "truncated"), small).learn(1500);
  for (const q of qValues(trunc)) assert.ok(Math.abs(q - 2) < 0.1, `truncated: Q = ${q}, want 1 / (1 - 0.5) = 2`);
});

const variants: [string, DQNConfig][] = [
  ["double DQN", { doubleQ: true }],
  ["dueling head", { dueling: true }],
  ["3-step returns", { nStep: 3 }],
  ["prioritized replay", { prioritizedReplay: true }],
  ["Polyak target updates", { tau: 0.05, targetUpdateInterval: 1 }],
  ["MSE loss and optimizeMemoryUsage", { loss: "mse", optimizeMemoryUsage: true }],
];
for (const [name, extra] of variants) {
  test(`DQN with ${name} converges to the right fixed point (bootstrapping through truncation)`, async () => {
    // episodes of 4 steps, truncated: Q = sum_k 0.5^k = 2 from every step (n-step targets agree)
    const model = await new DQN(new ConstantEnv(4, "truncated"), { ...small, ...extra }).learn(1500);
    for (const q of qValues(model)) assert.ok(Math.abs(q - 2) < 0.15, `${name}: Q = ${q}, want 2`);
  });
}

test("n-step accumulator emits discounted returns and flushes at episode ends", () => {
  const acc = new NStepAccumulator(3, 0.5, 1, 1);
  const out: [number, number, number, boolean, number][] = [];
  const sink = (s: Float32Array, _a: number, ret: number, s2: Float32Array, term: boolean, _tr: boolean, k: number) =>
    out.push([s[0], ret, s2[0], term, k]);
  for (let t = 0; t < 5; t++) {
    acc.push(0, Float32Array.of(t), 0, t + 1, Float32Array.of(t + 1), t === 4, false, sink);
  }
  // rewards 1..5; windows of 3 while running, then the flush of the last steps at the terminal step
  assert.deepEqual(out, [
    [0, 1 + 0.5 * 2 + 0.25 * 3, 3, false, 3],
    [1, 2 + 0.5 * 3 + 0.25 * 4, 4, false, 3],
    [2, 3 + 0.5 * 4 + 0.25 * 5, 5, true, 3],
    [3, 4 + 0.5 * 5, 5, true, 2],
    [4, 5, 5, true, 1],
  ]);
});

test("DQN is deterministic for a seed and a checkpoint restores the same greedy policy", async () => {
  const a = await new DQN(new ConstantEnv(5, "truncated"), { ...small, seed: 7 }).learn(300);
  const b = await new DQN(new ConstantEnv(5, "truncated"), { ...small, seed: 7 }).learn(300);
  assert.deepEqual(qValues(a), qValues(b));
  const restored = DQN.fromBytes(a.toBytes(), { env: new ConstantEnv(5, "truncated") });
  assert.deepEqual(qValues(restored), qValues(a));
  assert.equal(restored.explorationRate, a.explorationRate);
  assert.equal(restored.buffer.size, a.buffer.size);
  assert.equal(
    restored.predict(Float32Array.of(0.5), { deterministic: true }),
    a.predict(Float32Array.of(0.5), { deterministic: true }),
  );
});

test("DQN checkpoints keep prioritized-replay priorities", async () => {
  const a = await new DQN(new ConstantEnv(5, "truncated"), { ...small, prioritizedReplay: true }).learn(200);
  const b = DQN.fromBytes(a.toBytes(), { env: new ConstantEnv(5, "truncated") });
  const pa = a.buffer as PrioritizedReplayBuffer;
  const pb = b.buffer as PrioritizedReplayBuffer;
  for (let i = 0; i < 200; i++) assert.equal(pb.probability(i), pa.probability(i));
  assert.ok(pa.probability(0) !== pa.probability(150), "priorities were updated by training");
});

test("DQN rejects bad config and non-finite observations with named errors", async () => {
  const env = () => new ConstantEnv(5, "truncated");
  assert.throws(() => new DQN(env(), { gamma: -0.1 }), /config.gamma must be a number in \[0, 1\], got -0.1/);
  assert.throws(
    () => new DQN(env(), { explorationFinalEps: 1.2 }),
    /explorationFinalEps must be a number in \[0, 1\], got 1.2/,
  );
  assert.throws(() => new DQN(env(), { explorationInitialEps: -1 }), /explorationInitialEps/);
  assert.throws(
    () => new DQN(env(), { batchSize: 64, bufferSize: 32 }),
    /batchSize 64 is larger than config.bufferSize 32/,
  );
  assert.throws(() => new DQN(env(), { replay: false, trainFreq: 4 }), InvalidArgumentError);
  assert.throws(() => new DQN(env(), { netArch: [0] }), /netArch/);
  assert.throws(() => new DQN(env(), { learningRte: 1e-3 } as DQNConfig), /unknown config option "learningRte"/);
  const bad = new DQN(new ConstantEnv(10, "truncated", Number.NaN), small);
  await assert.rejects(
    () => bad.learn(10),
    (e: Error) => e instanceof NonFiniteError && /non-finite observation/.test(e.message),
  );
});
