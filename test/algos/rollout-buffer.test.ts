import assert from "node:assert/strict";
import { test } from "node:test";
import { Minibatch, RolloutBuffer } from "../../src/algos/common/rollout-buffer.js";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError } from "../../src/errors.js";

function filled(): RolloutBuffer {
  const buf = new RolloutBuffer(3, 2, 2, 1);
  for (let t = 0; t < 3; t++) {
    const obs = new Float32Array([t, 0.5, t + 10, 0.25]);
    buf.add(obs, [t, t + 1], [-t, -t - 1], [0.1 * t, 0.2 * t], [1, 2], [0, t === 1 ? 1 : 0], [0, 0]);
  }
  return buf;
}

test("add stores rows in [nSteps, nEnvs] order and refuses a full buffer", () => {
  const buf = filled();
  assert.ok(buf.full);
  assert.deepEqual(Array.from(buf.observations.subarray(8, 12)), [2, 0.5, 12, 0.25]);
  assert.deepEqual(Array.from(buf.actions), [0, 1, 1, 2, 2, 3]);
  assert.deepEqual(Array.from(buf.terminated), [0, 0, 0, 1, 0, 0]);
  assert.throws(
    () => buf.add(new Float32Array(4), [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]),
    InvalidArgumentError,
  );
});

test("shuffled minibatches visit every flattened row exactly once, deterministically per seed", () => {
  const buf = filled();
  buf.computeAdvantages([0, 0], 0.99, 0.95);
  const mb = new Minibatch(4, 2, 1);
  const seen: number[] = [];
  buf.shuffle(new Rng(3));
  const order = Array.from(buf.indices);
  for (let start = 0; start < buf.size; start += 2) {
    buf.gather(start, 2, mb);
    for (let k = 0; k < 2; k++) {
      const i = order[start + k];
      seen.push(i);
      assert.equal(mb.observations[k * 2], buf.observations[i * 2]);
      assert.equal(mb.actions[k], buf.actions[i]);
      assert.equal(mb.advantages[k], buf.advantages[i]);
      assert.equal(mb.returns[k], buf.returns[i]);
      assert.equal(mb.logProbs[k], buf.logProbs[i]);
    }
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
  buf.shuffle(new Rng(3));
  assert.deepEqual(Array.from(buf.indices), order);
});

test("reward-to-go sets advantages = returns - values, and constructor checks its sizes", () => {
  const buf = filled();
  buf.computeRewardToGo([0, 0], 0.5);
  // env 1: rewards 2, 2 (terminated at t=1), 2 -> G = [3, 2, 2]
  assert.deepEqual([buf.returns[1], buf.returns[3], buf.returns[5]], [3, 2, 2]);
  for (let i = 0; i < 6; i++) assert.equal(buf.advantages[i], buf.returns[i] - buf.values[i]);
  assert.throws(() => new RolloutBuffer(0, 1, 1, 1), /nSteps must be a positive integer, got 0/);
});
