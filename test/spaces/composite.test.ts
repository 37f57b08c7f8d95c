import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Dict } from "../../src/spaces/dict.js";
import { Discrete } from "../../src/spaces/discrete.js";
import { MultiBinary } from "../../src/spaces/multi-binary.js";
import { MultiDiscrete } from "../../src/spaces/multi-discrete.js";
import type { Space } from "../../src/spaces/space.js";
import { Tuple } from "../../src/spaces/tuple.js";
import { flatdim, flatten, flattenSpace, spaceFromJSON, spacesEqual, unflatten } from "../../src/spaces/utils.js";

function nested(): Dict {
  return new Dict({
    pos: new Box([-1, -Infinity], [1, Infinity]),
    choice: new Discrete(3, { start: 1 }),
    extra: new Tuple([new MultiDiscrete([2, 3]), new MultiBinary(2)]),
  });
}

test("Tuple and Dict sample, contain and seed their parts reproducibly", () => {
  const a = nested();
  const b = nested();
  a.seed(11);
  b.seed(11);
  const xa = a.sample();
  assert.deepEqual(xa, b.sample());
  assert.ok(a.contains(xa));
  assert.deepEqual(a.keys, ["choice", "extra", "pos"]);
  assert.ok(!a.contains({ ...xa, choice: 0 }));
  assert.ok(!a.contains({ ...xa, more: 1 }));
  assert.throws(() => new Tuple([1 as unknown as Space<unknown>]), InvalidArgumentError);
});

test("flatten: one-hot for Discrete and MultiDiscrete, concatenation in key order, unflatten inverts", () => {
  const s = nested();
  assert.equal(flatdim(s), 3 + (2 + 3 + 2) + 2);
  const x = { pos: new Float32Array([0.5, -7]), choice: 2, extra: [new Int32Array([1, 0]), new Uint8Array([1, 0])] };
  const flat = flatten(s, x);
  assert.deepEqual(Array.from(flat), [0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, -7]);
  assert.deepEqual(unflatten(s, flat), x);
  const out = new Float32Array(12);
  assert.equal(flatten(s, x, out), out);
  assert.throws(() => flatten(s, x, new Float32Array(3)), ShapeError);
  assert.throws(() => flatten(new Discrete(2), 5), InvalidArgumentError);
  assert.throws(() => unflatten(new Discrete(2), [1, 1]), InvalidArgumentError);
});

test("flattenSpace gives the Box of flattened elements", () => {
  const b = flattenSpace(nested());
  assert.equal(b.size, 12);
  assert.deepEqual(Array.from(b.low), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -Infinity]);
  assert.deepEqual(Array.from(b.high), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, Infinity]);
});

test("spaces round-trip through JSON (infinite bounds included)", () => {
  const s = nested();
  const text = JSON.stringify(s.toJSON());
  const back = spaceFromJSON(JSON.parse(text));
  assert.ok(spacesEqual(s, back));
  assert.ok(back instanceof Dict);
  assert.equal(((back as Dict).spaces.pos as Box).high[1], Infinity);
  assert.ok(!spacesEqual(new Discrete(2), new Discrete(3)));
  assert.throws(() => spaceFromJSON({ type: "Sphere" }), InvalidArgumentError);
  assert.throws(() => spaceFromJSON(null), InvalidArgumentError);
});
