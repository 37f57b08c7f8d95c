import assert from "node:assert/strict";
import { test } from "node:test";
import { backtrackingLineSearch, conjugateGradient } from "../../src/algos/trpo.js";
import { Rng } from "../../src/core/rng.js";

/** Solve A x = b by Gaussian elimination with partial pivoting (the direct reference). */
function directSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

test("conjugate gradient matches a direct solve on a small SPD system (n steps suffice in exact arithmetic)", () => {
  const rng = new Rng(7);
  const n = 6;
  const g = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
  // A = G G^T + 0.1 I, symmetric positive definite (a damped Fisher matrix has this form)
  const a = g.map((ri, i) => g.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k], 0) + (i === j ? 0.1 : 0)));
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const av = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = a[i].reduce((s, aij, j) => s + aij * v[j], 0);
  };
  const x = conjugateGradient(av, b, new Float64Array(n), 50, 1e-24);
  const ref = directSolve(a, Array.from(b));
  for (let i = 0; i < n; i++)
    assert.ok(Math.abs(x[i] - ref[i]) < 1e-8 * Math.max(1, Math.abs(ref[i])), `${x[i]} vs ${ref[i]}`);
});

test("line search never accepts a step whose KL exceeds the bound, nor one that does not improve", () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 500; trial++) {
    const maxKl = 0.01;
    const klScale = rng.uniformRange(0, 0.2); // KL(frac) = klScale frac^2 (may violate the bound at frac 1)
    const gain = rng.uniformRange(-1, 1); // objective(frac) = base + gain frac - curvature frac^2
    const curvature = rng.uniformRange(0, 2);
    const evaluated: number[] = [];
    const res = backtrackingLineSearch(
      (f) => {
        evaluated.push(f);
        return { objective: 1 + gain * f - curvature * f * f, kl: klScale * f * f };
      },
      1,
      maxKl,
      0.8,
      10,
    );
    if (res.fraction > 0) {
      assert.ok(res.kl <= maxKl, `accepted KL ${res.kl}`);
      assert.ok(res.objective > 1, `accepted objective ${res.objective}`);
      // it is the first (largest) fraction that passes both tests
      for (const f of evaluated.slice(0, -1)) assert.ok(klScale * f * f > maxKl || gain * f - curvature * f * f <= 0);
    } else {
      assert.equal(evaluated.length, 10);
      for (const f of evaluated) assert.ok(klScale * f * f > maxKl || gain * f - curvature * f * f <= 0);
    }
  }
});
