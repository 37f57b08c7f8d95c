import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { Rng } from "../../src/core/rng.js";
import { DiagGaussian } from "../../src/distributions/diag-gaussian.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";

const MEAN = [0.5, -1.0, 2.0, 0.0, 0.3, -0.7]; // [3, 2]
const LOG_STD = [-0.3, 0.4]; // [2]
const LOG_STD_FULL = [0.1, -0.5, 0.2, 0.3, -0.2, 0.6]; // [3, 2]
const OMEAN = [0.1, -0.2, 1.5, 0.4, -0.3, 0.2];
const OLOG_STD = [0.25, -0.1];
const ACTIONS = new Float64Array([0.7, -0.4, 1.1, 0.9, 0.0, -2.0]);

const LOG2PI = Math.log(2 * Math.PI);
const expand = (ls: number[]): number[] => (ls.length === 2 ? [...ls, ...ls, ...ls] : ls);

function close(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

function rowSums(x: number[], d: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i += d) out.push(x.slice(i, i + d).reduce((a, b) => a + b, 0));
  return out;
}

for (const [label, ls, shape] of [
  ["state-independent", LOG_STD, [2]],
  ["state-dependent", LOG_STD_FULL, [3, 2]],
] as const) {
  test(`${label} log-std: logProb, entropy, KL and mode match the closed forms`, () => {
    const engine = new Engine({ dtype: "float64", kernels: "ts" });
    engine.scope(() => {
      const d = new DiagGaussian(engine.tensor(MEAN, [3, 2]), engine.tensor([...ls], [...shape]));
      const o = new DiagGaussian(engine.tensor(OMEAN, [3, 2]), engine.tensor(OLOG_STD, [2]));
      const l = expand([...ls]);
      const lo = expand(OLOG_STD);
      const lp = MEAN.map((m, i) => -(((ACTIONS[i] - m) / Math.exp(l[i])) ** 2) / 2 - l[i] - LOG2PI / 2);
      close(d.logProb(ACTIONS).toArray(), rowSums(lp, 2));
      close(
        d.entropy().toArray(),
        rowSums(
          l.map((v) => v + 0.5 + LOG2PI / 2),
          2,
        ),
      );
      const kl = MEAN.map(
        (m, i) => lo[i] - l[i] + (Math.exp(2 * l[i]) + (m - OMEAN[i]) ** 2) / (2 * Math.exp(2 * lo[i])) - 0.5,
      );
      close(d.kl(o).toArray(), rowSums(kl, 2));
      assert.ok(
        o
          .kl(d)
          .toArray()
          .every((v) => v > 0),
        "KL between different Gaussians is positive",
      );
      close(d.kl(d).toArray(), [0, 0, 0]);
      assert.deepEqual(Array.from(d.mode(new Float64Array(6))), MEAN);
    });
  });

  test(`${label} log-std: gradients of logProb, entropy and KL (both sides) pass float64 finite differences`, () => {
    const m = { values: MEAN, shape: [3, 2] };
    const s = { values: ls, shape };
    const om = { values: OMEAN, shape: [3, 2] };
    const os = { values: OLOG_STD, shape: [2] };
    const checks = [
      gradCheck(([a, b]) => new DiagGaussian(a, b).logProb(ACTIONS), [m, s]),
      gradCheck(([a, b]) => new DiagGaussian(a, b).entropy(), [m, s]),
      gradCheck(([a, b, c, e]) => new DiagGaussian(a, b).kl(new DiagGaussian(c, e)), [m, s, om, os]),
      gradCheck(([c, e, a, b]) => new DiagGaussian(c, e).kl(new DiagGaussian(a, b)), [om, os, m, s]),
    ];
    for (const r of checks) assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
    assert.ok(
      checks[0].inputs.every((i) => i.analytic.some((g) => Math.abs(g) > 1e-3)),
      "non-trivial gradients",
    );
  });
}

test("sampling is deterministic, has the right moments, and reuses `out` without arena growth", () => {
  const engine = new Engine({ dtype: "float32" });
  engine.scope(() => {
    const d = new DiagGaussian(engine.tensor([1, -2], [1, 2]), engine.tensor([Math.log(0.5), Math.log(2)], [2]));
    const a = new Rng(11);
    const b = new Rng(11);
    const out = new Float32Array(2);
    const used = engine.arena.usedBytes;
    const n = 100_000;
    const s1 = [0, 0];
    const s2 = [0, 0];
    for (let i = 0; i < n; i++) {
      const x = d.sample(a, out);
      assert.equal(x, out);
      assert.deepEqual(d.sample(b), x);
      for (let j = 0; j < 2; j++) {
        s1[j] += x[j];
        s2[j] += x[j] * x[j];
      }
    }
    assert.equal(engine.arena.usedBytes, used);
    const mean = s1.map((v) => v / n);
    const std = s2.map((v, j) => Math.sqrt(v / n - mean[j] ** 2));
    assert.ok(Math.abs(mean[0] - 1) < 0.01 && Math.abs(mean[1] + 2) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(std[0] - 0.5) < 0.01 && Math.abs(std[1] - 2) < 0.03, `std ${std}`);
    assert.deepEqual(d.mode(), new Float32Array([1, -2]));
  });
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const mean = engine.tensor(MEAN, [3, 2]);
    const d = new DiagGaussian(mean, engine.tensor(LOG_STD, [2]));
    assert.throws(
      () => d.logProb(new Float64Array(5)),
      (e) => e instanceof ShapeError && /length 5, expected B \* D = 3 \* 2 = 6/.test(e.message),
    );
    assert.throws(
      () => d.logProb(new Float32Array([0, 0, 0, Number.NaN, 0, 0])),
      (e) => e instanceof NonFiniteError && /actions\[3\] \(row 1\) is NaN/.test(e.message),
    );
    assert.throws(() => d.logProb(new Float32Array([0, 0, 0, Infinity, 0, 0])), NonFiniteError);
    assert.throws(() => d.logProb([0, 0, 0, 0, 0, 0] as unknown as Float64Array), InvalidArgumentError);
    assert.throws(() => d.sample(new Rng(0), new Float32Array(4)), /length 6 \(B \* D\)/);
    assert.throws(
      () => new DiagGaussian(mean, engine.tensor([0, 0, 0], [3])),
      (e) => e instanceof ShapeError && /\[2\] or \[3, 2\]/.test(e.message),
    );
    assert.throws(() => new DiagGaussian(mean, engine.tensor(new Array(6).fill(0), [2, 3])), ShapeError);
    assert.throws(() => new DiagGaussian(engine.tensor([1, 2], [2]), engine.tensor([0], [1])), ShapeError);
    assert.throws(
      () => new DiagGaussian(mean, engine.tensor([0, Number.NEGATIVE_INFINITY], [2])),
      /logStd .* has -Infinity at index 1/,
    );
    assert.throws(() => d.kl(new DiagGaussian(engine.tensor([0, 0], [1, 2]), engine.tensor([0, 0], [2]))), ShapeError);
    const other = new Engine({ dtype: "float64", kernels: "ts" });
    assert.throws(() => new DiagGaussian(mean, other.tensor([0, 0], [2])), /different engines/);
  });
});
