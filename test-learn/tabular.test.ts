import assert from "node:assert/strict";
import { test } from "node:test";
import "../src/envs/index.js";
import type { AnyEnv } from "../src/algos/common/algorithm.js";
import { evaluatePolicy } from "../src/algos/common/evaluate.js";
import type { TabularAgent, TabularConfig } from "../src/algos/common/tabular.js";
import { QLearning } from "../src/algos/qlearning.js";
import { ExpectedSarsa, Sarsa } from "../src/algos/sarsa.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/qlearning.js";

type Ctor = new (env: AnyEnv, config: TabularConfig) => TabularAgent;

/** Train with the zoo defaults, then evaluate the greedy policy. */
async function greedy(Algo: Ctor, envId: string, seed: number, episodes: number) {
  const entry = zoo.entries[envId];
  const model = new Algo(make(envId), { ...(entry.hyperparams as TabularConfig), seed });
  await model.learn(entry.totalTimesteps);
  return evaluatePolicy(model, make(envId), { episodes, deterministic: true, seed: 999 + seed });
}

for (const seed of [0, 1, 2]) {
  test(`Q-learning FrozenLake-v1 (slippery) greedy success >= 0.70 over 1000 episodes, seed ${seed}`, async () => {
    const ev = await greedy(QLearning, "FrozenLake-v1", seed, 1000);
    assert.ok(ev.meanReturn >= 0.7, `success rate ${ev.meanReturn}`);
  });
  test(`Q-learning CliffWalking-v1 greedy return is the optimal -13, seed ${seed}`, async () => {
    const ev = await greedy(QLearning, "CliffWalking-v1", seed, 1);
    assert.equal(ev.meanReturn, -13);
  });
  test(`Q-learning Taxi-v4 mean greedy return >= 7.5 over 1000 episodes, seed ${seed}`, async () => {
    const ev = await greedy(QLearning, "Taxi-v4", seed, 1000);
    assert.ok(ev.meanReturn >= 7.5, `mean return ${ev.meanReturn}`);
  });
}

test("Expected SARSA reaches the same marks on FrozenLake-v1 and Taxi-v4", async () => {
  assert.ok((await greedy(ExpectedSarsa, "FrozenLake-v1", 0, 1000)).meanReturn >= 0.7);
  assert.ok((await greedy(ExpectedSarsa, "Taxi-v4", 0, 1000)).meanReturn >= 7.5);
});

test("SARSA on CliffWalking-v1 learns the safe path (-17) with epsilon 0.1, Q-learning the optimal one (-13)", async () => {
  // Sutton and Barto, example 6.6: on-policy SARSA values the risk of exploratory steps off the cliff edge
  const ev = await greedy(Sarsa, "CliffWalking-v1", 0, 1);
  assert.equal(ev.meanReturn, -17);
});
