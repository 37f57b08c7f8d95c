import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError } from "../../src/errors.js";

test("xoshiro128** matches the reference output for a known state", () => {
  // Reference values from the C implementation with s = {1, 2, 3, 4}.
  const rng = new Rng();
  rng.setState({ algorithm: "xoshiro128**", s: [1, 2, 3, 4] });
  const out = Array.from({ length: 6 }, () => rng.nextU32());
  assert.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test("same seed gives the same stream; state round-trips exactly", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.uniform(), b.uniform());
  const saved = a.getState();
  const x = [a.normal(), a.int(7), a.uniform()];
  a.setState(saved);
  assert.deepEqual([a.normal(), a.int(7), a.uniform()], x);
  assert.notEqual(new Rng(1).uniform(), new Rng(2).uniform());
});

test("uniform, normal and int have the right moments and ranges", () => {
  const rng = new Rng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
    counts[rng.int(5)]++;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02);
  for (const c of counts) assert.ok(Math.abs(c / n - 0.2) < 0.005);
});

test("categorical follows its weights; shuffle is a permutation", () => {
  const rng = new Rng(3);
  const w = [0.1, 0, 0.6, 0.3];
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 100_000; i++) counts[rng.categorical(w)]++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[2] / 100_000 - 0.6) < 0.01);
  const p = rng.permutation(50);
  assert.deepEqual(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test("bad arguments are clear errors", () => {
  assert.throws(() => new Rng(1.5), InvalidArgumentError);
  assert.throws(() => new Rng(0).int(0), /integer n/);
  assert.throws(() => new Rng(0).categorical([0, 0]), /positive sum/);
  assert.throws(() => new Rng(0).setState({ algorithm: "xoshiro128**", s: [0, 0, 0, 0] }), InvalidArgumentError);
});
