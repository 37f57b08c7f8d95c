import assert from "node:assert/strict";
import { test } from "node:test";
import type { Engine } from "../../src/core/engine.js";
import { Engine as EngineClass } from "../../src/core/engine.js";
import { type GradCheckInput, gradCheck, projectedGradients, relativeError } from "../../src/core/gradcheck.js";
import * as op from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";

const rng = new Rng(1234);

/** Random values in [lo, hi), kept at least `gap` away from `kinks` (relu/abs/clamp/min/max are not smooth there). */
function rand(shape: number[], lo = -2, hi = 2, kinks: number[] = [], gap = 0.05): GradCheckInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  while (values.length < n) {
    const v = rng.uniformRange(lo, hi);
    if (kinks.every((k) => Math.abs(v - k) > gap)) values.push(v);
  }
  return { values, shape };
}

/** Values of `a` shifted so that no element is within `gap` of the matching element of `b` (for min/max). */
function apart(a: GradCheckInput, b: GradCheckInput, gap = 0.1): GradCheckInput {
  const bv = Array.from(b.values);
  const values = Array.from(a.values).map((v, i) => {
    const w = bv[b.values.length === a.values.length ? i : i % b.values.length];
    return Math.abs(v - w) < gap ? w + (v >= w ? gap : -gap) * 2 : v;
  });
  return { values, shape: a.shape };
}

type Case = [string, (t: Tensor[], e: Engine) => Tensor, GradCheckInput[]];

