import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { linear, mean, relu, square, sub, tanh } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { orthogonalInit } from "../../src/nn/init.js";
import { Linear } from "../../src/nn/linear.js";
import { MLP } from "../../src/nn/mlp.js";
import { parameterCount } from "../../src/nn/module.js";

function gram(t: Tensor, byRows: boolean): number[][] {
  const [r, c] = t.shape;
  const v = t.toArray();
  const n = byRows ? r : c;
  const len = byRows ? c : r;
  const at = (i: number, k: number) => (byRows ? v[i * c + k] : v[k * c + i]);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    out.push([]);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(i, k) * at(j, k);
      out[i].push(s);
    }
  }
  return out;
}

test("orthogonalInit gives gain * orthonormal rows (wide) or columns (tall)", () => {
  const e = new Engine({ dtype: "float64" });
  const rng = new Rng(0);
  for (const [shape, gain] of [
    [[64, 4], Math.SQRT2],
    [[2, 64], 0.01],
    [[8, 8], 1],
  ] as [number[], number][]) {
    const t = e.parameter(shape);
    orthogonalInit(t, gain, rng);
    const g = gram(t, shape[0] <= shape[1]);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < g.length; j++) {
        const v = g[i][j];
        assert.ok(Math.abs(v - (i === j ? gain * gain : 0)) < 1e-12, `${shape}: G[${i}][${j}]=${v}`);
      }
    }
  }
});

test("orthogonalInit is deterministic for a seed and differs across seeds", () => {
  const e = new Engine();
  const a = e.parameter([5, 3]);
  const b = e.parameter([5, 3]);
  orthogonalInit(a, 1, new Rng(7));
  orthogonalInit(b, 1, new Rng(7));
  assert.deepEqual(a.toArray(), b.toArray());
  orthogonalInit(b, 1, new Rng(8));
  assert.notDeepEqual(a.toArray(), b.toArray());
});

