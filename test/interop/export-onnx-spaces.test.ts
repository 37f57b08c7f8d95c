import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-web";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { A2C, DQN, ExpectedSarsa, PPO, QLearning, SAC, Sarsa, TD3 } from "../../src/algos/index.js";
import { make } from "../../src/envs/index.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { exportOnnx } from "../../src/interop/export-onnx.js";
import { SpacesOnlyEnv } from "../../src/interop/spaces-only-env.js";
import { Box } from "../../src/spaces/box.js";
import { Dict } from "../../src/spaces/dict.js";
import { Discrete } from "../../src/spaces/discrete.js";
import { MultiDiscrete } from "../../src/spaces/multi-discrete.js";
import { close, sameDiscrete } from "../support/onnx-compare.js";

// ONNX export beyond flat Box observations and Discrete/Box actions: Q-tables, MultiDiscrete actions, dueling
// DQN, Discrete and Dict observations, gSDE SAC; each checked in onnxruntime-web against tsrl's predict.

const N = 1000;

/** `n` samples of the model's observation space: predict's flat rows and the graph's feeds (one per input). */
function samples(model: Algorithm, n: number, seed: number): { rows: Float32Array; feeds: Record<string, ort.Tensor> } {
  const space = model.observationSpace;
  space.seed(seed);
  const info = model.obsInfo;
  const leaves =
    info.kind === "dict"
      ? info.keys.map((k) => ({ name: `obs.${k.key}`, key: k.key as string | null, info: k.info, offset: k.offset }))
      : [{ name: "obs", key: null, info, offset: 0 }];
  const rows = new Float32Array(n * info.dim);
  const columns = leaves.map((l) =>
    l.info.kind === "discrete" ? new BigInt64Array(n) : new Float32Array(n * l.info.dim),
  );
  for (let i = 0; i < n; i++) {
    const s = space.sample() as unknown;
    leaves.forEach((l, j) => {
      const v = l.key === null ? s : (s as Record<string, unknown>)[l.key];
      if (typeof v === "number") {
        rows[i * info.dim + l.offset] = v;
        (columns[j] as BigInt64Array)[i] = BigInt(v);
      } else {
        const f = v as Float32Array;
        rows.set(f, i * info.dim + l.offset);
        (columns[j] as Float32Array).set(f, i * f.length);
      }
    });
  }
  const feeds: Record<string, ort.Tensor> = {};
  leaves.forEach((l, j) => {
    const c = columns[j];
    feeds[l.name] =
      c instanceof BigInt64Array
        ? new ort.Tensor("int64", c, [n])
        : new ort.Tensor("float32", c, [n, ...(l.info.kind === "box" ? l.info.shape : [l.info.dim])]);
  });
  return { rows, feeds };
}

async function run(model: Algorithm, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const r = await session.run(feeds);
  const out = (name: string) =>
    r[name] === undefined ? null : Array.from(r[name].data as Float32Array | BigInt64Array, Number);
  return { action: out("action") ?? [], value: out("value"), q: out("q_values"), session };
}

const list = (a: unknown): number[] => (typeof a === "number" ? [a] : Array.from(a as ArrayLike<number>));

/** The actor-critic policy's state values of raw rows (normalized as the model does). */
function stateValues(model: Algorithm, rows: Float32Array, n: number): number[] {
  const m = model as OnPolicyAlgorithm<OnPolicyConfig>;
  const normalized = m.normalizer.normalizeObs(rows, n, new Float32Array(rows.length));
  return m.policy.engine.scope(() => m.policy.predictValues(m.policy.observations(normalized, n)).toArray());
}

/** Non-trivial observation statistics, as after training, without an env to train on. */
function fakeStatistics(model: Algorithm, seed: number): void {
  const m = model as OnPolicyAlgorithm<OnPolicyConfig>;
  m.normalizer.updateObs(samples(model, 64, seed).rows, 64);
}

for (const [name, build] of [
  ["Q-learning, FrozenLake-v1", () => new QLearning(make("FrozenLake-v1"), { seed: 1 })],
  ["SARSA, CliffWalking-v1", () => new Sarsa(make("CliffWalking-v1"), { seed: 2 })],
  ["Expected SARSA, Taxi-v4", () => new ExpectedSarsa(make("Taxi-v4"), { seed: 3 })],
] as const) {
  test(`ONNX export (${name}): the greedy action of every state equals predict's, the Q-row tsrl's table`, async () => {
    const model = build();
    await model.learn(5000);
    const nS = model.nStates;
    const states = Array.from({ length: nS }, (_, s) => s);
    const onnx = await run(model, { obs: new ort.Tensor("int64", BigInt64Array.from(states, BigInt), [nS]) });
    assert.deepEqual(onnx.action, list(model.predict(Float32Array.from(states), { deterministic: true })));
    close(onnx.q ?? [], Array.from(model.q), "q_values");
    assert.ok(new Set(onnx.action).size > 1, "a learned table has more than one greedy action");
  });
}

const mdEnv = new SpacesOnlyEnv(
  make("CartPole-v1").observationSpace,
  new MultiDiscrete([3, 4, 2], { start: [0, 1, -1] }),
);
for (const [name, build] of [
  ["PPO MultiDiscrete", () => new PPO(mdEnv, { seed: 4 })],
  [
    "A2C MultiDiscrete, normalized observations",
    () => {
      const m = new A2C(mdEnv, { seed: 5, normalizeObs: true, policyKwargs: { netArch: [32], activation: "relu" } });
      fakeStatistics(m, 50);
      return m;
    },
  ],
] as const) {
  test(`ONNX export (${name}): per-dimension argmax of the split logits equals predict on ${N} observations`, async () => {
    const model = build();
    const { rows, feeds } = samples(model, N, 6);
    const onnx = await run(model, feeds);
    assert.deepEqual(onnx.action, list(model.predict(rows, { deterministic: true })));
    close(onnx.value ?? [], stateValues(model, rows, N), "value");
    assert.deepEqual(onnx.session.outputNames, ["action", "value"]);
  });
}

