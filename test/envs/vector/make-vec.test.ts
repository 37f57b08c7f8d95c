import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/envs/builtin.js";
import { AsyncVectorEnv } from "../../../src/envs/vector/async-vector-env.js";
import { makeVec } from "../../../src/envs/vector/make-vec.js";
import { SyncVectorEnv } from "../../../src/envs/vector/sync-vector-env.js";
import { RecordEpisodeStatistics } from "../../../src/envs/wrappers/record-episode-statistics.js";

test("a seeded makeVec is reproducible without passing the seed to reset, and seeds the action space", () => {
  const run = () => {
    const vec = makeVec("CartPole-v1", 4, { seed: 9 });
    const first = Array.from(vec.reset().observations);
    const acts = Int32Array.from({ length: 4 }, () => vec.singleActionSpace.sample() as number);
    return [first, Array.from(vec.step(acts).observations)];
  };
  assert.deepEqual(run(), run());
  const other = makeVec("CartPole-v1", 4, { seed: 10 });
  assert.notDeepEqual(Array.from(other.reset().observations), run()[0]);
  assert.ok(makeVec("CartPole-v1", 2) instanceof SyncVectorEnv);
});

test("env options, wrappers and the autoreset mode reach the sub-envs", () => {
  const vec = makeVec("CartPole-v1", 2, {
    envOptions: { maxEpisodeSteps: 3 },
    wrappers: [(env) => new RecordEpisodeStatistics(env)],
    autoresetMode: "same-step",
  });
  assert.equal(vec.autoresetMode, "same-step");
  vec.reset({ seed: 0 });
  const a = new Int32Array([0, 1]);
  vec.step(a);
  vec.step(a);
  const s = vec.step(a);
  assert.deepEqual(Array.from(s.truncated), [1, 1]);
  const stats = (s.infos[0].final_info as { episode: { l: number } }).episode;
  assert.equal(stats.l, 3);
});

test("async mode builds an AsyncVectorEnv; bad options are named", async () => {
  const vec = makeVec("Acrobot-v1", 2, { vectorizationMode: "async", seed: 1 });
  try {
    assert.ok(vec instanceof AsyncVectorEnv);
    assert.equal(vec.reset().observations.length, 12);
  } finally {
    await vec.close();
  }
  assert.throws(() => makeVec("CartPole-v1", 0), /numEnvs must be a positive integer, got 0/);
  assert.throws(
    () => makeVec("CartPole-v1", 2, { maxEpisodeSteps: 5 } as never),
    /unknown option "maxEpisodeSteps".*envOptions/,
  );
  assert.throws(
    () => makeVec("CartPole-v1", 2, { vectorizationMode: "async", wrappers: [(e) => e] }),
    /cannot be sent to worker threads/,
  );
  assert.throws(() => makeVec("CartPole-v1", 2, { vectorizationMode: "gpu" as never }), /"sync" or "async", got "gpu"/);
  assert.throws(() => makeVec("CartPole-v1", 2, { seed: -1 }), /seed must be a non-negative safe integer/);
});
