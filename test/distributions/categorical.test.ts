import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { Rng } from "../../src/core/rng.js";
import { Categorical } from "../../src/distributions/categorical.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";

const LOGITS = [0.3, -1.2, 2.0, 0.5, 0.1, 0.1, -0.4, 3.0]; // [2, 4]
const OTHER = [1.0, 0.0, -1.0, 0.25, -2.0, 0.7, 0.2, 1.5];

function softmaxRows(x: number[], k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < x.length; i += k) {
    const r = x.slice(i, i + k);
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    rows.push(e.map((v) => v / s));
  }
  return rows;
}

function close(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

test("probs, logProb, entropy, KL and mode match the closed forms", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const p = softmaxRows(LOGITS, 4);
    const q = softmaxRows(OTHER, 4);
    const d = new Categorical(engine.tensor(LOGITS, [2, 4]));
    const o = new Categorical(engine.tensor(OTHER, [2, 4]));
    close(d.probs().toArray(), p.flat());
    close(d.logProb(new Int32Array([2, 3])).toArray(), [Math.log(p[0][2]), Math.log(p[1][3])]);
    close(
      d.entropy().toArray(),
      p.map((r) => -r.reduce((s, v) => s + v * Math.log(v), 0)),
    );
    close(
      d.kl(o).toArray(),
      p.map((r, b) => r.reduce((s, v, k) => s + v * Math.log(v / q[b][k]), 0)),
    );
    close(d.kl(d).toArray(), [0, 0]);
    assert.deepEqual(d.mode(), new Int32Array([2, 3]));
  });
});

test("gradients of logProb, entropy, KL and probs pass central finite differences in float64 (rel. err < 1e-6)", () => {
  const actions = new Int32Array([1, 3]);
  const checks = [
    gradCheck(([l]) => new Categorical(l).logProb(actions), [{ values: LOGITS, shape: [2, 4] }]),
    gradCheck(([l]) => new Categorical(l).entropy(), [{ values: LOGITS, shape: [2, 4] }]),
    gradCheck(([l]) => new Categorical(l).probs(), [{ values: LOGITS, shape: [2, 4] }]),
    gradCheck(
      ([l, m]) => new Categorical(l).kl(new Categorical(m)),
      [
        { values: LOGITS, shape: [2, 4] },
        { values: OTHER, shape: [2, 4] },
      ],
    ),
  ];
  for (const r of checks) {
    assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
    for (const inp of r.inputs)
      assert.ok(
        inp.analytic.some((g) => Math.abs(g) > 1e-3),
        "non-trivial gradient",
      );
  }
});

test("sampling is deterministic given the Rng, follows the probabilities, and reuses `out` without arena growth", () => {
  const engine = new Engine({ dtype: "float32" });
  engine.scope(() => {
    const logits = [0, Math.log(3), Math.log(6), -50]; // p = [0.1, 0.3, 0.6, ~0]
    const d = new Categorical(engine.tensor([...logits, ...logits], [2, 4]));
    const a = new Rng(5);
    const b = new Rng(5);
    const out = new Int32Array(2);
    const counts = [0, 0, 0, 0];
    const used = engine.arena.usedBytes;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const s = d.sample(a, out);
      assert.equal(s, out);
      const t = d.sample(b);
      assert.deepEqual(t, s);
      counts[s[0]]++;
      counts[s[1]]++;
    }
    assert.equal(engine.arena.usedBytes, used, "sampling allocates nothing in the arena");
    const expected = [0.1, 0.3, 0.6, 0];
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(counts[k] / (2 * n) - expected[k]) < 0.006, `${k}: ${counts}`);
  });
});

test("a one-action distribution always samples 0 and has zero entropy", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new Categorical(engine.tensor([5, -3], [2, 1]));
    assert.deepEqual(d.sample(new Rng(1)), new Int32Array([0, 0]));
    close(d.entropy().toArray(), [0, 0]);
    assert.deepEqual(d.logProb(new Int32Array([0, 0])).toArray(), [0, 0]);
  });
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new Categorical(engine.tensor(LOGITS, [2, 4]));
    assert.throws(
      () => d.logProb(new Int32Array([0, 4])),
      (e) => e instanceof InvalidArgumentError && /actions\[1\] = 4 is outside \[0, 4\)/.test(e.message),
    );
    assert.throws(() => d.logProb(new Int32Array([-1, 0])), InvalidArgumentError);
    assert.throws(
      () => d.logProb(new Int32Array([0])),
      (e) => e instanceof ShapeError && /length 1, expected one per row \(2\)/.test(e.message),
    );
    assert.throws(() => d.logProb(new Float32Array([0, 1]) as unknown as Int32Array), /must be an Int32Array/);
    assert.throws(() => d.sample(new Rng(0), new Int32Array(3)), /out must be an Int32Array of length 2/);
    assert.throws(() => d.mode(new Int32Array(1)), InvalidArgumentError);
    assert.throws(() => d.kl(new Categorical(engine.tensor([0, 0, 0], [1, 3]))), ShapeError);
    assert.throws(() => new Categorical(engine.tensor([0, 1, 2], [3])), ShapeError);
    assert.throws(() => new Categorical(engine.tensor([], [0, 3])), ShapeError);
    assert.throws(
      () => new Categorical(engine.tensor([0, Number.NaN, 0, 0], [2, 2])),
      (e) => e instanceof NonFiniteError && /logits\[0, 1\] is NaN/.test(e.message),
    );
    assert.throws(() => new Categorical([1, 2] as unknown as never), InvalidArgumentError);
  });
});