test(`ONNX export (dueling DQN): Q = V + A - mean(A) and its argmax match tsrl on ${N} observations`, async () => {
  const model = new DQN(make("CartPole-v1"), {
    seed: 7,
    dueling: true,
    learningStarts: 32,
    bufferSize: 1000,
    trainFreq: 1,
  });
  await model.learn(100);
  const { rows, feeds } = samples(model, N, 8);
  const onnx = await run(model, feeds);
  const q = model.engine.scope(() => model.qNet.forward(model.engine.tensor(rows, [N, 4])).toArray());
  sameDiscrete(onnx.action, list(model.predict(rows, { deterministic: true })), q, 2);
  close(onnx.q ?? [], q, "q_values");
});

test(`ONNX export (DQN, Discrete observations): one-hot input, actions and Q-values on every state`, async () => {
  const model = new DQN(make("Taxi-v4"), { seed: 9, netArch: [16] });
  const states = Array.from({ length: 500 }, (_, s) => s);
  const onnx = await run(model, { obs: new ort.Tensor("int64", BigInt64Array.from(states, BigInt), [500]) });
  const oneHot = new Float32Array(500 * 500);
  for (const s of states) oneHot[s * 500 + s] = 1;
  const q = model.engine.scope(() => model.qNet.forward(model.engine.tensor(oneHot, [500, 500])).toArray());
  sameDiscrete(onnx.action, list(model.predict(Float32Array.from(states), { deterministic: true })), q, 6);
  close(onnx.q ?? [], q, "q_values");
});

const dictSpace = new Dict({
  position: new Box(-2, 2, [3]),
  cell: new Discrete(5, { start: 2 }),
  grid: new Box(0, 1, [2, 2]),
});
for (const [name, build] of [
  ["PPO, Discrete observations (one-hot)", () => new PPO(make("Taxi-v4"), { seed: 10 })],
  [
    "PPO, Dict of Box, Discrete and a 2-D Box",
    () => new PPO(new SpacesOnlyEnv(dictSpace, new Discrete(3)), { seed: 11 }),
  ],
  [
    "PPO, Dict of Boxes, normalized, Box actions",
    () => {
      const space = new Dict({ b: new Box(-5, 5, [2]), a: new Box(-1, 1, [2, 3]) });
      const m = new PPO(new SpacesOnlyEnv(space, new Box(-1, 1, [2])), { seed: 12, normalizeObs: true });
      fakeStatistics(m, 51);
      return m;
    },
  ],
] as const) {
  test(`ONNX export (${name}): actions and values equal tsrl's on ${N} observations`, async () => {
    const model = build();
    const { rows, feeds } = samples(model, N, 13);
    const onnx = await run(model, feeds);
    const want = list(model.predict(rows, { deterministic: true }));
    if (model.actInfo.kind === "box") close(onnx.action, want, "actions");
    else sameDiscrete(onnx.action, want, null, 0);
    close(onnx.value ?? [], stateValues(model, rows, N), "value");
    assert.deepEqual(onnx.session.inputNames, Object.keys(feeds));
  });
}

test("ONNX export (DQN and TD3, Dict observations): the rows enter as they are, Discrete keys as their value", async () => {
  const dqn = new DQN(new SpacesOnlyEnv(dictSpace, new Discrete(4)), { seed: 14 });
  const td3 = new TD3(new SpacesOnlyEnv(dictSpace, new Box(-3, 3, [2])), { seed: 15, netArch: [32, 32] });
  for (const model of [dqn, td3] as Algorithm[]) {
    const { rows, feeds } = samples(model, N, 16);
    const onnx = await run(model, feeds);
    const want = list(model.predict(rows, { deterministic: true }));
    if (model instanceof DQN) {
      const q = model.engine.scope(() =>
        model.qNet.forward(model.engine.tensor(rows, [N, model.obsInfo.dim])).toArray(),
      );
      sameDiscrete(onnx.action, want, q, 4);
      close(onnx.q ?? [], q, "q_values");
    } else close(onnx.action, want, "actions");
  }
});

test(`ONNX export (SAC with gSDE): the clamped, squashed mean equals predict on ${N} observations`, async () => {
  const model = new SAC(make("Pendulum-v1"), {
    seed: 17,
    useSde: true,
    learningStarts: 50,
    bufferSize: 1000,
    batchSize: 32,
    netArch: [32, 32],
  });
  await model.learn(120);
  // larger mean weights, so that many means pass SB3's clip_mean (2) and the graph must clamp them as tsrl does
  const ckpt = model.getCheckpoint({ includeReplayBuffer: false });
  const mu = ckpt.tensors["actor/mu.weight"];
  ckpt.tensors["actor/mu.weight"] = {
    dtype: "F32",
    shape: mu.shape,
    data: Float32Array.from(mu.data as Float32Array, (w) => 20 * w),
  };
  model.restoreCheckpoint(ckpt, false);
  const { rows, feeds } = samples(model, N, 18);
  const onnx = await run(model, feeds);
  close(onnx.action, list(model.predict(rows, { deterministic: true })), "actions");
  assert.deepEqual(onnx.session.outputNames, ["action"]);
});

test("ONNX export refuses what its graph cannot reproduce, with a typed error naming it", () => {
  const model = new PPO(make("Taxi-v4"), { seed: 19, normalizeObs: true });
  assert.throws(
    () => exportOnnx(model),
    (e: unknown) => e instanceof InvalidArgumentError && /Discrete observations/.test(e.message),
  );
});
