import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import * as op from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";

const rng = new Rng(99);
const rand = (n: number, lo = -2, hi = 2) => Array.from({ length: n }, () => rng.uniformRange(lo, hi));

function close(got: number[], want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])),
      `${what}[${i}]: ${got[i]} vs ${want[i]}`,
    );
  }
}

// Forward values against plain scalar JavaScript, on each engine the runtime offers.
for (const opts of [
  { dtype: "float64" as const, kernels: "ts" as const },
  { dtype: "float32" as const, kernels: "ts" as const },
  { dtype: "float32" as const, kernels: "auto" as const },
]) {
  const tol = opts.dtype === "float64" ? 1e-12 : 2e-6;
  test(`forward values match scalar JavaScript (${opts.dtype}, kernels ${opts.kernels})`, () => {
    const e = new Engine(opts);
    e.scope(() => {
      const B = 5;
      const D = 7;
      const av = rand(B * D);
      const bv = rand(B * D, 0.5, 2);
      const rowv = rand(D, 0.5, 2);
      const colv = rand(B);
      const a = e.tensor(av, [B, D]);
      const b = e.tensor(bv, [B, D]);
      const row = e.tensor(rowv, [D]);
      const col = e.tensor(colv, [B, 1]);
      const s = e.tensor([1.5], []);
      const ew = (f: (x: number, y: number) => number, yv: (i: number) => number) => av.map((x, i) => f(x, yv(i)));
      const full = (i: number) => bv[i];
      const r = (i: number) => rowv[i % D];
      const c = (i: number) => colv[Math.floor(i / D)];
      close(
        op.add(a, b).toArray(),
        ew((x, y) => x + y, full),
        tol,
        "add",
      );
      close(
        op.sub(a, row).toArray(),
        ew((x, y) => x - y, r),
        tol,
        "sub row",
      );
      close(
        op.mul(a, col).toArray(),
        ew((x, y) => x * y, c),
        tol,
        "mul col",
      );
      close(
        op.div(a, s).toArray(),
        ew((x) => x / 1.5, full),
        tol,
        "div scalar",
      );
      close(
        op.div(s, a).toArray(),
        ew((x) => 1.5 / x, full),
        tol * 100,
        "scalar div",
      );
      close(op.minimum(a, b).toArray(), ew(Math.min, full), tol, "minimum");
      close(op.maximum(row, a).toArray(), ew(Math.max, r), tol, "maximum row");
      close(
        op.neg(a).toArray(),
        av.map((x) => -x),
        tol,
        "neg",
      );
      close(op.exp(a).toArray(), av.map(Math.exp), tol, "exp");
      close(op.log(b).toArray(), bv.map(Math.log), tol, "log");
      close(op.tanh(a).toArray(), av.map(Math.tanh), tol, "tanh");
      close(
        op.relu(a).toArray(),
        av.map((x) => Math.max(x, 0)),
        tol,
        "relu",
      );
      close(
        op.square(a).toArray(),
        av.map((x) => x * x),
        tol,
        "square",
      );
      close(op.sqrt(b).toArray(), bv.map(Math.sqrt), tol, "sqrt");
      close(op.abs(a).toArray(), av.map(Math.abs), tol, "abs");
      close(
        op.clamp(a, -0.5, 0.25).toArray(),
        av.map((x) => Math.min(Math.max(x, -0.5), 0.25)),
        tol,
        "clamp",
      );
      close(
        op.addScalar(a, 3).toArray(),
        av.map((x) => x + 3),
        tol,
        "addScalar",
      );
      close(
        op.mulScalar(a, -2).toArray(),
        av.map((x) => -2 * x),
        tol,
        "mulScalar",
      );
      const rowSums = Array.from({ length: B }, (_, i) => av.slice(i * D, (i + 1) * D).reduce((p, q) => p + q, 0));
      const colSums = Array.from({ length: D }, (_, j) => rowSums.reduce((p, _q, i) => p + av[i * D + j], 0));
      close(op.sum(a, 1).toArray(), rowSums, tol * 10, "sum axis 1");
      close(op.sum(a, 0).toArray(), colSums, tol * 10, "sum axis 0");
      close(op.mean(a).toArray(), [rowSums.reduce((p, q) => p + q, 0) / (B * D)], tol * 10, "mean");
      close(
        op.mean(a, -1).toArray(),
        rowSums.map((v) => v / D),
        tol * 10,
        "mean axis -1",
      );
      const maxes = Array.from({ length: B }, (_, i) => Math.max(...av.slice(i * D, (i + 1) * D)));
      close(op.max(a).toArray(), maxes, tol, "max");
      assert.deepEqual(
        Array.from(op.argmax(a)),
        maxes.map((m, i) => av.slice(i * D, (i + 1) * D).indexOf(m)),
      );
      const lse = maxes.map(
        (m, i) => m + Math.log(av.slice(i * D, (i + 1) * D).reduce((p, x) => p + Math.exp(x - m), 0)),
      );
      close(
        op.logSoftmax(a).toArray(),
        av.map((x, i) => x - lse[Math.floor(i / D)]),
        tol * 10,
        "logSoftmax",
      );
      const idx = Int32Array.from({ length: B }, () => rng.int(D));
      close(
        op.gather(a, idx).toArray(),
        Array.from(idx, (j, i) => av[i * D + j]),
        tol,
        "gather",
      );
      const mask = Uint8Array.from({ length: B * D }, () => rng.int(2));
      close(
        op.where(mask, a, b).toArray(),
        av.map((x, i) => (mask[i] ? x : bv[i])),
        tol,
        "where",
      );
      close(
        op.where(mask, a, s).toArray(),
        av.map((x, i) => (mask[i] ? x : 1.5)),
        tol,
        "where scalar",
      );
      // matmul / linear against triple loops
      const w = e.tensor(rand(3 * D), [3, D]);
      const bias = e.tensor(rand(3), [3]);
      const wv = w.toArray();
      const biasv = bias.toArray();
      const lin: number[] = [];
      for (let i = 0; i < B; i++) {
        for (let o = 0; o < 3; o++) {
          let acc = biasv[o];
          for (let k = 0; k < D; k++) acc += av[i * D + k] * wv[o * D + k];
          lin.push(acc);
        }
      }
      close(op.linear(a, w, bias).toArray(), lin, tol * 10, "linear");
      close(
        op.addScalar(op.matmul(a, w, { transB: true }), 0).toArray(),
        lin.map((v, i) => v - biasv[i % 3]),
        tol * 10,
        "matmul transB",
      );
      const wa = op.matmul(w, a, { transB: true }); // [3, B] = W A^T, the transpose of the linear output
      assert.deepEqual(wa.shape, [3, B]);
      const waT = Array.from(
        { length: 3 * B },
        (_, q) => lin[(q % B) * 3 + Math.floor(q / B)] - biasv[Math.floor(q / B)],
      );
      close(wa.toArray(), waT, tol * 10, "matmul W A^T");
      const at = e.tensor(
        Array.from({ length: D * B }, (_, q) => av[(q % B) * D + Math.floor(q / B)]),
        [D, B],
      );
      close(
        op.matmul(at, w, { transA: true, transB: true }).toArray(),
        op.matmul(a, w, { transB: true }).toArray(),
        tol * 10,
        "matmul transA transB",
      );
      assert.deepEqual(op.reshape(a, [D, B]).shape, [D, B]);
      assert.equal(op.stopGradient(a).requiresGrad, false);
    });
  });
}

