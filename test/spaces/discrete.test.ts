import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { Discrete } from "../../src/spaces/discrete.js";
import { MultiBinary } from "../../src/spaces/multi-binary.js";
import { MultiDiscrete } from "../../src/spaces/multi-discrete.js";

test("Discrete(n, start) samples every value uniformly and contains only integers in range", () => {
  const d = new Discrete(3, { start: -1, seed: 3 });
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[d.sample() + 1]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  assert.ok(d.contains(-1) && d.contains(1));
  assert.ok(!d.contains(2) && !d.contains(0.5) && !d.contains("0") && !d.contains(Number.NaN));
  assert.equal(d.toString(), "Discrete(3, start=-1)");
  assert.throws(() => new Discrete(0), InvalidArgumentError);
  assert.throws(() => new Discrete(2.5), InvalidArgumentError);
});

test("Discrete masked sampling draws only allowed values, start when none is", () => {
  const d = new Discrete(4, { seed: 1 });
  for (let i = 0; i < 200; i++) assert.ok([1, 3].includes(d.sample([0, 1, 0, 1])));
  assert.equal(d.sample([0, 0, 0, 0]), 0);
  assert.throws(() => d.sample([1, 0]), InvalidArgumentError);
  assert.throws(() => d.sample([2, 0, 0, 0]), InvalidArgumentError);
});

test("MultiDiscrete samples within nvec and start", () => {
  const m = new MultiDiscrete([2, 5], { start: [1, -2], seed: 4 });
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const x = m.sample();
    assert.ok(m.contains(x));
    seen.add(`${x[0]},${x[1]}`);
  }
  assert.equal(seen.size, 10);
  assert.ok(!m.contains([0, 0]) && !m.contains([1, 3]) && !m.contains([1]));
  assert.throws(() => new MultiDiscrete([2, 0]), InvalidArgumentError);
});

test("MultiBinary samples 0/1 of its shape", () => {
  const m = new MultiBinary([2, 3], { seed: 5 });
  assert.equal(m.size, 6);
  let ones = 0;
  for (let i = 0; i < 1000; i++) {
    const x = m.sample();
    assert.ok(m.contains(x));
    for (const v of x) ones += v;
  }
  assert.ok(Math.abs(ones / 6000 - 0.5) < 0.03);
  assert.ok(!m.contains([0, 1, 2, 0, 0, 0]));
});
