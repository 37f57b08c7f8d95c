import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";

test("Box rounds bounds to float32 and infers the shape from array bounds", () => {
  const b = new Box([-0.1, -Infinity], [0.1, Infinity]);
  assert.deepEqual(b.shape, [2]);
  assert.equal(b.low[0], Math.fround(-0.1));
  assert.equal(b.high[1], Infinity);
  assert.equal(b.isBounded(), false);
  assert.equal(new Box(-1, 1, [2, 3]).size, 6);
  assert.equal(new Box(-1, 1, [3]).toString(), "Box(-1, 1, (3,), float32)");
});

test("Box rejects bad bounds and shapes with typed errors", () => {
  assert.throws(() => new Box(1, -1, [2]), InvalidArgumentError);
  assert.throws(() => new Box(Number.NaN, 1, [2]), InvalidArgumentError);
  assert.throws(() => new Box(0, 1), InvalidArgumentError);
  assert.throws(() => new Box(0, 1, [0]), InvalidArgumentError);
  assert.throws(() => new Box([0, 0], [1, 1, 1]), ShapeError);
});

test("Box.contains checks length, range and NaN", () => {
  const b = new Box(-1, 1, [2]);
  assert.ok(b.contains(new Float32Array([0, 1])));
  assert.ok(b.contains([-1, 0.5]));
  assert.ok(!b.contains([0, 1.5]));
  assert.ok(!b.contains([0]));
  assert.ok(!b.contains([0, Number.NaN]));
  assert.ok(!b.contains(0));
  assert.ok(!b.contains("ab"));
});

test("Box.sample: uniform on bounded, exponential on half-bounded, normal on unbounded sides", () => {
  const b = new Box([-2, 3, -Infinity, -Infinity], [5, Infinity, 4, Infinity], undefined, { seed: 7 });
  const n = 20000;
  const sums = new Float64Array(4);
  const out = new Float32Array(4);
  let minBounded = Infinity;
  let maxBounded = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = b.sample(out);
    assert.equal(x, out);
    assert.ok(b.contains(x));
    minBounded = Math.min(minBounded, x[0]);
    maxBounded = Math.max(maxBounded, x[0]);
    for (let j = 0; j < 4; j++) sums[j] += x[j];
  }
  // means: uniform(-2,5) 1.5; 3 + Exp(1) = 4; 4 - Exp(1) = 3; N(0,1) = 0
  const expected = [1.5, 4, 3, 0];
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(sums[j] / n - expected[j]) < 0.05, `mean ${j}: ${sums[j] / n}`);
  assert.ok(minBounded < -1.99 && maxBounded > 4.99);
});

test("Box.sample is reproducible under seed and continues without it", () => {
  const a = new Box(-1, 1, [3], { seed: 1 });
  const b = new Box(-1, 1, [3]);
  b.seed(1);
  const a1 = a.sample();
  assert.deepEqual(a1, b.sample());
  assert.notDeepEqual(a1, a.sample());
  assert.throws(() => a.seed(-1), InvalidArgumentError);
  assert.throws(() => a.sample(new Float32Array(2)), ShapeError);
});

test("uint8 Box: integer samples within the bounds, contains only integers, JSON round trip, bad bounds refused", async () => {
  const { spaceFromJSON } = await import("../../src/spaces/utils.js");
  const img = new Box(0, 255, [2, 3], { dtype: "uint8", seed: 4 });
  for (let i = 0; i < 50; i++) {
    const x = img.sample();
    assert.ok(x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.ok(img.contains(x));
  }
  assert.equal(img.contains([0, 1, 2, 3, 4, 5.5]), false);
  assert.equal(String(img), "Box(0, 255, (2, 3), uint8)");
  const back = spaceFromJSON(img.toJSON()) as Box;
  assert.equal(back.dtype, "uint8");
  assert.deepEqual(back.toJSON(), img.toJSON());
  assert.throws(() => new Box(0, 256, [2], { dtype: "uint8" }), /uint8 Box needs integer bounds in \[0, 255\]/);
  assert.throws(() => new Box(0, 1, [2], { dtype: "int8" as "uint8" }), /dtype must be "float32" or "uint8"/);
});
