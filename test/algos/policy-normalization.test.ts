import assert from "node:assert/strict";
import { test } from "node:test";
import { VecNormalize } from "../../src/algos/common/vec-normalize.js";

const opts = { normalizeObs: true, normalizeReward: true, clipObs: 10, clipReward: 10, gamma: 0.5, epsilon: 1e-8 };

test("observations are standardized by running statistics and clipped", () => {
  const n = new VecNormalize(2, 2, opts);
  n.updateObs(new Float32Array([1, 10, 3, 30]), 2);
  const out = n.normalizeObs(new Float32Array([2, 20, 1000, 20]), 2, new Float32Array(4));
  // mean [2, 20] (the 1e-4 prior count barely moves it), var [1, 100]
  assert.ok(Math.abs(out[0]) < 1e-3 && Math.abs(out[1]) < 1e-3);
  assert.equal(out[2], 10); // clipped at clipObs
});

test("rewards are divided by the std of the running discounted return, which restarts after an episode ends", () => {
  const n = new VecNormalize(1, 1, opts);
  const out = new Float64Array(1);
  const none = new Uint8Array(1);
  const done = new Uint8Array([1]);
  // returns: 1, then 1 * 0.5 + 1 = 1.5 (episode ends: reset), then 1 again
  n.normalizeRewards(new Float64Array([1]), none, none, out);
  n.normalizeRewards(new Float64Array([1]), done, none, out);
  const s = n.getState();
  assert.deepEqual(s.returns, [0]);
  const v = (s.ret?.var ?? [Number.NaN])[0];
  n.normalizeRewards(new Float64Array([1]), none, none, out);
  const v2 = (n.getState().ret?.var ?? [Number.NaN])[0];
  assert.ok(Math.abs(out[0] - 1 / Math.sqrt(v2 + 1e-8)) < 1e-12);
  assert.ok(v > 0 && v2 > 0);
});

test("state round-trips and is checked against the options", () => {
  const a = new VecNormalize(2, 3, opts);
  a.updateObs(new Float32Array([1, 2, 3, 4, 5, 6]), 3);
  const b = new VecNormalize(2, 3, opts);
  b.setState(a.getState());
  assert.deepEqual(b.getState(), a.getState());
  const off = new VecNormalize(2, 3, { ...opts, normalizeObs: false });
  assert.throws(() => off.setState(a.getState()), /does not match/);
  assert.throws(() => new VecNormalize(2, 1, { ...opts, clipObs: 0 }), /clipObs must be > 0/);
});
