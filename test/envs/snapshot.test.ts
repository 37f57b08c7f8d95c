// Snapshots of single envs: every registered id continues bit for bit from a restored snapshot (in a fresh env,
// after the JSON round trip a checkpoint makes), wrappers carry their statistics, and bad snapshots are rejected
// with a CheckpointError that leaves the env untouched.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import "../../src/envs/builtin.js";
import type { Env } from "../../src/envs/env.js";
import { make, registeredIds } from "../../src/envs/registry.js";
import { canSnapshot, type EnvSnapshot, type Snapshotting } from "../../src/envs/snapshot.js";
import { ClipAction } from "../../src/envs/wrappers/clip-action.js";
import { FlattenObservation } from "../../src/envs/wrappers/flatten-observation.js";
import { FrameStackObservation } from "../../src/envs/wrappers/frame-stack-observation.js";
import { NormalizeObservation } from "../../src/envs/wrappers/normalize-observation.js";
import { NormalizeReward } from "../../src/envs/wrappers/normalize-reward.js";
import { RecordEpisodeStatistics } from "../../src/envs/wrappers/record-episode-statistics.js";
import { RecordVideo } from "../../src/envs/wrappers/record-video.js";
import { RescaleAction } from "../../src/envs/wrappers/rescale-action.js";
import { TimeLimit } from "../../src/envs/wrappers/time-limit.js";
import { TransformReward } from "../../src/envs/wrappers/transform-reward.js";
import { CheckpointError } from "../../src/errors.js";
import { initMujoco } from "../../src/mujoco.js";
import { assertSameTrace, run, snapshotOf, stable, throughCheckpoint } from "./snapshot-helpers.js";
import { CounterEnv } from "./wrappers/helpers.js";

// the MuJoCo ids are registered envs like the others once MuJoCo is loaded
before(async () => {
  await initMujoco();
});

type AnyEnv = Env<unknown, unknown>;

/** Steps before the snapshot and after it: long enough to cross episode ends (and time limits for short ones). */
const BEFORE = 257;
const AFTER = 400;

/** Run `build()` for BEFORE steps, snapshot, run AFTER more; a fresh `build()` restored from the snapshot must
 * produce the same AFTER steps. */
function checkContinues(name: string, build: () => AnyEnv, seed: number): void {
  const env = build();
  env.actionSpace.seed(seed + 1000);
  env.reset({ seed });
  run(env, BEFORE);
  const snap = throughCheckpoint(snapshotOf(env));
  const expected = run(env, AFTER);
  const fresh = build();
  (fresh as unknown as Snapshotting).restore(snap);
  assert.deepEqual(stable(snapshotOf(fresh)), stable(snap), `${name}: the restored env snapshots as saved`);
  assertSameTrace(expected, run(fresh, AFTER), `${name}: steps after restore`);
}

test("every registered env continues bit for bit from a snapshot restored into a fresh make(id)", () => {
  const ids = registeredIds();
  assert.ok(ids.length >= 12, `expected the built-in envs, got ${ids.join(", ")}`);
  for (const [k, id] of ids.entries()) checkContinues(id, () => make(id), 10 + k);
});

test("options that change the dynamics are restored or checked (Acrobot noise, CartPole Sutton-Barto, Taxi fickle)", () => {
  checkContinues(
    "Acrobot torque noise",
    () => {
      const env = make("Acrobot-v1");
      (env.unwrapped as unknown as { torqueNoiseMax: number }).torqueNoiseMax = 0.3;
      return env;
    },
    3,
  );
  checkContinues("CartPole suttonBartoReward", () => make("CartPole-v1", { suttonBartoReward: true }), 4);
  checkContinues("Taxi fickle rainy", () => make("Taxi-v4", { ficklePassenger: true, isRainy: true }), 5);
  checkContinues("FrozenLake 8x8 not slippery", () => make("FrozenLake8x8-v1", { isSlippery: false }), 6);

  const cart = make("CartPole-v1", { suttonBartoReward: true });
  cart.reset({ seed: 1 });
  const snap = snapshotOf(cart);
  assert.throws(() => (make("CartPole-v1") as unknown as Snapshotting).restore(snap), CheckpointError);
  const taxi = make("Taxi-v4", { isRainy: true });
  taxi.reset({ seed: 1 });
  assert.throws(
    () => (make("Taxi-v4") as unknown as Snapshotting).restore(snapshotOf(taxi)),
    /dynamics/,
    "a different transition table is refused",
  );
});

