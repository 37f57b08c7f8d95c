import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplayBuffer } from "../../src/algos/common/replay-buffer.js";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.js";

/** One transition of a 1-d "counter" env: s = t, s' = t + 1, r = t, a = t % 3. */
function step(buf: ReplayBuffer, t: number, opts: { terminated?: boolean; truncated?: boolean; final?: number } = {}) {
  const done = opts.terminated || opts.truncated;
  buf.add({
    observations: Float32Array.of(t),
    actions: [t % 3],
    rewards: [t],
    // same-step autoreset: after an episode end the next observation is the reset one (here -1)
    nextObservations: Float32Array.of(done ? -1 : t + 1),
    finalObservations: Float32Array.of(opts.final ?? t + 1),
    terminated: [opts.terminated ? 1 : 0],
    truncated: [opts.truncated ? 1 : 0],
  });
}

for (const optimizeMemoryUsage of [false, true]) {
  test(`replay buffer stores and samples exact transitions (optimizeMemoryUsage ${optimizeMemoryUsage})`, () => {
    const buf = new ReplayBuffer({ bufferSize: 8, obsDim: 1, optimizeMemoryUsage });
    for (let t = 0; t < 5; t++) step(buf, t);
    assert.equal(buf.size, 5);
    const rng = new Rng(1);
    const batch = buf.sample(5, rng);
    for (let b = 0; b < batch.size; b++) {
      const s = batch.observations[b];
      assert.equal(batch.nextObservations[b], s + 1);
      assert.equal(batch.rewards[b], s);
      assert.equal(batch.actions[b], s % 3);
      assert.equal(batch.terminated[b], 0);
      assert.equal(batch.weights[b], 1);
      assert.equal(batch.steps[b], 1);
    }
  });

  test(`replay buffer keeps the final observation of truncated episodes as s' (optimizeMemoryUsage ${optimizeMemoryUsage})`, () => {
    const buf = new ReplayBuffer({ bufferSize: 16, obsDim: 1, optimizeMemoryUsage });
    step(buf, 0);
    step(buf, 1, { truncated: true, final: 2 });
    // next episode starts from the reset observation -1... we keep the counter going from 10 for clarity
    step(buf, 10, { terminated: true, final: 11 });
    step(buf, 20);
    const batch = buf.sample(buf.size, new Rng(0));
    let sawTruncated = false;
    let sawTerminated = false;
    for (let i = 0; i < 200; i++) {
      buf.sample(buf.size, new Rng(i), batch);
      for (let b = 0; b < batch.size; b++) {
        const s = batch.observations[b];
        if (s === 1) {
          sawTruncated = true;
          assert.equal(batch.nextObservations[b], 2, "truncated transition must bootstrap from the final observation");
          assert.equal(batch.terminated[b], 0);
        } else if (s === 10) {
          sawTerminated = true;
          assert.equal(batch.terminated[b], 1);
        } else if (s === 0) {
          assert.equal(batch.nextObservations[b], 1);
        } else {
          assert.equal(s, 20);
          assert.equal(batch.nextObservations[b], 21);
        }
      }
    }
    assert.ok(sawTruncated && sawTerminated);
  });

  test(`replay buffer wraps around and never returns a stale transition (optimizeMemoryUsage ${optimizeMemoryUsage})`, () => {
    const buf = new ReplayBuffer({ bufferSize: 6, obsDim: 1, optimizeMemoryUsage });
    for (let t = 0; t < 23; t++) step(buf, t);
    assert.equal(buf.size, optimizeMemoryUsage ? 5 : 6);
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const batch = buf.sample(4, rng);
      for (let b = 0; b < batch.size; b++) {
        const s = batch.observations[b];
        seen.add(s);
        assert.ok(s >= 17 && s <= 22, `stale transition ${s}`);
        assert.equal(batch.nextObservations[b], s + 1);
      }
    }
    assert.equal(seen.size, optimizeMemoryUsage ? 5 : 6);
  });
}

