import assert from "node:assert/strict";
import { test } from "node:test";
import { RunningMeanStd } from "../../../src/core/running-mean-std.js";
import { FrozenLakeEnv } from "../../../src/envs/toy-text/frozen-lake.js";
import { ClipAction } from "../../../src/envs/wrappers/clip-action.js";
import { FlattenObservation } from "../../../src/envs/wrappers/flatten-observation.js";
import { FrameStackObservation } from "../../../src/envs/wrappers/frame-stack-observation.js";
import { NormalizeObservation } from "../../../src/envs/wrappers/normalize-observation.js";
import { NormalizeReward } from "../../../src/envs/wrappers/normalize-reward.js";
import { RecordEpisodeStatistics } from "../../../src/envs/wrappers/record-episode-statistics.js";
import { RescaleAction } from "../../../src/envs/wrappers/rescale-action.js";
import { TransformObservation } from "../../../src/envs/wrappers/transform-observation.js";
import { TransformReward } from "../../../src/envs/wrappers/transform-reward.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { Box } from "../../../src/spaces/box.js";
import { Discrete } from "../../../src/spaces/discrete.js";
import { CounterEnv } from "./helpers.js";

const act = (a: number, b: number) => new Float32Array([a, b]);

test("RecordEpisodeStatistics: episode return/length/time on the last step, queues, inner info untouched", () => {
  const inner = new CounterEnv(3);
  const env = new RecordEpisodeStatistics(inner, { bufferLength: 2 });
  for (let ep = 0; ep < 3; ep++) {
    env.reset({ seed: ep });
    let r = env.step(act(0.5, 0.25));
    assert.equal(r.info.episode, undefined);
    r = env.step(act(1, 1));
    r = env.step(act(-1, 0));
    assert.equal(r.terminated, true);
    const stats = r.info.episode as { r: number; l: number; t: number };
    assert.equal(stats.r, 0.75 + 2 - 1);
    assert.equal(stats.l, 3);
    assert.ok(stats.t >= 0 && stats.t < 5);
    assert.equal(r.info.t, 3, "inner info keys kept");
  }
  assert.equal(env.episodeCount, 3);
  assert.deepEqual(env.returnQueue, [1.75, 1.75]);
  assert.deepEqual(env.lengthQueue, [3, 3]);
  assert.throws(() => new RecordEpisodeStatistics(inner, { bufferLength: 0 }), InvalidArgumentError);
});

test("NormalizeObservation: matches a RunningMeanStd fed the same observations; freeze, save and restore", () => {
  const env = new NormalizeObservation(new CounterEnv(50), { clip: 5 });
  assert.ok(env.observationSpace instanceof Box);
  assert.equal((env.observationSpace as Box).low[0], -Infinity);
  const ref = new RunningMeanStd([2]);
  const r0 = env.reset({ seed: 1 });
  const raw = new Float32Array([0, (env.env as CounterEnv).offset]);
  ref.update(raw, 1);
  assert.deepEqual(Array.from(r0.observation), Array.from(ref.normalize(raw, new Float32Array(2), 5)));
  for (let t = 1; t <= 10; t++) {
    const r = env.step(act(0, 0));
    const x = new Float32Array([t, 2 * t + (env.env as CounterEnv).offset]);
    ref.update(x, 1);
    const expect = ref.normalize(x, new Float32Array(2), 5);
    assert.deepEqual(Array.from(r.observation), Array.from(expect));
  }
  const saved = env.getState();
  env.updateRunningMean = false;
  env.step(act(0, 0));
  assert.deepEqual(env.getState(), saved, "frozen statistics do not move");
  const other = new NormalizeObservation(new CounterEnv(50));
  other.setState(saved);
  assert.deepEqual(other.obsRms.getState(), saved);
  assert.throws(
    () => new NormalizeObservation(new FrozenLakeEnv() as never),
    /NormalizeObservation\(FrozenLakeEnv\): the observation space must be a Box, got Discrete\(16\)/,
  );
});