test("ops on parameters record exactly when gradients are needed", () => {
  const e = new Engine();
  const w = e.parameter([2]);
  e.scope(() => {
    const c = e.tensor([1, 2], [2]);
    const y = op.mul(c, c);
    assert.equal(y.requiresGrad, false);
    assert.equal(e.tapeLength, 0);
    const z: Tensor = op.mul(w, c);
    assert.equal(z.requiresGrad, true);
    assert.equal(e.tapeLength, 1);
  });
});

test("linear without an activation keeps the unfused arithmetic (matmul, then bias) bit for bit", () => {
  const e = new Engine();
  e.scope(() => {
    const x = e.tensor(rand(6 * 5), [6, 5]);
    const w = e.tensor(rand(7 * 5), [7, 5]);
    const b = e.tensor(rand(7), [7]);
    const unfused = op.add(op.matmul(x, w, { transB: true }), b).toArray();
    assert.deepEqual(op.linear(x, w, b).toArray(), unfused);
  });
});

test("linear with an activation runs the core's fused dense-layer kernel (same values as kernels.linear)", () => {
  const e = new Engine();
  e.scope(() => {
    const xv = rand(9 * 6);
    const wv = rand(11 * 6);
    const bv = rand(11);
    for (const [act, kact] of [
      ["identity", "none"],
      ["tanh", "tanh"],
      ["relu", "relu"],
    ] as const) {
      const x = e.tensor(xv, [9, 6]);
      const w = e.tensor(wv, [11, 6]);
      const b = e.tensor(bv, [11]);
      const ref = e.zeros([9, 11]);
      e.kernels.linear(x.offset, w.offset, b.offset, ref.offset, 9, 6, 11, kact);
      assert.deepEqual(op.linear(x, w, b, act).toArray(), ref.toArray(), act);
      // and the same function as the unfused ops, up to float32 rounding
      const z = op.linear(x, w, b);
      const want = act === "tanh" ? op.tanh(z) : act === "relu" ? op.relu(z) : z;
      close(op.linear(x, w, b, act).toArray(), want.toArray(), 1e-5, act);
    }
  });
});

