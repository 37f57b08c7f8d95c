import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { polyakUpdate } from "../../src/nn/polyak.js";

test("polyakUpdate: target <- tau * source + (1 - tau) * target in place; tau = 1 copies", () => {
  const e = new Engine({ dtype: "float64", kernels: "ts" });
  const s = [e.tensor([1, 2, 3], [3]), e.tensor([4, 5], [1, 2])];
  const t = [e.tensor([0, 0, 1], [3]), e.tensor([-4, 1], [1, 2])];
  polyakUpdate(s, t, 0.25);
  assert.deepEqual(t[0].toArray(), [0.25, 0.5, 0.75 + 0.75]);
  assert.deepEqual(t[1].toArray(), [-3 + 1, 0.75 + 1.25]);
  assert.deepEqual(s[0].toArray(), [1, 2, 3], "source untouched");
  polyakUpdate(s, t, 1);
  assert.deepEqual(t[1].toArray(), [4, 5]);
});

test("polyakUpdate with the default float32 kernels: repeated averaging converges to the source", () => {
  const e = new Engine();
  const s = [e.tensor([1, -2], [2])];
  const t = [e.tensor([0, 0], [2])];
  for (let i = 0; i < 2000; i++) polyakUpdate(s, t, 0.005);
  t[0].toArray().forEach((v, i) => {
    assert.ok(Math.abs(v - [1, -2][i]) < 1e-3, `${v}`);
  });
});

test("polyakUpdate rejects a bad tau, mismatched lists and shapes, naming them", () => {
  const e = new Engine();
  const a = e.zeros([2]);
  const b = e.zeros([3]);
  assert.throws(
    () => polyakUpdate([a], [a], 0),
    (err) => err instanceof InvalidArgumentError && /tau must be a number in \(0, 1\], got 0/.test(err.message),
  );
  assert.throws(() => polyakUpdate([a], [a], Number.NaN), /got NaN/);
  assert.throws(() => polyakUpdate([a], [a, a], 0.5), InvalidArgumentError);
  assert.throws(
    () => polyakUpdate([a], [b], 0.5),
    (err) => err instanceof ShapeError && /source\[0\] has shape \[2\], target\[0\] has \[3\]/.test(err.message),
  );
});
