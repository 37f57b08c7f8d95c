import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import type { Tensor } from "../../src/core/tensor.js";
import { CheckpointError, InvalidArgumentError } from "../../src/errors.js";
import { Adam } from "../../src/nn/optim/adam.js";
import type { Optimizer } from "../../src/nn/optim/optimizer.js";
import { RMSprop } from "../../src/nn/optim/rmsprop.js";
import { SGD } from "../../src/nn/optim/sgd.js";

// Three steps from p0 with the gradients below. Expected values: the optimizers' update equations (PyTorch's
// documented algorithms; SB3's RMSpropTFLike for epsInsideSqrt) evaluated step by step in float64 by hand-written
// scalar code (see the formulas in each optimizer's doc comment).
const p0 = [1.0, -2.0, 0.5];
const grads = [
  [0.5, -1.0, 0.25],
  [-0.25, 2.0, 0.0],
  [1.5, 0.5, -0.75],
];

function run(engine: Engine, make: (p: Tensor[]) => Optimizer): number[][] {
  const a = engine.parameter([2]);
  const b = engine.parameter([1]);
  a.set(p0.slice(0, 2));
  b.set(p0.slice(2));
  const opt = make([a, b]);
  const out: number[][] = [];
  for (const g of grads) {
    (a.grad as Tensor).set(g.slice(0, 2));
    (b.grad as Tensor).set(g.slice(2));
    opt.step();
    out.push([...a.toArray(), ...b.toArray()]);
  }
  return out;
}

const cases: [string, (p: Tensor[]) => Optimizer, number[]][] = [
  ["Adam", (p) => new Adam(p, { lr: 0.1 }), [0.8063162429161115, -1.9781754731467738, 0.37723892473100373]],
  [
    "Adam eps=1e-5 weightDecay=0.1",
    (p) => new Adam(p, { lr: 0.1, eps: 1e-5, weightDecay: 0.1 }),
    [0.7821228121028948, -1.9531277134770282, 0.3597310109284735],
  ],
  ["SGD", (p) => new SGD(p, { lr: 0.1 }), [0.825, -2.15, 0.55]],
  ["SGD momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), [0.762, -2.159, 0.50725]],
  [
    "SGD nesterov weightDecay",
    (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    [0.603189208191, -2.277336916382, 0.5527647290955],
  ],
  ["SGD dampening", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.5 }), [0.81325, -1.944, 0.46975]],
  ["RMSprop", (p) => new RMSprop(p), [0.8510945290092068, -2.011479653863255, 0.4949628928863312]],
  [
    "RMSprop TF-style (SB3 RMSpropTFLike)",
    (p) => new RMSprop(p, { eps: 1e-5, epsInsideSqrt: true }),
    [0.9824714137862689, -2.014651923015918, 0.5050777391964592],
  ],
  [
    "RMSprop centered momentum",
    (p) => new RMSprop(p, { momentum: 0.9, centered: true }),
    [0.7186611982440662, -1.9199153533459108, 0.32279242192745633],
  ],
  [
    "RMSprop TF-style centered momentum",
    (p) => new RMSprop(p, { momentum: 0.5, centered: true, epsInsideSqrt: true, eps: 1e-5 }),
    [0.9799655273072462, -2.0170063385736765, 0.5031939825834709],
  ],
];

for (const [name, make, expected] of cases) {
  test(`${name} matches the hand-computed steps (float64 and float32)`, () => {
    const got64 = run(new Engine({ dtype: "float64" }), make);
    got64[2].forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]) < 1e-12, `${name}[${i}]: ${v} vs ${expected[i]}`);
    });
    const got32 = run(new Engine({ dtype: "float32" }), make);
    got32[2].forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]) < 2e-5, `${name} f32[${i}]: ${v} vs ${expected[i]}`);
    });
  });
}

test("Adam's first step moves each parameter by lr against the gradient's sign (bias correction)", () => {
  const got = run(new Engine({ dtype: "float64" }), (p) => new Adam(p, { lr: 0.1 }));
  [0.9, -1.9, 0.4].forEach((v, i) => {
    assert.ok(Math.abs(got[0][i] - v) < 1e-6);
  });
});

