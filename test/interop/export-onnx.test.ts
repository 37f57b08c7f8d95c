import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-web";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { A2C, DQN, getAlgorithmClass, PPO, REINFORCE, TRPO } from "../../src/algos/index.js";
import { make } from "../../src/envs/index.js";
import { exportOnnx } from "../../src/interop/export-onnx.js";
import { close, sameDiscrete } from "../support/onnx-compare.js";

const N = 1000;

/** N observations: the space's own samples (unbounded dims draw from a normal), seeded. */
function observations(model: Algorithm, seed: number): Float32Array {
  const space = model.observationSpace;
  space.seed(seed);
  const dim = model.obsInfo.dim;
  const out = new Float32Array(N * dim);
  for (let i = 0; i < N; i++) out.set(space.sample() as Float32Array, i * dim);
  return out;
}

/** tsrl's own outputs for raw observations: predict's deterministic actions and the values the graph also emits. */
function tsrlOutputs(
  model: Algorithm,
  obs: Float32Array,
  withValues = true,
): { actions: number[]; values: number[]; scores: number[] | null } {
  const p = model.predict(obs, { deterministic: true });
  const actions = typeof p === "number" ? [p] : Array.from(p);
  if (!withValues) return { actions, values: [], scores: null };
  if (model instanceof DQN) {
    const q = model.engine.scope(() => model.qNet.forward(model.engine.tensor(obs, [N, model.obsInfo.dim])).toArray());
    return { actions, values: q, scores: q };
  }
  // the actor-critic policy's API (the one place the test knows it): normalise, then the critic's values and logits
  const m = model as OnPolicyAlgorithm<OnPolicyConfig>;
  const normalized = m.normalizer.normalizeObs(obs, N, new Float32Array(obs.length));
  const { values, scores } = m.policy.engine.scope(() => {
    const x = m.policy.observations(normalized, N);
    const dist = m.policy.distribution(x);
    const head = "logits" in dist ? dist.logits : dist.mean;
    return { values: m.policy.predictValues(x).toArray(), scores: head.toArray() };
  });
  return { actions, values, scores };
}

async function runOnnx(bytes: Uint8Array, obs: Float32Array, dim: number) {
  const session = await ort.InferenceSession.create(bytes);
  const r = await session.run({ obs: new ort.Tensor("float32", obs, [N, dim]) });
  const out = (name: string) =>
    r[name] === undefined ? null : Array.from(r[name].data as Float32Array | BigInt64Array, Number);
  return { action: out("action") ?? [], value: out("value"), q: out("q_values"), names: session.outputNames };
}

const cases: [string, () => Promise<Algorithm>][] = [
  ["PPO Discrete", async () => new PPO(make("CartPole-v1"), { seed: 1 })],
  [
    "PPO Discrete, normalized observations after training",
    async () => {
      const m = new PPO(make("CartPole-v1"), {
        seed: 2,
        nSteps: 64,
        batchSize: 32,
        nEpochs: 2,
        normalizeObs: true,
        clipObs: 5,
      });
      await m.learn(128);
      return m;
    },
  ],
  [
    "PPO Box, shared trunk, relu",
    async () => new PPO(make("Pendulum-v1"), { seed: 3, policyKwargs: { netArch: [32, 16], activation: "relu" } }),
  ],
  [
    "PPO Box squashed, normalized",
    async () => {
      const m = new PPO(make("Pendulum-v1"), {
        seed: 4,
        nSteps: 64,
        batchSize: 32,
        nEpochs: 1,
        normalizeObs: true,
        policyKwargs: { squashOutput: true },
      });
      await m.learn(64);
      return m;
    },
  ],
  ["A2C Discrete", async () => new A2C(make("Acrobot-v1"), { seed: 5 })],
  ["A2C Box", async () => new A2C(make("Pendulum-v1"), { seed: 6, normalizeObs: true })],
  ["TRPO Box", async () => new TRPO(make("Pendulum-v1"), { seed: 7 })],
  ["REINFORCE Discrete", async () => new REINFORCE(make("CartPole-v1"), { seed: 8 })],
  [
    "DQN",
    async () => {
      const m = new DQN(make("CartPole-v1"), { seed: 9, learningStarts: 32, bufferSize: 1000, trainFreq: 1 });
      await m.learn(100);
      return m;
    },
  ],
];

for (const [name, build] of cases) {
  test(`ONNX export (${name}) matches tsrl's predict and values on ${N} observations in onnxruntime-web`, async () => {
    const model = await build();
    const obs = observations(model, 11);
    const dim = model.obsInfo.dim;
    const onnx = await runOnnx(exportOnnx(model), obs, dim);
    const ours = tsrlOutputs(model, obs);
    if (model.actInfo.kind === "discrete") {
      const k = model.actInfo.n;
      sameDiscrete(onnx.action, ours.actions, ours.scores, k);
    } else close(onnx.action, ours.actions, "actions");
    if (model instanceof DQN) close(onnx.q ?? [], ours.values, "q_values");
    else close(onnx.value ?? [], ours.values, "value");
  });
}

test("includeValues: false leaves only the action output", async () => {
  const model = new PPO(make("CartPole-v1"), { seed: 1 });
  const session = await ort.InferenceSession.create(exportOnnx(model, { includeValues: false }));
  assert.deepEqual(session.outputNames, ["action"]);
  assert.deepEqual(session.inputNames, ["obs"]);
});

test("the exported bytes are deterministic", () => {
  const a = exportOnnx(new PPO(make("CartPole-v1"), { seed: 1 }));
  const b = exportOnnx(new PPO(make("CartPole-v1"), { seed: 1 }));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, exportOnnx(new PPO(make("CartPole-v1"), { seed: 2 })));
});

// SAC, TD3 and DDPG (when this build has them: branch issue-11): the actor's deterministic action
for (const algo of ["SAC", "TD3", "DDPG"]) {
  const cls = getAlgorithmClass(algo);
  test(`ONNX export (${algo} Box) matches tsrl's predict on ${N} observations`, {
    skip: cls === undefined ? `tsrl has no ${algo} in this build` : false,
  }, async () => {
    const Cls = cls as NonNullable<typeof cls>;
    const model = new Cls(make("Pendulum-v1"), {
      seed: 12,
      learningStarts: 50,
      bufferSize: 1000,
      batchSize: 32,
      netArch: [32, 32],
    });
    await model.learn(120);
    const obs = observations(model, 13);
    const onnx = await runOnnx(exportOnnx(model), obs, model.obsInfo.dim);
    close(onnx.action, tsrlOutputs(model, obs, false).actions, "actions");
    assert.deepEqual(onnx.names, ["action"]);
  });
}