test("NormalizeReward: Gymnasium's discounted-return scaling, G cut only by termination", () => {
  const gamma = 0.9;
  const env = new NormalizeReward(new CounterEnv(3), { gamma });
  const rms = new RunningMeanStd();
  let g = 0;
  env.reset({ seed: 0 });
  const rewards = [1, 0.5, 2, 1.5, -1, 0.25];
  for (let i = 0; i < rewards.length; i++) {
    if (i === 3) env.reset();
    const r = env.step(act(rewards[i], 0));
    // Gymnasium: G = G * gamma * (1 - terminated) + r, with this step's terminated flag
    g = g * gamma * (r.terminated ? 0 : 1) + rewards[i];
    assert.equal(r.terminated, i === 2 || i === 5);
    rms.update([g], 1);
    assert.ok(Math.abs(r.reward - rewards[i] / Math.sqrt(rms.var[0] + 1e-8)) < 1e-12, `step ${i}`);
  }
  const saved = env.getState();
  const copy = new NormalizeReward(new CounterEnv(3), { gamma });
  copy.setState(saved);
  assert.deepEqual(copy.getState(), saved);
  const clipped = new NormalizeReward(new CounterEnv(3), { clip: 0.1 });
  clipped.reset();
  assert.equal(clipped.step(act(1, 1)).reward, 0.1);
  assert.throws(() => new NormalizeReward(new CounterEnv(), { gamma: 2 }), /gamma must be a number in \[0, 1\], got 2/);
});

test("ClipAction and RescaleAction map actions onto the inner Box", () => {
  const inner = new CounterEnv();
  const clip = new ClipAction(inner);
  assert.equal((clip.actionSpace as unknown as Box).high[0], Infinity);
  clip.reset();
  clip.step([5, -0.5]);
  assert.deepEqual(Array.from(inner.lastAction), [1, -0.5]);
  assert.throws(() => clip.step([Number.NaN, 0]), NonFiniteError);
  assert.throws(() => clip.step([1]), ShapeError);

  const inner2 = new CounterEnv();
  const rescale = new RescaleAction(inner2, 0, [10, 4]);
  assert.deepEqual(Array.from((rescale.actionSpace as unknown as Box).high), [10, 4]);
  rescale.reset();
  rescale.step([5, 1]);
  assert.deepEqual(Array.from(inner2.lastAction), [0, -0.5]);
  rescale.step([10, 0]);
  assert.deepEqual(Array.from(inner2.lastAction), [1, -1]);
  rescale.step([20, 8]); // outside the new box: clipped onto the inner bounds
  assert.deepEqual(Array.from(inner2.lastAction), [1, 1]);
  assert.throws(() => rescale.step([Infinity, 0]), /action\[0\] is Infinity; expected a finite number/);
  assert.throws(() => new RescaleAction(new CounterEnv(), 1, 1), /minAction < maxAction/);
});

test("TransformObservation, TransformReward, FlattenObservation", () => {
  const t = new TransformObservation(
    new CounterEnv(),
    (o: Float32Array) => o[0] * 10,
    new Box(-1000, 1000, [1]) as never,
  );
  t.reset();
  assert.equal(t.step(act(0, 0)).observation, 10);
  const tr = new TransformReward(new CounterEnv(), (r) => Math.sign(r));
  tr.reset();
  assert.equal(tr.step(act(0.2, 0.3)).reward, 1);
  const flat = new FlattenObservation(new FrozenLakeEnv({ isSlippery: false }));
  assert.deepEqual(flat.observationSpace.shape, [16]);
  const o = flat.reset().observation;
  assert.deepEqual(Array.from(o), [1, ...Array(15).fill(0)]);
  const o2 = flat.step(2).observation;
  assert.equal(o2.indexOf(1), 1);
  assert.ok(flat.observationSpace.contains(o2));
  assert.ok(new Discrete(16).contains(flat.unwrapped.reset().observation));
});

test("FrameStackObservation stacks oldest first with reset, zero or constant padding", () => {
  const env = new FrameStackObservation(new CounterEnv(), 3);
  assert.deepEqual(env.observationSpace.shape, [3, 2]);
  const off = () => (env.unwrapped as CounterEnv).offset;
  const r = env.reset({ seed: 4 });
  assert.deepEqual(Array.from(r.observation), [0, off(), 0, off(), 0, off()]);
  env.step(act(0, 0));
  const s = env.step(act(0, 0));
  assert.deepEqual(Array.from(s.observation), [0, off(), 1, 2 + off(), 2, 4 + off()]);
  assert.ok(env.observationSpace.contains(s.observation));
  const zero = new FrameStackObservation(new CounterEnv(), 2, { padding: "zero" });
  assert.deepEqual(Array.from(zero.reset({ seed: 4 }).observation), [0, 0, 0, off()]);
  const seven = new FrameStackObservation(new CounterEnv(), 2, { padding: 7 });
  assert.deepEqual(Array.from(seven.reset({ seed: 4 }).observation), [7, 7, 0, off()]);
  assert.throws(() => new FrameStackObservation(new CounterEnv(), 0), /stackSize must be a positive integer, got 0/);
});
