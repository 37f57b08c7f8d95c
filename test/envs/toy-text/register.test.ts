import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/envs/builtin.js";
import { checkEnv } from "../../../src/envs/checker.js";
import type { Env } from "../../../src/envs/env.js";
import { make, spec } from "../../../src/envs/registry.js";
import type { BlackjackEnv } from "../../../src/envs/toy-text/blackjack.js";
import type { FrozenLakeEnv } from "../../../src/envs/toy-text/frozen-lake.js";
import type { TaxiEnv } from "../../../src/envs/toy-text/taxi.js";

const IDS = {
  "FrozenLake-v1": [100, 0.7],
  "FrozenLake8x8-v1": [200, 0.85],
  "CliffWalking-v1": [undefined, undefined],
  "CliffWalkingSlippery-v1": [undefined, undefined],
  "Taxi-v4": [200, 8],
  "Blackjack-v1": [undefined, undefined],
} as const;

test("Gymnasium's ids, time limits, reward thresholds and default options", () => {
  for (const [id, [limit, threshold]] of Object.entries(IDS)) {
    const s = spec(id);
    assert.equal(s.maxEpisodeSteps, limit, id);
    assert.equal(s.rewardThreshold, threshold, id);
  }
  assert.equal((make("FrozenLake8x8-v1").unwrapped as FrozenLakeEnv).nS, 64);
  assert.equal((make("CliffWalkingSlippery-v1").unwrapped as unknown as { isSlippery: boolean }).isSlippery, true);
  const bj = make("Blackjack-v1").unwrapped as BlackjackEnv;
  assert.equal(bj.sab, true);
  assert.equal(bj.natural, false);
  const rainy = make("Taxi-v4", { isRainy: true }).unwrapped as TaxiEnv;
  assert.equal(rainy.isRainy, true);
  assert.throws(() => make("Taxi-v3"), /registered versions: Taxi-v4/);
  assert.throws(() => make("FrozenLake-v1", { slippery: false }), /unknown option "slippery"/);
});

test("the time limit truncates FrozenLake after 100 steps", () => {
  const env = make<number, number>("FrozenLake-v1", { isSlippery: false });
  env.reset({ seed: 0 });
  let r = env.step(0);
  let steps = 1;
  while (!r.truncated && !r.terminated) {
    r = env.step(0); // left into the wall: stays at 0 forever
    steps++;
  }
  assert.equal(steps, 100);
  assert.equal(r.truncated, true);
  assert.equal(r.terminated, false);
});

test("checkEnv passes on every toy-text env", () => {
  for (const id of Object.keys(IDS)) {
    const env = make(id) as Env<unknown, unknown>;
    const warnings = checkEnv(env);
    assert.deepEqual(warnings, [], `${id}: ${warnings.join("; ")}`);
  }
});
