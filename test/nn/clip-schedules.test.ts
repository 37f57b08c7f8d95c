import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import type { Tensor } from "../../src/core/tensor.js";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.js";
import { clipGradNorm } from "../../src/nn/clip-grad.js";
import { zeroGrad } from "../../src/nn/module.js";
import { constantSchedule, linearSchedule, toSchedule } from "../../src/nn/schedules.js";

test("clipGradNorm scales all gradients by maxNorm / (norm + 1e-6) and returns the norm before clipping", () => {
  const e = new Engine({ dtype: "float64" });
  const a = e.parameter([2]);
  const b = e.parameter([1]);
  (a.grad as Tensor).set([3, 0]);
  (b.grad as Tensor).set([4]); // global norm 5
  const norm = clipGradNorm([a, b], 1);
  assert.equal(norm, 5);
  const c = 1 / (5 + 1e-6);
  assert.deepEqual((a.grad as Tensor).toArray(), [3 * c, 0]);
  assert.deepEqual((b.grad as Tensor).toArray(), [4 * c]);
  // below the threshold: untouched
  assert.ok(Math.abs(clipGradNorm([a, b], 10) - 5 * c) < 1e-12);
  assert.deepEqual((b.grad as Tensor).toArray(), [4 * c]);
  zeroGrad([a, b]);
  assert.deepEqual((a.grad as Tensor).toArray(), [0, 0]);
  assert.throws(() => clipGradNorm([a], 0), InvalidArgumentError);
});

test("clipGradNorm reports a non-finite norm (and throws in check mode)", () => {
  const e = new Engine({ checkFinite: true });
  const a = e.parameter([2]);
  (a.grad as Tensor).set([Number.NaN, 1]);
  assert.throws(() => clipGradNorm([a], 1), NonFiniteError);
  e.checkFinite = false;
  assert.ok(Number.isNaN(clipGradNorm([a], 1)));
});

test("schedules follow SB3's progress-remaining convention (1 at start, 0 at end)", () => {
  assert.equal(constantSchedule(3)(0.2), 3);
  const lin = linearSchedule(1, 0.05);
  assert.equal(lin(1), 1);
  assert.equal(lin(0), 0.05);
  assert.ok(Math.abs(lin(0.5) - 0.525) < 1e-15);
  const eps = linearSchedule(1, 0.05, 0.1); // DQN exploration: reaches the end after 10% of training
  assert.ok(Math.abs(eps(0.95) - 0.525) < 1e-12);
  assert.ok(Math.abs(eps(0.9) - 0.05) < 1e-12);
  assert.equal(eps(0.3), 0.05);
  assert.equal(toSchedule(2.5)(0.1), 2.5);
  const f = (p: number) => p * 3e-4;
  assert.equal(toSchedule(f), f);
  assert.throws(() => toSchedule(Number.NaN), InvalidArgumentError);
  assert.throws(() => linearSchedule(1, 0, 0), InvalidArgumentError);
});
