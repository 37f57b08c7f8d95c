import assert from "node:assert/strict";
import { test } from "node:test";
import { runRow, SUITE } from "../bench/learn.js";

// Off-policy rows of the learning suite (issue 11): each row trains with the zoo entry on the tuning seeds 0-4 and
// on the held-out seeds 5-9 (which no tuning used), 20 deterministic evaluation episodes per seed; at least 4 of
// each 5 must reach the bar (the same rows as npm run bench:learn -- --rows <id>).
// TSRL_OFFPOLICY_ROWS=sac-pendulum,td3-pendulum runs a subset.
const only = process.env.TSRL_OFFPOLICY_ROWS?.split(",");
for (const row of SUITE.filter((r) => ["SAC", "TD3", "DDPG"].includes(r.algo) && (!only || only.includes(r.id)))) {
  for (const firstSeed of [0, 5]) {
    test(`${row.algo} ${row.env} reaches ${row.threshold} within ${row.budget} steps on >= 4 of seeds ${firstSeed}-${firstSeed + 4}`, async () => {
      const results = await runRow(row, 5, firstSeed);
      const evals = results.map((r) => r.evalMean);
      const reached = evals.filter((v) => v >= row.threshold).length;
      assert.ok(reached >= 4, `evaluation returns per seed: ${evals.map((v) => v.toFixed(1)).join(", ")}`);
    });
  }
}
