// Replay buffers that know their spaces (issue 10 item 5): uint8 Box images one byte per value, float32 otherwise,
// one array per Dict key; the allocated bytes equal the formula docs/dqn.md states for image replays; DQN runs,
// saves and loads its replay with Dict and image observations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ObservationStore } from "../../src/algos/common/observation-store.js";
import { ReplayBuffer } from "../../src/algos/common/replay-buffer.js";
import { spaceInfo } from "../../src/algos/common/space-info.js";
import { DQN } from "../../src/algos/dqn.js";
import { Rng } from "../../src/core/rng.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Dict } from "../../src/spaces/dict.js";
import { Discrete } from "../../src/spaces/discrete.js";

const atari = new Box(0, 255, [84, 84, 4], { dtype: "uint8" });
const PIXELS = 84 * 84 * 4;

test("a replay of 84x84x4 uint8 images allocates the bytes docs/dqn.md states, with and without optimizeMemoryUsage", () => {
  const capacity = 12;
  const info = spaceInfo(atari, "obs", false, true);
  for (const optimizeMemoryUsage of [false, true]) {
    for (const maskDim of [0, 6]) {
      const b = new ReplayBuffer({
        bufferSize: capacity,
        obsDim: PIXELS,
        observationSpace: info,
        optimizeMemoryUsage,
        maskDim,
      });
      // per transition: s (and s' unless optimizeMemoryUsage) one byte per pixel; int32 action, float32 reward,
      // uint8 terminated and truncated, uint16 step count; one byte per action for the s' mask
      const perTransition = (optimizeMemoryUsage ? 1 : 2) * PIXELS + 4 + 4 + 1 + 1 + 2 + maskDim;
      assert.equal(
        b.allocatedBytes,
        capacity * perTransition,
        `optimizeMemoryUsage ${optimizeMemoryUsage}, masks ${maskDim}`,
      );
    }
  }
  const floats = new ReplayBuffer({ bufferSize: capacity, obsDim: PIXELS });
  assert.equal(floats.allocatedBytes, capacity * (2 * 4 * PIXELS + 12), "without the space: float32 rows (4x)");
});

