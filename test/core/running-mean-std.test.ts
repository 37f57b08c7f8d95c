import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/rng.js";
import { RunningMeanStd } from "../../src/core/running-mean-std.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";
import { minorGcsDuring } from "../support/gc.js";

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

test("first update matches the hand-computed Chan merge with SB3's epsilon count", () => {
  const r = new RunningMeanStd();
  r.update([1, 2, 3]);
  const eps = 1e-4;
  const n = eps + 3;
  // batch mean 2, population variance 2/3; prior mean 0, var 1, count eps
  close(r.mean[0], (2 * 3) / n, 1e-15, "mean");
  close(r.var[0], (1 * eps + (2 / 3) * 3 + 4 * ((eps * 3) / n)) / n, 1e-15, "var");
  assert.equal(r.count, n);
});

test("batch splits do not change the statistics (parallel update), and match two-pass moments", () => {
  const rng = new Rng(3);
  const d = 3;
  const rows = 257;
  const data = new Float64Array(rows * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(5, 3) * (1 + (i % d));
  const whole = new RunningMeanStd([d], { epsilon: 1e-300 });
  whole.update(data);
  const pieces = new RunningMeanStd([d], { epsilon: 1e-300 });
  let r = 0;
  for (const n of [1, 7, 100, 1, 148]) {
    pieces.update(data.subarray(r * d, (r + n) * d), n);
    r += n;
  }
  assert.equal(r, rows);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < rows; i++) m += data[i * d + j];
    m /= rows;
    let v = 0;
    for (let i = 0; i < rows; i++) v += (data[i * d + j] - m) ** 2;
    v /= rows;
    close(whole.mean[j], m, 1e-12, `mean[${j}]`);
    close(whole.var[j], v, 1e-12, `var[${j}]`);
    close(pieces.mean[j], m, 1e-12, `split mean[${j}]`);
    close(pieces.var[j], v, 1e-12, `split var[${j}]`);
  }
});

test("normalize centres, scales and clips; getState/setState round-trips exactly", () => {
  const r = new RunningMeanStd(2);
  r.setState({ mean: [1, -2], var: [4, 0.25], count: 10 });
  const out = r.normalize(new Float32Array([3, -2, 101, -100]), new Float32Array(4), 10);
  close(out[0], 2 / Math.sqrt(4 + 1e-8), 1e-6, "x0");
  assert.equal(out[1], 0);
  assert.equal(out[2], 10);
  assert.equal(out[3], -10);
  const copy = new RunningMeanStd(2);
  copy.setState(JSON.parse(JSON.stringify(r.getState())));
  assert.deepEqual(copy.getState(), r.getState());
  const c = r.clone();
  c.update([0, 0]);
  assert.equal(r.count, 10, "clone is independent");
});

test("update allocates nothing: no minor collection over a million updates", async () => {
  const r = new RunningMeanStd(4);
  const x = new Float32Array([1, 2, 3, 4]);
  const gcs = await minorGcsDuring(() => {
    for (let i = 0; i < 1_000_000; i++) r.update(x, 1);
  });
  assert.equal(gcs, 0, `${gcs} minor collections over 1M updates`);
});

test("bad input: shape, non-finite values, bad state", () => {
  assert.throws(() => new RunningMeanStd([0]), InvalidArgumentError);
  assert.throws(() => new RunningMeanStd(2, { epsilon: 0 }), InvalidArgumentError);
  const r = new RunningMeanStd(2);
  assert.throws(() => r.update([1, 2, 3]), ShapeError);
  assert.throws(() => r.update([1, Number.NaN]), /column 1 has a non-finite value/);
  assert.throws(() => r.update([Infinity, 0]), NonFiniteError);
  assert.throws(() => r.setState({ mean: [0], var: [1], count: 1 }), /expects \{ mean: 2 finite numbers/);
  assert.throws(() => r.setState({ mean: [0, 0], var: [1, -1], count: 1 }), InvalidArgumentError);
  assert.throws(() => r.setState({ mean: [0, 0], var: [1, 1], count: 0 }), InvalidArgumentError);
  assert.deepEqual(r.getState(), { mean: [0, 0], var: [1, 1], count: 1e-4 }, "failed calls leave the state alone");
});