test("optimizer state round-trips: a restored optimizer continues bit for bit", () => {
  for (const make of [
    (p: Tensor[]) => new Adam(p, { lr: 0.05 }),
    (p: Tensor[]) => new RMSprop(p, { momentum: 0.9, centered: true }),
    (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
  ]) {
    const e = new Engine();
    const p = e.parameter([3]);
    const opt = make([p]);
    const setGrad = (k: number) => (p.grad as Tensor).set([0.1 * k, -0.2, 0.3 / k]);
    p.set(p0);
    setGrad(1);
    opt.step();
    const saved = opt.getState();
    const savedP = p.toArray();
    setGrad(2);
    opt.step();
    const after = p.toArray();
    // a fresh optimizer on a fresh parameter, restored from the snapshot, must take the identical second step
    const q = e.parameter([3]);
    q.set(savedP);
    const opt2 = make([q]);
    opt2.setState(saved);
    assert.equal(opt2.stepCount, 1);
    (q.grad as Tensor).set([0.2, -0.2, 0.15]);
    opt2.step();
    assert.deepEqual(q.toArray(), after);
    assert.ok(Object.keys(opt.stateTensors()).length > 0);
  }
});

test("setState rejects mismatched state", () => {
  const e = new Engine();
  const p = e.parameter([3]);
  const adam = new Adam([p]);
  const s = adam.getState();
  assert.throws(() => new SGD([p], { lr: 1 }).setState(s), CheckpointError);
  assert.throws(
    () => adam.setState({ ...s, tensors: { ...s.tensors, "0.exp_avg": new Float32Array(2) } }),
    CheckpointError,
  );
  assert.throws(() => adam.setState({ ...s, tensors: { "0.exp_avg": new Float32Array(3) } }), /missing/);
  assert.throws(() => adam.setState({ ...s, stepCount: -1 }), CheckpointError);
});

test("optimizer options are validated", () => {
  const e = new Engine();
  const p = e.parameter([2]);
  assert.throws(() => new Adam([p], { lr: -1 }), InvalidArgumentError);
  assert.throws(() => new Adam([p], { betas: [1, 0.9] }), InvalidArgumentError);
  assert.throws(() => new Adam([], {}), InvalidArgumentError);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov/);
  assert.throws(() => new RMSprop([p], { alpha: 1.5 }), InvalidArgumentError);
  assert.throws(() => new Adam([e.zeros([2])]), /persistent tensor with requiresGrad/);
  assert.throws(() => e.scope(() => new Adam([p])), /outside engine.scope/);
});

test("a run of back-to-back parameters steps like the same parameters apart (one kernel call per run)", () => {
  const shapes = [[3, 5], [3], [2, 2], [1]];
  const run = (apart: boolean) => {
    const e = new Engine();
    const params: Tensor[] = [];
    for (const s of shapes) {
      params.push(e.parameter(s));
      if (apart) e.parameter([1]); // a parameter outside the list between each: every tensor is its own run
    }
    for (const [i, p] of params.entries()) p.set(Array.from({ length: p.size }, (_, j) => Math.sin(i + j)));
    for (const opt of [
      new Adam(params, { lr: 0.01, weightDecay: 0.1 }),
      new RMSprop(params, { momentum: 0.5, centered: true }),
      new SGD(params, { lr: 0.1, momentum: 0.9 }),
    ]) {
      assert.equal(opt.runs.length, apart ? shapes.length : 1);
      for (let t = 0; t < 4; t++) {
        opt.zeroGrad();
        for (const [i, p] of params.entries()) {
          (p.grad as Tensor).set(Array.from({ length: p.size }, (_, j) => Math.cos(t + i * j)));
        }
        opt.step();
      }
    }
    return params.map((p) => p.toArray());
  };
  const together = run(false);
  const apart = run(true);
  // float32 SIMD lanes and the scalar tail associate Adam's g*g term differently: equal to float32 rounding
  for (const [i, vals] of together.entries()) {
    for (const [j, v] of vals.entries())
      assert.ok(Math.abs(v - apart[i][j]) <= 1e-6 * Math.max(1, Math.abs(v)), `${i}.${j}`);
  }
});