test("wrapper stacks snapshot their own state with the inner env's (statistics, stacks, counters)", () => {
  checkContinues(
    "Pendulum + RescaleAction, ClipAction, NormalizeObservation, NormalizeReward, FrameStack, Flatten, stats",
    () =>
      new RecordEpisodeStatistics(
        new FlattenObservation(
          new FrameStackObservation(
            new NormalizeReward(
              new NormalizeObservation(
                new ClipAction(new RescaleAction(make("Pendulum-v1") as AnyEnv as never, -1, 1) as AnyEnv as never),
              ),
              { gamma: 0.9 },
            ) as AnyEnv as never,
            3,
          ),
        ) as AnyEnv,
        { bufferLength: 3 },
      ) as AnyEnv,
    7,
  );
  checkContinues(
    "CartPole + TransformReward + short TimeLimit + FrameStack(zero padding)",
    () =>
      new FrameStackObservation(
        new TimeLimit(new TransformReward(make("CartPole-v1"), (r) => 2 * r), 17) as AnyEnv as never,
        4,
        { padding: "zero" },
      ) as AnyEnv,
    8,
  );
});

test("RecordEpisodeStatistics restores its queues and the episode in progress", () => {
  const env = new RecordEpisodeStatistics(make("CartPole-v1"), { bufferLength: 4 });
  env.actionSpace.seed(1);
  env.reset({ seed: 2 });
  run(env as AnyEnv, 300);
  const fresh = new RecordEpisodeStatistics(make("CartPole-v1"), { bufferLength: 4 });
  (fresh as unknown as Snapshotting).restore(throughCheckpoint(snapshotOf(env)));
  assert.ok(env.episodeCount > 4);
  assert.equal(fresh.episodeCount, env.episodeCount);
  assert.equal(fresh.episodeLength, env.episodeLength);
  assert.equal(fresh.episodeReturn, env.episodeReturn);
  assert.deepEqual(fresh.returnQueue, env.returnQueue);
  assert.deepEqual(fresh.lengthQueue, env.lengthQueue);
  assert.deepEqual(fresh.timeQueue, env.timeQueue);
});

test("envs and wrappers that cannot save their state offer no snapshot", () => {
  // a custom env without snapshot/restore, and wrappers above it
  assert.equal(canSnapshot(new CounterEnv()), false);
  assert.equal(canSnapshot(new TimeLimit(new CounterEnv(), 10)), false);
  assert.equal((new TimeLimit(new CounterEnv(), 10) as unknown as Partial<Snapshotting>).snapshot, undefined);
  // RecordVideo's recording in progress is not saved: a stack with it claims nothing
  const video = new RecordVideo(make("CartPole-v1", { renderMode: "rgb_array" }), { sink: () => {} });
  assert.equal(canSnapshot(video), false);
  assert.equal(canSnapshot(new TimeLimit(video, 5)), false);
  assert.equal(canSnapshot(make("CartPole-v1")), true);
});

/** Corrupt a copy of a snapshot with `edit`. */
function corrupted(s: EnvSnapshot, edit: (json: Record<string, unknown>, arrays: EnvSnapshot["arrays"]) => void) {
  const c = throughCheckpoint(s);
  edit(c.json as Record<string, unknown>, c.arrays);
  return c;
}

/** The innermost JSON of a wrapper stack (the raw env's). */
function leaf(json: Record<string, unknown>): Record<string, unknown> {
  let j = json;
  while (j.inner !== undefined) j = j.inner as Record<string, unknown>;
  return j;
}