const cases: Case[] = [
  ["matmul", ([a, b]) => op.matmul(a, b), [rand([3, 4]), rand([4, 5])]],
  ["matmul transA", ([a, b]) => op.matmul(a, b, { transA: true }), [rand([4, 3]), rand([4, 5])]],
  ["matmul transB", ([a, b]) => op.matmul(a, b, { transB: true }), [rand([3, 4]), rand([5, 4])]],
  ["matmul transA transB", ([a, b]) => op.matmul(a, b, { transA: true, transB: true }), [rand([4, 3]), rand([5, 4])]],
  ["linear", ([x, w, b]) => op.linear(x, w, b), [rand([5, 3]), rand([4, 3]), rand([4])]],
  ["linear no bias", ([x, w]) => op.linear(x, w), [rand([2, 3]), rand([4, 3])]],
  ["linear 1-D input", ([x, w, b]) => op.linear(x, w, b), [rand([3]), rand([4, 3]), rand([4])]],
  ["linear fused identity", ([x, w, b]) => op.linear(x, w, b, "identity"), [rand([5, 3]), rand([4, 3]), rand([4])]],
  ["linear fused tanh", ([x, w, b]) => op.linear(x, w, b, "tanh"), [rand([5, 3]), rand([4, 3]), rand([4])]],
  [
    "linear fused relu",
    ([x, w, b]) => op.linear(x, w, b, "relu"),
    // the pre-activations x W^T + b are kept away from relu's kink
    [
      { values: [0.5, -1, 1.5, 1, 0.25, -0.5], shape: [2, 3] },
      { values: [1, 0.5, -0.3, -0.8, 0.2, 0.1, 0.3, 0.3, 0.3], shape: [3, 3] },
      { values: [0.1, -0.2, 0.05], shape: [3] },
    ],
  ],
  ["linear fused tanh no bias", ([x, w]) => op.linear(x, w, null, "tanh"), [rand([2, 3]), rand([4, 3])]],
  ["linear fused tanh 1-D input", ([x, w, b]) => op.linear(x, w, b, "tanh"), [rand([3]), rand([4, 3]), rand([4])]],
  [
    "two fused layers (gradient through the lower activation)",
    ([x, w1, b1, w2, b2]) => op.linear(op.linear(x, w1, b1, "tanh"), w2, b2, "identity"),
    [rand([4, 3]), rand([5, 3]), rand([5]), rand([2, 5]), rand([2])],
  ],
  [
    // the upper layer's backward writes the lower layer's dz in one fused kernel (relu: away from the kink)
    "three fused layers, relu (fused input gradient)",
    ([x, w1, b1, w2, b2, w3]) => op.linear(op.linear(op.linear(x, w1, b1, "relu"), w2, b2, "relu"), w3, null, "tanh"),
    [
      rand([4, 3], 0.2, 1),
      rand([5, 3], 0.2, 1),
      rand([5], 0.2, 1),
      rand([4, 5], 0.2, 1),
      rand([4], 0.2, 1),
      rand([2, 4]),
    ],
  ],
  [
    // a hidden layer read by two heads (a shared trunk): no fusion, both heads' gradients add up
    "a fused layer feeding two layers",
    ([x, w1, b1, w2, w3]) => {
      const h = op.linear(x, w1, b1, "tanh");
      return op.add(op.linear(h, w2, null, "tanh"), op.linear(h, w3, null, "identity"));
    },
    [rand([4, 3]), rand([5, 3]), rand([5]), rand([2, 5]), rand([2, 5])],
  ],
  ["add", ([a, b]) => op.add(a, b), [rand([3, 4]), rand([3, 4])]],
  ["add row broadcast", ([a, b]) => op.add(a, b), [rand([3, 4]), rand([4])]],
  ["add row broadcast (left)", ([a, b]) => op.add(a, b), [rand([4]), rand([3, 4])]],
  ["add column broadcast", ([a, b]) => op.add(a, b), [rand([3, 4]), rand([3, 1])]],
  ["add scalar tensor", ([a, b]) => op.add(a, b), [rand([3, 4]), rand([])]],
  ["sub", ([a, b]) => op.sub(a, b), [rand([3, 4]), rand([3, 4])]],
  ["sub row broadcast", ([a, b]) => op.sub(a, b), [rand([3, 4]), rand([4])]],
  ["sub scalar (left)", ([a, b]) => op.sub(a, b), [rand([1]), rand([5])]],
  ["mul", ([a, b]) => op.mul(a, b), [rand([3, 4]), rand([3, 4])]],
  ["mul row broadcast", ([a, b]) => op.mul(a, b), [rand([3, 4]), rand([4])]],
  ["mul column broadcast", ([a, b]) => op.mul(a, b), [rand([3, 1]), rand([3, 4])]],
  ["mul scalar", ([a, b]) => op.mul(a, b), [rand([2, 3]), rand([1])]],
  ["div", ([a, b]) => op.div(a, b), [rand([3, 4]), rand([3, 4], 0.5, 2)]],
  ["div row broadcast", ([a, b]) => op.div(a, b), [rand([3, 4]), rand([4], 0.5, 2)]],
  ["div scalar", ([a, b]) => op.div(a, b), [rand([6]), rand([], 0.5, 2)]],
  ["div scalar numerator", ([a, b]) => op.div(a, b), [rand([]), rand([2, 3], 0.5, 2)]],
  ["neg", ([a]) => op.neg(a), [rand([3, 4])]],
  ["exp", ([a]) => op.exp(a), [rand([3, 4])]],
  ["log", ([a]) => op.log(a), [rand([3, 4], 0.2, 3)]],
  ["tanh", ([a]) => op.tanh(a), [rand([3, 4])]],
  ["relu", ([a]) => op.relu(a), [rand([3, 4], -2, 2, [0])]],
  ["square", ([a]) => op.square(a), [rand([3, 4])]],
  ["sqrt", ([a]) => op.sqrt(a), [rand([3, 4], 0.2, 3)]],
  ["abs", ([a]) => op.abs(a), [rand([3, 4], -2, 2, [0])]],
  ["clamp", ([a]) => op.clamp(a, -0.8, 0.6), [rand([4, 5], -2, 2, [-0.8, 0.6])]],
  ["addScalar", ([a]) => op.addScalar(a, 0.7), [rand([3, 4])]],
  ["mulScalar", ([a]) => op.mulScalar(a, -1.3), [rand([3, 4])]],
  ["minimum", ([a, b]) => op.minimum(a, b), ((b) => [apart(rand([3, 4]), b), b])(rand([3, 4]))],
  ["maximum", ([a, b]) => op.maximum(a, b), ((b) => [apart(rand([3, 4]), b), b])(rand([3, 4]))],
  ["maximum row broadcast", ([a, b]) => op.maximum(a, b), ((b) => [apart(rand([3, 4]), b), b])(rand([4]))],
  ["minimum scalar", ([a, b]) => op.minimum(a, b), [rand([3, 4], -2, 2, [0.3], 0.1), { values: [0.3], shape: [] }]],
  ["sum all", ([a]) => op.sum(a), [rand([3, 4])]],
  ["sum axis 0", ([a]) => op.sum(a, 0), [rand([3, 4])]],
  ["sum axis 1", ([a]) => op.sum(a, 1), [rand([3, 4])]],
  ["sum axis -1 of 3-D", ([a]) => op.sum(a, -1), [rand([2, 3, 4])]],
  ["sum middle axis of 3-D", ([a]) => op.sum(a, 1), [rand([2, 3, 4])]],
  ["mean all", ([a]) => op.mean(a), [rand([3, 4])]],
  ["mean axis 0", ([a]) => op.mean(a, 0), [rand([3, 4])]],
  ["mean axis 1", ([a]) => op.mean(a, 1), [rand([3, 4])]],
  ["max last axis", ([a]) => op.max(a), [{ values: [0.1, 0.9, -0.4, 1.5, 0.2, 0.4], shape: [2, 3] }]],
  ["softplus", ([a]) => op.softplus(a), [rand([3, 4], -30, 30)]],
  ["sigmoid", ([a]) => op.sigmoid(a), [rand([3, 4], -6, 6)]],
  ["logSumExp", ([a]) => op.logSumExp(a), [rand([3, 4], -5, 5)]],
  ["logSumExp 3-D", ([a]) => op.logSumExp(a), [rand([2, 2, 3], -5, 5)]],
  ["min last axis", ([a]) => op.min(a), [{ values: [0.1, 0.9, -0.4, 1.5, 0.2, 0.4], shape: [2, 3] }]],
  ["concat two", ([a, b]) => op.concat([a, b]), [rand([3, 2]), rand([3, 4])]],
  ["concat three 3-D", ([a, b, c]) => op.concat([a, b, c]), [rand([2, 2, 1]), rand([2, 2, 3]), rand([2, 2, 2])]],
  ["concat reused operand", ([a]) => op.concat([a, op.square(a)]), [rand([2, 3])]],
  ["sliceLast", ([a]) => op.sliceLast(a, 1, 3), [rand([3, 4])]],
  ["slices recombined", ([a]) => op.mul(op.sliceLast(a, 0, 2), op.sliceLast(a, 2, 4)), [rand([3, 4])]],
  ["maskedFill", ([a]) => op.maskedFill(a, Uint8Array.from([1, 0, 0, 1, 1, 0]), 0.25), [rand([2, 3])]],
  [
    "maskedFill -Infinity then logSumExp (finite gradient to the unmasked entries)",
    ([a]) => op.logSumExp(op.maskedFill(a, Uint8Array.from([0, 1, 0, 1, 0, 0]), Number.NEGATIVE_INFINITY)),
    [rand([2, 3])],
  ],
  ["logSoftmax", ([a]) => op.logSoftmax(a), [rand([4, 5])]],
  ["logSoftmax 1-D", ([a]) => op.logSoftmax(a), [rand([6], -10, 10)]],
  ["gather", ([a]) => op.gather(a, Int32Array.from([2, 0, 3, 3])), [rand([4, 5])]],
  ["where", ([a, b]) => op.where(Uint8Array.from([1, 0, 0, 1, 1, 0]), a, b), [rand([2, 3]), rand([2, 3])]],
  ["where row broadcast", ([a, b]) => op.where(Uint8Array.from([1, 0, 0, 1, 1, 0]), a, b), [rand([2, 3]), rand([3])]],
  ["reshape", ([a]) => op.mul(op.reshape(a, [3, 2]), op.reshape(a, [3, 2])), [rand([2, 3])]],
  [
    "composite: PPO clipped objective",
    ([logits, oldLogp, adv]) => {
      const logp = op.gather(op.logSoftmax(logits), Int32Array.from([1, 0, 2]));
      const ratio = op.exp(op.sub(logp, oldLogp));
      const s1 = op.mul(ratio, adv);
      const s2 = op.mul(op.clamp(ratio, 0.8, 1.2), adv);
      return op.neg(op.mean(op.minimum(s1, s2)));
    },
    [rand([3, 3], -1, 1), rand([3], -1.5, -0.8), rand([3], -1, 1, [0], 0.2)],
  ],
  [
    "composite: reused input (gradient accumulation)",
    ([a]) => op.add(op.mul(a, a), op.tanh(op.add(a, a))),
    [rand([2, 2])],
  ],
];

