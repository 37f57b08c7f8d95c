import assert from "node:assert/strict";
import { test } from "node:test";
import { runRow, SUITE } from "../bench/learn.js";

// A2C rows of the policy-gradient learning suite: 5 seeds, 20 deterministic evaluation episodes each;
// at least 4 of the 5 seeds must reach the bar (the same rows as npm run bench:learn).
for (const row of SUITE.filter((r) => r.algo === "A2C")) {
  test(`${row.algo} ${row.env} reaches ${row.threshold} within ${row.budget} steps on >= 4 of 5 seeds`, async () => {
    const results = await runRow(row, 5);
    const evals = results.map((r) => r.evalMean);
    const reached = evals.filter((v) => v >= row.threshold).length;
    assert.ok(reached >= 4, `evaluation returns per seed: ${evals.map((v) => v.toFixed(1)).join(", ")}`);
  });
}
