import assert from "node:assert/strict";

/** Every value within `tol` of the reference, relative to max(1, |reference|). */
export function close(got: readonly number[], want: readonly number[], what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  assert.ok(worst <= tol, `${what}: max relative difference ${worst}`);
}

/**
 * Discrete actions must be equal; a float32 difference of order 1e-7 may only flip an argmax whose two best scores
 * are that close, so each disagreement must be such a near-tie (and they must be rare). `scores` holds k per row.
 */
export function sameDiscrete(
  got: readonly number[],
  want: readonly number[],
  scores: readonly number[] | null,
  k: number,
): void {
  assert.equal(got.length, want.length, "actions: length");
  let flips = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    flips++;
    assert.ok(scores !== null, `action ${i}: ${got[i]} vs ${want[i]}`);
    const row = scores.slice(i * k, (i + 1) * k);
    const sorted = [...row].sort((a, b) => b - a);
    assert.ok(sorted[0] - sorted[1] < 1e-5, `action ${i}: ${got[i]} vs ${want[i]} with scores ${row}`);
  }
  assert.ok(flips <= 2, `${flips} near-tie flips`);
}