test("linear rejects an unknown activation naming it", () => {
  const e = new Engine();
  e.scope(() => {
    const x = e.zeros([2, 3]);
    const w = e.zeros([4, 3]);
    assert.throws(
      // @ts-expect-error: a caller without types
      () => op.linear(x, w, null, "sigmoid"),
      (err: Error) => err.name === "InvalidArgumentError" && /activation.*"sigmoid"/.test(err.message),
    );
  });
});

test("concat, sliceLast, maskedFill, logSumExp, softplus, sigmoid and min: values and argument checks", () => {
  const e = new Engine({ dtype: "float64", kernels: "ts" });
  e.scope(() => {
    const a = e.tensor([1, 2, 3, 4], [2, 2]);
    const b = e.tensor([5, 6], [2, 1]);
    assert.deepEqual(op.concat([a, b]).toArray(), [1, 2, 5, 3, 4, 6]);
    assert.deepEqual(op.concat([a, b]).shape, [2, 3]);
    assert.deepEqual(op.concat([a]).toArray(), [1, 2, 3, 4]);
    assert.throws(() => op.concat([a, e.zeros([3, 1])]), { name: "ShapeError" });
    assert.throws(() => op.concat([]), { name: "InvalidArgumentError" });
    assert.deepEqual(op.sliceLast(op.concat([a, b]), 1, 3).toArray(), [2, 5, 4, 6]);
    assert.throws(() => op.sliceLast(a, 1, 3), /start 1, end 3/);
    const inf = Number.NEGATIVE_INFINITY;
    const filled = op.maskedFill(a, Uint8Array.from([0, 1, 0, 0]), inf);
    assert.deepEqual(filled.toArray(), [1, inf, 3, 4]);
    close(op.logSumExp(filled).toArray(), [1, Math.log(Math.exp(3) + Math.exp(4))], 1e-12, "logSumExp");
    assert.deepEqual(op.logSumExp(e.tensor([inf, inf], [1, 2])).toArray(), [inf]);
    close(op.logSumExp(e.tensor([1000, 1000], [2])).toArray(), [1000 + Math.log(2)], 1e-12, "no overflow");
    const sp = op.softplus(e.tensor([-800, -1, 0, 2, 800], [5])).toArray();
    close(sp, [0, Math.log1p(Math.exp(-1)), Math.log(2), Math.log1p(Math.exp(2)), 800], 1e-12, "softplus");
    const sg = op.sigmoid(e.tensor([-800, 0, 3, 800], [4])).toArray();
    close(sg, [0, 0.5, 1 / (1 + Math.exp(-3)), 1], 1e-12, "sigmoid");
    assert.deepEqual(op.min(e.tensor([3, -1, 2, 0, 5, 0], [2, 3])).toArray(), [-1, 0]);
  });
});
