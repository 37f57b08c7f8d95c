// Every policy-gradient algorithm runs on the float64 engine (policyKwargs.kernels "ts", the TypeScript reference
// kernels), where gradients are exact enough for finite-difference checks (test/algos/policy.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { A2C, PPO, REINFORCE, TRPO } from "../../src/algos/index.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";

const ts = { policyKwargs: { kernels: "ts" as const, netArch: { pi: [8], vf: [8] } } };
const makers: [string, () => OnPolicyAlgorithm<OnPolicyConfig>][] = [
  ["PPO", () => new PPO(make("Pendulum-v1"), { nSteps: 32, batchSize: 16, nEpochs: 2, ...ts })],
  ["A2C", () => new A2C(make("CartPole-v1"), { nSteps: 8, ...ts })],
  ["TRPO", () => new TRPO(make("CartPole-v1"), { nSteps: 32, batchSize: 16, nCriticUpdates: 1, ...ts })],
  ["REINFORCE", () => new REINFORCE(make("Pendulum-v1"), { nSteps: 32, ...ts })],
];

for (const [name, makeModel] of makers) {
  test(`${name} trains on the float64 engine and saves F64 tensors`, async () => {
    const model = makeModel();
    assert.equal(model.policy.engine.dtype, "float64");
    const before = model.policy.parameters().map((t) => Array.from(t.data()));
    await model.learn(64);
    const after = model.policy.parameters().map((t) => Array.from(t.data()));
    assert.notDeepEqual(after, before, "an update happened");
    assert.equal(model.getCheckpoint().tensors["policy.pi.0.weight"].dtype, "F64");
  });
}
