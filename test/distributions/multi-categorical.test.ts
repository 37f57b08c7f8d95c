import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { sliceLast } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { Categorical } from "../../src/distributions/categorical.js";
import { MultiCategorical } from "../../src/distributions/multi-categorical.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";

const NVEC = [3, 2];
const LOGITS = [0.3, -1.2, 2.0, 0.5, 0.1, 0.4, -0.7, 1.1, -0.2, 0.9]; // [2, 5]
const OTHER = [1.0, 0.0, -1.0, 0.25, -2.0, 0.7, 0.2, 1.5, 0.3, -0.3];

test("logProb, entropy and KL are the sums of the per-dimension categoricals'; mode and sample per dimension", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const l = engine.tensor(LOGITS, [2, 5]);
    const o = engine.tensor(OTHER, [2, 5]);
    const d = new MultiCategorical(l, NVEC);
    const c0 = new Categorical(sliceLast(l, 0, 3));
    const c1 = new Categorical(sliceLast(l, 3, 5));
    const q0 = new Categorical(sliceLast(o, 0, 3));
    const q1 = new Categorical(sliceLast(o, 3, 5));
    const actions = Int32Array.from([2, 1, 0, 0]); // row 0: (2, 1); row 1: (0, 0)
    const lp = d.logProb(actions).toArray();
    const want = [0, 1].map(
      (b) => c0.logProb(Int32Array.from([2, 0])).toArray()[b] + c1.logProb(Int32Array.from([1, 0])).toArray()[b],
    );
    assert.ok(lp.every((v, i) => Math.abs(v - want[i]) < 1e-12));
    const h = d.entropy().toArray();
    const hw = c0
      .entropy()
      .toArray()
      .map((v, i) => v + c1.entropy().toArray()[i]);
    assert.ok(h.every((v, i) => Math.abs(v - hw[i]) < 1e-12));
    const kl = d.kl(new MultiCategorical(o, NVEC)).toArray();
    const klw = c0
      .kl(q0)
      .toArray()
      .map((v, i) => v + c1.kl(q1).toArray()[i]);
    assert.ok(kl.every((v, i) => Math.abs(v - klw[i]) < 1e-12));
    assert.deepEqual(d.mode(), Int32Array.from([2, 0, 2, 1]));
    const a = d.sample(new Rng(3));
    assert.deepEqual(d.sample(new Rng(3)), a, "deterministic given the Rng");
    for (let i = 0; i < a.length; i++) assert.ok(a[i] >= 0 && a[i] < NVEC[i % 2]);
  });
});

test("gradients pass central finite differences in float64", () => {
  const shape = [2, 5];
  const actions = Int32Array.from([1, 0, 2, 1]);
  const masks = Uint8Array.from([1, 1, 0, 1, 1, 0, 1, 1, 0, 1]);
  const checks = [
    gradCheck(([l]) => new MultiCategorical(l, NVEC).logProb(actions), [{ values: LOGITS, shape }]),
    gradCheck(([l]) => new MultiCategorical(l, NVEC).entropy(), [{ values: LOGITS, shape }]),
    gradCheck(
      ([l, m]) => new MultiCategorical(l, NVEC).kl(new MultiCategorical(m, NVEC)),
      [
        { values: LOGITS, shape },
        { values: OTHER, shape },
      ],
    ),
    gradCheck(([l]) => new MultiCategorical(l, NVEC, { actionMasks: masks }).entropy(), [{ values: LOGITS, shape }]),
  ];
  for (const r of checks) assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
});

test("masks: per-dimension blocks; masked values never sampled; a block allowing nothing is an error naming it", () => {
  const engine = new Engine();
  engine.scope(() => {
    const l = engine.tensor(LOGITS, [2, 5]);
    const masks = Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 0, 0, 1]);
    const d = new MultiCategorical(l, NVEC, { actionMasks: masks });
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const a = d.sample(rng);
      assert.equal(a[0], 2);
      assert.notEqual(a[2], 2);
      assert.equal(a[3], 1);
    }
    assert.deepEqual(d.logProb(Int32Array.from([0, 0, 0, 1])).toArray()[0], Number.NEGATIVE_INFINITY);
    assert.throws(
      () => new MultiCategorical(l, NVEC, { actionMasks: Uint8Array.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]) }),
      (e) => e instanceof InvalidArgumentError && /dimension 1.*row 0 allows no action/.test(e.message),
    );
    assert.throws(() => new MultiCategorical(l, NVEC, { actionMasks: new Uint8Array(6) }), ShapeError);
  });
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const l = engine.tensor(LOGITS, [2, 5]);
    assert.throws(() => new MultiCategorical(l, [3, 3]), /shape \[B, 6\]/);
    assert.throws(() => new MultiCategorical(l, []), InvalidArgumentError);
    assert.throws(() => new MultiCategorical(l, [5, 0]), /positive integers/);
    const d = new MultiCategorical(l, NVEC);
    assert.throws(
      () => d.logProb(Int32Array.from([0, 2, 0, 0])),
      (e) =>
        e instanceof InvalidArgumentError &&
        /actions\[1\] \(row 0, dimension 1\) = 2 is outside \[0, 2\)/.test(e.message),
    );
    assert.throws(() => d.logProb(Int32Array.from([0, 0])), ShapeError);
    assert.throws(() => d.logProb([0, 0, 0, 0] as unknown as Int32Array), /Int32Array/);
  });
});