test("uint8 observations round-trip exactly; values a uint8 Box cannot hold are typed errors", () => {
  const space = new Box(0, 255, [3, 2], { dtype: "uint8", seed: 1 });
  const b = new ReplayBuffer({ bufferSize: 8, obsDim: 6, observationSpace: spaceInfo(space, "obs"), numEnvs: 2 });
  const rows: Float32Array[] = [];
  for (let t = 0; t < 4; t++) {
    const s = new Float32Array([...space.sample(), ...space.sample()]);
    const s2 = new Float32Array([...space.sample(), ...space.sample()]);
    rows.push(s, s2);
    b.add({
      observations: s,
      actions: [0, 1],
      rewards: [1, 2],
      nextObservations: s2,
      terminated: [0, 0],
      truncated: [0, 0],
    });
  }
  assert.ok(b.getState().arrays.observations instanceof Uint8Array);
  const batch = b.sample(8, new Rng(2));
  for (let k = 0; k < batch.size; k++) {
    const i = batch.indices[k];
    const row = Math.floor(i / 2);
    const e = i % 2;
    assert.deepEqual(
      Array.from(batch.observations.subarray(k * 6, k * 6 + 6)),
      Array.from(rows[2 * row].subarray(e * 6, e * 6 + 6)),
    );
    assert.deepEqual(
      Array.from(batch.nextObservations.subarray(k * 6, k * 6 + 6)),
      Array.from(rows[2 * row + 1].subarray(e * 6, e * 6 + 6)),
    );
  }
  const bad = new Float32Array(12);
  for (const v of [256, 1.5, -1]) {
    bad[7] = v;
    assert.throws(
      () =>
        b.add({
          observations: bad,
          actions: [0, 0],
          rewards: [0, 0],
          nextObservations: bad,
          terminated: [0, 0],
          truncated: [0, 0],
        }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && new RegExp(`observations\\[1\\] is ${v}; a uint8 Box`).test(String(e)),
    );
  }
});

test("a Dict observation is stored one array per key, each in its dtype; a large store is split into whole-row chunks", () => {
  const dict = new Dict({
    img: new Box(0, 255, [4], { dtype: "uint8" }),
    pos: new Box(-1, 1, [2]),
    flag: new Discrete(3),
  });
  const info = spaceInfo(dict, "obs", false, true);
  const b = new ReplayBuffer({ bufferSize: 4, obsDim: info.dim, observationSpace: info });
  const arrays = b.getState().arrays;
  assert.ok(arrays["observations.img"] instanceof Uint8Array && arrays["observations.img"].length === 16);
  assert.ok(arrays["observations.pos"] instanceof Float32Array && arrays["observations.pos"].length === 8);
  assert.ok(arrays["observations.flag"] instanceof Float32Array && arrays["observations.flag"].length === 4);
  assert.ok(arrays["nextObservations.img"] instanceof Uint8Array);
  // chunks of at most 10 values: 3 rows of 3 per array, 7 rows -> 3 arrays; the rows read back as written
  const store = new ObservationStore(spaceInfo(new Box(-5, 5, [3]), "obs"), 3, 7, "observations", 10);
  assert.deepEqual(Object.keys(store.arrays), ["observations#0", "observations#1", "observations#2"]);
  assert.equal(store.bytes, 7 * 3 * 4);
  for (let r = 0; r < 7; r++) store.write(r, [r, -r, r / 2], 0);
  const out = new Float32Array(3);
  for (let r = 0; r < 7; r++) {
    store.read(r, out, 0);
    assert.deepEqual(Array.from(out), [r, -r, r / 2]);
  }
});

/** 4x4 grey "images" (uint8) whose brightest pixel's half (left/right) is the rewarded action. */
class TinyImages extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 255, [4, 4, 1], { dtype: "uint8" });
  readonly actionSpace = new Discrete(2);
  private img: Float32Array = new Float32Array(16);
  private t = 0;
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    this.img = this.observationSpace.sample();
    return { observation: this.img, info: {} };
  }
  step(action: number): StepResult<Float32Array> {
    const best = this.img.indexOf(Math.max(...this.img)) % 4 < 2 ? 0 : 1;
    this.img = this.observationSpace.sample();
    this.t++;
    return {
      observation: this.img,
      reward: action === best ? 1 : 0,
      terminated: false,
      truncated: this.t >= 10,
      info: {},
    };
  }
}

class DictEnv extends Env<Record<string, unknown>, number> {
  readonly observationSpace = new Dict({ cue: new Box(-1, 1, [1]), flip: new Discrete(2) });
  readonly actionSpace = new Discrete(2);
  reset(opts?: ResetOptions): ResetResult<Record<string, unknown>> {
    this.seedReset(opts?.seed);
    return { observation: this.observationSpace.sample(), info: {} };
  }
  step(): StepResult<Record<string, unknown>> {
    return { observation: this.observationSpace.sample(), reward: 1, terminated: true, truncated: false, info: {} };
  }
}

test("DQN keeps image observations as bytes and Dict observations per key, and its checkpoints carry them", async () => {
  for (const [make, names] of [
    [() => new TinyImages(), ["replay/observations", "replay/nextObservations"]],
    [() => new DictEnv(), ["replay/observations.cue", "replay/observations.flip", "replay/nextObservations.flip"]],
  ] as const) {
    const model = new DQN(make(), { learningStarts: 16, bufferSize: 64, batchSize: 8, seed: 3 });
    await model.learn(40);
    const ckpt = model.getCheckpoint();
    for (const name of names) assert.ok(ckpt.tensors[name] !== undefined, name);
    if (names[0] === "replay/observations") assert.equal(ckpt.tensors["replay/observations"].dtype, "U8");
    const loaded = DQN.fromBytes(model.toBytes(), { env: make() });
    assert.equal(loaded.buffer.size, model.buffer.size);
    assert.deepEqual(loaded.buffer.sample(8, new Rng(5)), model.buffer.sample(8, new Rng(5)));
  }
});