test("replay buffer takes one row per vector-env step and samples every env uniformly", () => {
  const buf = new ReplayBuffer({ bufferSize: 12, obsDim: 2, numEnvs: 3 });
  for (let t = 0; t < 3; t++) {
    const obs = new Float32Array(6);
    const next = new Float32Array(6);
    const final = new Float32Array(6);
    for (let e = 0; e < 3; e++) {
      obs.set([t, e], 2 * e);
      next.set(e === 1 && t === 2 ? [-1, -1] : [t + 1, e], 2 * e);
      final.set([t + 1, e], 2 * e);
    }
    buf.add({
      observations: obs,
      actions: [0, 1, 2],
      rewards: [t * 0.5, 1, 2],
      nextObservations: next,
      finalObservations: final,
      terminated: [0, 0, 0],
      truncated: [0, t === 2 ? 1 : 0, 0],
    });
  }
  assert.equal(buf.size, 9);
  const counts = [0, 0, 0];
  const rng = new Rng(5);
  for (let i = 0; i < 300; i++) {
    const b = buf.sample(3, rng);
    for (let k = 0; k < 3; k++) {
      const env = b.observations[2 * k + 1];
      counts[env]++;
      assert.equal(b.actions[k], env);
      assert.equal(
        b.nextObservations[2 * k],
        b.observations[2 * k] + 1,
        "final observation used for the truncated row",
      );
      assert.equal(b.nextObservations[2 * k + 1], env);
    }
  }
  for (const c of counts) assert.ok(c > 220 && c < 380, `env counts ${counts}`);
});

test("replay buffer sampling is deterministic for a seed", () => {
  const buf = new ReplayBuffer({ bufferSize: 100, obsDim: 1 });
  for (let t = 0; t < 50; t++) step(buf, t);
  const a = Array.from(buf.sample(10, new Rng(9)).observations);
  const b = Array.from(buf.sample(10, new Rng(9)).observations);
  assert.deepEqual(a, b);
});

test("replay buffer state round-trips", () => {
  const buf = new ReplayBuffer({ bufferSize: 8, obsDim: 1, optimizeMemoryUsage: true });
  for (let t = 0; t < 11; t++) step(buf, t, { truncated: t === 9, final: 100 });
  const copy = new ReplayBuffer({ bufferSize: 8, obsDim: 1, optimizeMemoryUsage: true });
  copy.setState(buf.getState());
  assert.deepEqual(
    Array.from(copy.sample(7, new Rng(2)).nextObservations),
    Array.from(buf.sample(7, new Rng(2)).nextObservations),
  );
});

test("replay buffer rejects bad input with named errors", () => {
  const buf = new ReplayBuffer({ bufferSize: 8, obsDim: 1 });
  step(buf, 0);
  assert.throws(
    () => buf.sample(2, new Rng(0)),
    (e: Error) => e instanceof InvalidArgumentError && /batchSize 2.*1 transitions/.test(e.message),
  );
  assert.throws(
    () =>
      buf.add({
        observations: Float32Array.of(Number.NaN),
        actions: [0],
        rewards: [0],
        nextObservations: Float32Array.of(0),
        terminated: [0],
        truncated: [0],
      }),
    (e: Error) => e instanceof NonFiniteError && /observations\[0\] is NaN/.test(e.message),
  );
  assert.throws(
    () =>
      buf.add({
        observations: Float32Array.of(0),
        actions: [0],
        rewards: [Number.POSITIVE_INFINITY],
        nextObservations: Float32Array.of(0),
        terminated: [0],
        truncated: [0],
      }),
    (e: Error) => e instanceof NonFiniteError && /reward of env 0 is Infinity/.test(e.message),
  );
  assert.throws(() => new ReplayBuffer({ bufferSize: 0, obsDim: 1 }), /bufferSize must be a positive integer, got 0/);
});