test("corrupted snapshots are rejected with a CheckpointError and change nothing", () => {
  const source = make("CartPole-v1");
  source.actionSpace.seed(1);
  source.reset({ seed: 1 });
  run(source, 30);
  const good = snapshotOf(source);
  const leafPrefix = "inner/inner/inner/";
  const cases: [string, EnvSnapshot | unknown][] = [
    ["not an object", { json: 42, arrays: {} }],
    ["no arrays", { json: good.json, arrays: null }],
    ["leaf state too short", corrupted(good, (_, a) => (a[`${leafPrefix}state`] = new Float64Array(3)))],
    ["leaf state as float32", corrupted(good, (_, a) => (a[`${leafPrefix}state`] = new Float32Array(4)))],
    ["leaf state NaN", corrupted(good, (_, a) => ((a[`${leafPrefix}state`] as Float64Array)[2] = Number.NaN))],
    ["leaf state missing", corrupted(good, (_, a) => delete a[`${leafPrefix}state`])],
    ["leaf kind", corrupted(good, (j) => (leaf(j).kind = "Acrobot"))],
    ["leaf id", corrupted(good, (j) => (leaf(j).id = "CartPole-v0"))],
    ["leaf generator", corrupted(good, (j) => (leaf(j).rng = { algorithm: "xoshiro128**", s: [0, 0, 0, 0] }))],
    ["leaf flag type", corrupted(good, (j) => (leaf(j).hasState = 1))],
    ["space generators", corrupted(good, (j) => (leaf(j).spaces = []))],
    ["time limit", corrupted(good, (j) => (j.maxEpisodeSteps = 200))],
    ["elapsed steps beyond the limit", corrupted(good, (j) => (j.elapsedSteps = 501))],
    ["wrapper kind", corrupted(good, (j) => (j.wrapper = "OrderEnforcing"))],
    ["missing inner", corrupted(good, (j) => delete j.inner)],
    [
      "checker warnings",
      corrupted(good, (j) => (((j.inner as Record<string, unknown>).inner as Record<string, unknown>).warnings = [3])),
    ],
  ];
  for (const [what, bad] of cases) {
    const target = make("CartPole-v1");
    target.actionSpace.seed(2);
    target.reset({ seed: 2 });
    run(target, 11);
    const before = stable(snapshotOf(target));
    assert.throws(
      () => (target as unknown as Snapshotting).restore(bad as EnvSnapshot),
      (e: unknown) => e instanceof CheckpointError && /snapshot/.test((e as Error).message),
      `${what}: expected a CheckpointError`,
    );
    assert.deepEqual(stable(snapshotOf(target)), before, `${what}: the env changed`);
  }
  // the uncorrupted one is accepted
  const target = make("CartPole-v1");
  (target as unknown as Snapshotting).restore(good);
  assert.deepEqual(stable(snapshotOf(target)), stable(good));
});

test("a wrapper's statistics are not touched when the inner env rejects the snapshot", () => {
  const build = () => new NormalizeObservation(make("Pendulum-v1") as Env<Float32Array, Float32Array>);
  const source = build();
  source.reset({ seed: 1 });
  run(source as AnyEnv, 50);
  const bad = corrupted(snapshotOf(source), (_, a) => (a["inner/inner/inner/inner/g"] = Float64Array.of(9.81)));
  const target = build();
  target.reset({ seed: 3 });
  run(target as AnyEnv, 5);
  const before = stable(snapshotOf(target));
  assert.throws(() => (target as unknown as Snapshotting).restore(bad), /g is 9.81/);
  assert.deepEqual(stable(snapshotOf(target)), before);
});

test("a snapshot taken before the first reset restores an env that still needs one", () => {
  const env = make("CartPole-v1");
  const fresh = make("CartPole-v1");
  (fresh as unknown as Snapshotting).restore(throughCheckpoint(snapshotOf(env)));
  assert.throws(() => fresh.step(0), /reset/);
});