test("MLP: shapes, parameter order, gains, zero biases, PyTorch default init bounds", () => {
  const e = new Engine();
  const net = new MLP(e, new Rng(1), { inputSize: 4, hiddenSizes: [64, 64], outputSize: 2, outputGain: 0.01 });
  const ps = net.parameters();
  assert.deepEqual(
    ps.map((p) => p.shape),
    [[64, 4], [64], [64, 64], [64], [2, 64], [2]],
  );
  assert.equal(parameterCount(ps), 4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
  assert.ok(ps[1].toArray().every((v) => v === 0));
  const out = gram(ps[4], true); // output rows have norm 0.01
  assert.ok(Math.abs(out[0][0] - 1e-4) < 1e-9);
  e.scope(() => {
    const y = net.forward(e.tensor(new Float32Array(12).fill(0.5), [3, 4]));
    assert.deepEqual(y.shape, [3, 2]);
    const single = net.forward(e.tensor([0.5, 0.5, 0.5, 0.5], [4]));
    assert.deepEqual(single.shape, [2]);
    assert.ok(Math.abs(single.toArray()[0] - y.toArray()[0]) < 1e-6);
  });
  const d = new Linear(e, new Rng(2), 16, 3, { init: "default" });
  const bound = 1 / 4;
  assert.ok(d.weight.toArray().every((v) => Math.abs(v) <= bound));
  assert.ok((d.bias as Tensor).toArray().every((v) => Math.abs(v) <= bound));
  assert.ok((d.bias as Tensor).toArray().some((v) => v !== 0));
  assert.throws(() => new MLP(e, new Rng(0), { inputSize: 0, hiddenSizes: [], outputSize: 1 }), InvalidArgumentError);
  assert.throws(
    () => new MLP(e, new Rng(0), { inputSize: 2, hiddenSizes: [], outputSize: 1, activation: "gelu" as "tanh" }),
    InvalidArgumentError,
  );
});

test("MLP fuseActivation: false runs activation(linear(h, W, b)) as separate ops, same draws as the fused MLP", () => {
  const e = new Engine();
  for (const activation of ["tanh", "relu"] as const) {
    const opts = { inputSize: 5, hiddenSizes: [7, 6], outputSize: 3, activation, init: "default" } as const;
    const fused = new MLP(e, new Rng(4), { ...opts, activateOutput: true });
    const net = new MLP(e, new Rng(4), { ...opts, activateOutput: true, fuseActivation: false });
    const p = net.parameters();
    p.forEach((t, i) => {
      assert.deepEqual(t.toArray(), fused.parameters()[i].toArray(), `parameter ${i}`);
    });
    const act = activation === "relu" ? relu : tanh;
    e.scope(() => {
      const rng = new Rng(5);
      const x = e.tensor(
        Array.from({ length: 20 }, () => rng.normal()),
        [4, 5],
      );
      let h = x;
      for (let i = 0; i < 3; i++) h = act(linear(h, p[2 * i], p[2 * i + 1]));
      assert.deepEqual(net.forward(x).toArray(), h.toArray());
      const near = fused.forward(x).toArray();
      h.toArray().forEach((v, i) => {
        assert.ok(Math.abs(v - near[i]) < 1e-5, `${v} vs fused ${near[i]}`);
      });
    });
  }
  assert.throws(
    () =>
      new MLP(e, new Rng(0), { inputSize: 2, hiddenSizes: [], outputSize: 1, fuseActivation: 1 as unknown as boolean }),
    /MLP: fuseActivation must be a boolean, got 1/,
  );
});

for (const activation of ["tanh", "relu"] as const) {
  test(`MLP.jvp (${activation}) equals the central difference of the output along the tangent`, () => {
    const e = new Engine({ dtype: "float64" });
    const rng = new Rng(3);
    const net = new MLP(e, rng, { inputSize: 3, hiddenSizes: [5, 4], outputSize: 2, activation, biasInit: 0.1 });
    const params = net.parameters();
    const x = e.tensor(
      Array.from({ length: 12 }, () => rng.normal()),
      [4, 3],
    );
    const dirs = params.map((p) => Array.from({ length: p.size }, () => rng.normal()));
    const tangents = params.map((p, i) => e.tensor(dirs[i], p.shape));
    const jv = e.noGrad(() => e.scope(() => net.jvp(x, tangents).tangentOutput.toArray()));
    const h = 1e-6;
    const base = params.map((p) => p.toArray());
    const at = (s: number) =>
      e.noGrad(() => {
        params.forEach((p, i) => {
          p.set(base[i].map((v, j) => v + s * dirs[i][j]));
        });
        return e.scope(() => net.forward(x).toArray());
      });
    const plus = at(h);
    const minus = at(-h);
    params.forEach((p, i) => {
      p.set(base[i]);
    });
    const fd = plus.map((v, i) => (v - minus[i]) / (2 * h));
    let num = 0;
    let den = 0;
    fd.forEach((v, i) => {
      num += (v - jv[i]) ** 2;
      den += v * v;
    });
    assert.ok(Math.sqrt(num / den) < 1e-7, `relative error ${Math.sqrt(num / den)}`);
    assert.throws(() => net.jvp(x, tangents.slice(1)), InvalidArgumentError);
    assert.throws(() => net.jvp(x, [tangents[1], ...tangents.slice(1)]), ShapeError);
  });
}

test("MLP trains: loss falls on a fixed regression batch", async () => {
  const { Adam } = await import("../../src/nn/optim/adam.js");
  const e = new Engine();
  const rng = new Rng(5);
  const net = new MLP(e, rng, { inputSize: 2, hiddenSizes: [16], outputSize: 1 });
  const opt = new Adam(net.parameters(), { lr: 0.01 });
  const xs = Array.from({ length: 64 }, () => rng.uniformRange(-1, 1));
  const ys = Array.from({ length: 32 }, (_, i) => xs[2 * i] * xs[2 * i + 1]);
  const losses: number[] = [];
  for (let s = 0; s < 300; s++) {
    losses.push(
      e.scope(() => {
        opt.zeroGrad();
        const loss = mean(square(sub(net.forward(e.tensor(xs, [32, 2])), e.tensor(ys, [32, 1]))));
        e.backward(loss);
        opt.step();
        return loss.item();
      }),
    );
  }
  assert.ok(losses[299] < 0.2 * losses[0], `loss ${losses[0]} -> ${losses[299]}`);
});