for (const [name, fn, inputs] of cases) {
  test(`gradcheck ${name}`, () => {
    const r = gradCheck(fn, inputs);
    assert.ok(
      r.maxRelError < 1e-6,
      `${name}: relative error ${r.maxRelError}\n${JSON.stringify(r.inputs.map((i) => [i.analytic, i.numeric]))}`,
    );
  });
}

// The same backward rules on the float32 kernels the engine picks by default (WebAssembly SIMD where available):
// gradients must agree with the float64 reference to float32 precision.
test("float32 gradients (default kernels) agree with float64 for every case", () => {
  const f32 = new EngineClass();
  const f64 = new EngineClass({ dtype: "float64", kernels: "ts" });
  for (const [name, fn, inputs] of cases) {
    const a = projectedGradients(f32, fn, inputs).grads;
    const b = projectedGradients(f64, fn, inputs).grads;
    a.forEach((g, i) => {
      const err = relativeError(g, b[i]);
      assert.ok(err < 1e-4, `${name} (${f32.kernels.name}) input ${i}: relative error ${err}`);
    });
  }
});

test("stopGradient passes values and blocks gradients", () => {
  const r = gradCheck(([a, b]) => op.mul(op.stopGradient(a), b), [rand([3]), rand([3])]);
  assert.deepEqual(r.inputs[0].analytic, [0, 0, 0]);
  assert.ok(r.inputs[0].relError > 0.5, "the numeric side sees a's effect");
  assert.ok(r.inputs[1].relError < 1e-6, `b: ${r.inputs[1].relError}`);
});

test("gradcheck detects a wrong gradient (the check can fail)", () => {
  // exp's output used as if it were the input of square: a deliberately different function for the numeric side
  let calls = 0;
  const r = gradCheck(
    ([a]) => {
      calls++;
      // first call (analytic) uses square, later calls (numeric) use exp: the gradients disagree
      return calls === 1 ? op.square(a) : op.exp(a);
    },
    [rand([3])],
  );
  assert.ok(r.maxRelError > 1e-3);
});
