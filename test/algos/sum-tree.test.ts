import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PrioritizedReplayBuffer } from "../../src/algos/common/prioritized-replay-buffer.js";
import { SumTree } from "../../src/algos/common/sum-tree.js";
import { Rng } from "../../src/core/rng.js";

test("sum tree keeps sums, minimum and prefix-sum search exact (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 40 }), (values) => {
      const tree = new SumTree(values.length);
      for (let i = 0; i < values.length; i++) tree.set(i, values[i]);
      const total = values.reduce((a, b) => a + b, 0);
      assert.equal(tree.total, total);
      const positive = values.filter((v) => v > 0);
      assert.equal(tree.min, positive.length ? Math.min(...positive) : Number.POSITIVE_INFINITY);
      let prefix = 0;
      values.forEach((v, i) => {
        if (v > 0) {
          assert.equal(tree.findPrefixSum(prefix), i);
          assert.equal(tree.findPrefixSum(prefix + v - 0.5), i);
        }
        prefix += v;
      });
      if (total > 0) assert.ok(values[tree.findPrefixSum(total * 2)] > 0, "overflowing mass lands on a positive leaf");
    }),
  );
});

test("sum tree rejects bad indices and values", () => {
  const tree = new SumTree(3);
  assert.throws(() => tree.set(3, 1), /index must be an integer in \[0, 3\), got 3/);
  assert.throws(() => tree.set(0, -1), /value must be a finite number >= 0, got -1/);
  assert.throws(() => tree.set(0, Number.NaN), /got NaN/);
});

function fill(buf: PrioritizedReplayBuffer, n: number) {
  for (let t = 0; t < n; t++) {
    buf.add({
      observations: Float32Array.of(t),
      actions: [0],
      rewards: [0],
      nextObservations: Float32Array.of(t + 1),
      terminated: [0],
      truncated: [0],
    });
  }
}

test("prioritized replay samples in proportion to p^alpha and weights by (N P)^-beta / max", () => {
  const buf = new PrioritizedReplayBuffer({ bufferSize: 4, obsDim: 1, alpha: 0.5, priorityEps: 1e-9 });
  fill(buf, 4);
  // priorities 1, 4, 9, 16 -> p^0.5 = 1, 2, 3, 4 -> P = 0.1, 0.2, 0.3, 0.4
  buf.updatePriorities(Int32Array.of(0, 1, 2, 3), [1, 4, 9, 16]);
  assert.ok(Math.abs(buf.probability(2) - 0.3) < 1e-9);
  const rng = new Rng(11);
  const counts = [0, 0, 0, 0];
  const batch = buf.makeBatch(4);
  for (let i = 0; i < 5000; i++) {
    buf.sample(4, rng, batch, 0.5);
    for (let b = 0; b < 4; b++) {
      const idx = batch.indices[b];
      counts[idx]++;
      assert.equal(batch.observations[b], idx);
      // w_i / max w = (P_i / P_min)^-beta
      assert.ok(Math.abs(batch.weights[b] - ((idx + 1) / 1) ** -0.5) < 1e-6);
    }
  }
  const n = 5000 * 4;
  [0.1, 0.2, 0.3, 0.4].forEach((p, i) => {
    assert.ok(Math.abs(counts[i] / n - p) < 0.01, `counts ${counts}`);
  });
});

test("prioritized replay gives new transitions the largest priority and alpha 0 is uniform", () => {
  const buf = new PrioritizedReplayBuffer({ bufferSize: 8, obsDim: 1, alpha: 1 });
  fill(buf, 2);
  buf.updatePriorities(Int32Array.of(0, 1), [5, 0.1]);
  fill(buf, 1);
  assert.ok(Math.abs(buf.probability(2) - buf.probability(0)) < 1e-9);
  const uniform = new PrioritizedReplayBuffer({ bufferSize: 8, obsDim: 1, alpha: 0 });
  fill(uniform, 4);
  uniform.updatePriorities(Int32Array.of(0, 1), [5, 0.1]);
  assert.equal(uniform.probability(0), 0.25);
  assert.throws(() => uniform.sample(2, new Rng(0), undefined, 1.5), /beta must be in \[0, 1\], got 1.5/);
  assert.throws(() => uniform.updatePriorities(Int32Array.of(0), [Number.NaN]), /TD error 0 is NaN/);
});

test("prioritized replay with optimizeMemoryUsage never draws the overwritten row", () => {
  const buf = new PrioritizedReplayBuffer({ bufferSize: 4, obsDim: 1, optimizeMemoryUsage: true });
  fill(buf, 10);
  const rng = new Rng(4);
  for (let i = 0; i < 100; i++) {
    const b = buf.sample(3, rng);
    for (let k = 0; k < 3; k++) {
      assert.equal(b.nextObservations[k], b.observations[k] + 1);
      assert.ok(b.observations[k] >= 7);
    }
  }
});
