import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { add, sum } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
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

// ---------------------------------------------------------------- action masks

const NEG_INF = Number.NEGATIVE_INFINITY;

test("masks: masked log-probabilities are -Infinity, the rest renormalise over the allowed actions", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    // the best action of each row (2 and 3) is masked
    const masks = Uint8Array.from([1, 0, 0, 1, 1, 1, 1, 0]);
    const d = new Categorical(engine.tensor(LOGITS, [2, 4]), { actionMasks: masks });
    const p0 = softmaxRows([LOGITS[0], LOGITS[3]], 2)[0];
    const p1 = softmaxRows([LOGITS[4], LOGITS[5], LOGITS[6]], 3)[0];
    const lp = d.logProbs.toArray();
    assert.deepEqual([lp[1], lp[2], lp[7]], [NEG_INF, NEG_INF, NEG_INF]);
    close([lp[0], lp[3], lp[4], lp[5], lp[6]], [...p0, ...p1].map(Math.log));
    close(d.probs().toArray(), [p0[0], 0, 0, p0[1], p1[0], p1[1], p1[2], 0]);
    assert.deepEqual(d.logProb(Int32Array.from([2, 3])).toArray(), [NEG_INF, NEG_INF]);
    close(
      d.entropy().toArray(),
      [p0, p1].map((r) => -r.reduce((s, v) => s + v * Math.log(v), 0)),
    );
    assert.deepEqual(d.mode(), Int32Array.from([3, 0]), "the best allowed action (first on ties)");
    close(d.kl(d).toArray(), [0, 0]);
  });
});

test("masks: gradients of logProb, entropy and KL are finite and pass finite differences", () => {
  const masks = Uint8Array.from([1, 0, 1, 1, 0, 1, 0, 1]);
  const shape = [2, 4];
  const checks = [
    gradCheck(
      ([l]) => new Categorical(l, { actionMasks: masks }).logProb(Int32Array.from([2, 3])),
      [{ values: LOGITS, shape }],
    ),
    gradCheck(([l]) => new Categorical(l, { actionMasks: masks }).entropy(), [{ values: LOGITS, shape }]),
    gradCheck(
      ([l, m]) => new Categorical(l, { actionMasks: masks }).kl(new Categorical(m, { actionMasks: masks })),
      [
        { values: LOGITS, shape },
        { values: OTHER, shape },
      ],
    ),
  ];
  for (const r of checks) {
    assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
    for (const inp of r.inputs) {
      assert.ok(inp.analytic.every(Number.isFinite), "finite gradients");
      // a masked logit does not influence anything
      masks.forEach((m, i) => {
        if (m === 0) assert.equal(inp.analytic[i], 0, `masked logit ${i} has gradient ${inp.analytic[i]}`);
      });
    }
  }
});

test("masks (property): never sampled nor chosen, -Infinity log-probs, finite entropy, KL and gradients", () => {
  const engine = new Engine();
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (b, k, seed) => {
        const rng = new Rng(seed);
        const logits = Array.from({ length: b * k }, () => rng.uniformRange(-20, 20));
        const masks = new Uint8Array(b * k);
        for (let r = 0; r < b; r++) {
          for (let j = 0; j < k; j++) masks[r * k + j] = rng.uniform() < 0.5 ? 1 : 0;
          masks[r * k + rng.integers(0, k)] = 1; // at least one allowed per row
        }
        engine.scope(() => {
          const l = engine.tensor(logits, [b, k], { requiresGrad: true });
          const d = new Categorical(l, { actionMasks: masks });
          const out = new Int32Array(b);
          for (let i = 0; i < 50; i++) {
            d.sample(rng, out);
            for (let r = 0; r < b; r++) assert.equal(masks[r * k + out[r]], 1, `sampled masked action ${out[r]}`);
          }
          d.mode(out);
          for (let r = 0; r < b; r++) assert.equal(masks[r * k + out[r]], 1, "mode is allowed");
          const lp = d.logProbs.toArray();
          lp.forEach((v, i) => {
            assert.ok(masks[i] === 1 ? Number.isFinite(v) : v === NEG_INF, `logProbs[${i}] = ${v}`);
          });
          const o = new Categorical(
            engine.tensor(
              logits.map((v) => -v),
              [b, k],
            ),
            { actionMasks: masks },
          );
          const ent = d.entropy();
          const kl = d.kl(o);
          for (const v of [...ent.toArray(), ...kl.toArray()]) assert.ok(Number.isFinite(v) && v >= -1e-4, `${v}`);
          const allowedOnly = Int32Array.from(out);
          engine.backward(sum(add(add(ent, kl), d.logProb(allowedOnly))));
          assert.ok((l.grad as Tensor).toArray().every(Number.isFinite), "finite gradients");
        });
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});

test("masks: a row allowing no action, a mask of the wrong length or type are typed errors naming it", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const l = engine.tensor(LOGITS, [2, 4]);
    assert.throws(
      () => new Categorical(l, { actionMasks: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]) }),
      (e) => e instanceof InvalidArgumentError && /actionMasks row 1 allows no action/.test(e.message),
    );
    assert.throws(
      () => new Categorical(l, { actionMasks: new Uint8Array(4).fill(1) }),
      (e) => e instanceof ShapeError && /actionMasks has length 4, expected 8/.test(e.message),
    );
    assert.throws(
      () => new Categorical(l, { actionMasks: [1, 1, 1, 1, 1, 1, 1, 1] as unknown as Uint8Array }),
      (e) => e instanceof InvalidArgumentError && /actionMasks must be a Uint8Array/.test(e.message),
    );
    // a masked logit may be anything, even NaN (it is never read)
    const masked = new Categorical(engine.tensor([0, Number.NaN], [1, 2]), { actionMasks: Uint8Array.from([1, 0]) });
    assert.deepEqual(masked.probs().toArray(), [1, 0]);
  });
});
