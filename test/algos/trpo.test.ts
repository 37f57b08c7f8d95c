import assert from "node:assert/strict";
import { test } from "node:test";
import { backtrackingLineSearch, conjugateGradient, TRPO } from "../../src/algos/trpo.js";
import { Rng } from "../../src/core/rng.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { Box } from "../../src/spaces/box.js";

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

/** One-step episodes: observation x in [-1, 1], reward -(a - x)^2 for a Box(-2, 2) action. */
class MatchEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-2, 2, [1]);
  private readonly obs = new Float32Array(1);
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.obs[0] = this.rng.uniform() * 2 - 1;
    return { observation: this.obs, info: {} };
  }
  step(action: Float32Array): StepResult<Float32Array> {
    const reward = -((action[0] - this.obs[0]) ** 2);
    this.obs[0] = this.rng.uniform() * 2 - 1;
    return { observation: this.obs, reward, terminated: true, truncated: false, info: {} };
  }
}

test("TRPO with gSDE (state-dependent exploration; its Fisher covers the [latent, action] log-std) learns a continuous task", async () => {
  const error = (model: TRPO) => {
    let sq = 0;
    for (let i = 0; i < 50; i++) {
      const x = -1 + (2 * i) / 49;
      sq += ((model.predict(new Float32Array([x]), { deterministic: true }) as Float32Array)[0] - x) ** 2;
    }
    return sq / 50;
  };
  // fresh exploration matrices every step: with one-step episodes a matrix held for a whole rollout gives every
  // state the same noise, and learning crawls (an exploration effect, not the Fisher's: 0.35 -> 0.24 in 8k steps)
  const model = new TRPO(new MatchEnv(), {
    nSteps: 256,
    batchSize: 64,
    useSde: true,
    sdeSampleFreq: 1,
    targetKl: 0.02,
    seed: 2,
  });
  const before = error(model);
  await model.learn(8192);
  const after = error(model);
  assert.ok(after < 0.1 * before && after < 0.02, `mean squared error ${before} -> ${after}`);
  assert.ok(model.policy.logStd?.data().every(Number.isFinite));
  assert.throws(
    () => new TRPO(new MatchEnv(), { useSde: true, policyKwargs: { squashOutput: true } }),
    /TRPO with useSde takes unsquashed Gaussian actions/,
  );
});
