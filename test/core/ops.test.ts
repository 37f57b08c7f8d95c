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
