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

// Each bar on >= 4 of seeds 0-4 (the tuning seeds) AND >= 4 of seeds 5-9 (held out: no tuning used them).
const ROWS: [string, string, number, (r: number) => boolean][] = [
  ["FrozenLake-v1", "greedy success >= 0.70 over 1000 episodes (slippery)", 1000, (r) => r >= 0.7],
  ["CliffWalking-v1", "greedy return is the optimal -13", 1, (r) => r === -13],
  ["Taxi-v4", "mean greedy return >= 7.5 over 1000 episodes", 1000, (r) => r >= 7.5],
];
for (const [envId, bar, episodes, reached] of ROWS) {
  test(`Q-learning ${envId}: ${bar}, on >= 4 of seeds 0-4 and of seeds 5-9`, async () => {
    const returns: number[] = [];
    for (let seed = 0; seed < 10; seed++) returns.push((await greedy(QLearning, envId, seed, episodes)).meanReturn);
    const tuning = returns.slice(0, 5).filter(reached).length;
    const heldOut = returns.slice(5).filter(reached).length;
    console.log(`Q-learning ${envId}: ${returns.join(", ")}; seeds 0-4 ${tuning}/5, seeds 5-9 ${heldOut}/5`);
    assert.ok(tuning >= 4 && heldOut >= 4, `${envId}: ${tuning}/5 tuning and ${heldOut}/5 held-out seeds (${returns})`);
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
