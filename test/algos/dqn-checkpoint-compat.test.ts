// DQN checkpoints written before the per-space replay buffer, the s' action masks and the MLP QNetwork (fixtures in
// test/fixtures/dqn, see its README) still load: the same named tensors, the same Q-values, the replay buffer back
// (its masks absent: every action allowed), and learning continues from them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DQN } from "../../src/algos/dqn.js";
import { Rng } from "../../src/core/rng.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";

const dir = new URL("../fixtures/dqn/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("q-values.json", dir), "utf8")) as Record<string, number[]>;
const obs = new Float32Array([0.01, -0.02, 0.03, 0.04, -0.1, 0.2, -0.05, -0.3]);

for (const [name, file, replaySize] of [
  ["plain", "dqn-cartpole.safetensors", 48],
  ["dueling", "dqn-dueling-cartpole.safetensors", 39],
] as const) {
  test(`an older DQN checkpoint (${name}) loads with its Q-values, its replay buffer and resumes learning`, async () => {
    const model = DQN.fromBytes(new Uint8Array(readFileSync(new URL(file, dir))), { env: make("CartPole-v1") });
    const q = model.engine.scope(() => Array.from(model.qNet.forward(model.engine.tensor(obs, [2, 4])).data()));
    for (let i = 0; i < q.length; i++) assert.ok(Math.abs(q[i] - expected[name][i]) < 1e-6, `Q[${i}] ${q[i]}`);
    assert.equal(model.numTimesteps, 48);
    assert.equal(model.buffer.size, replaySize);
    const batch = model.buffer.sample(8, new Rng(0));
    assert.ok(
      batch.nextActionMasks.every((v) => v === 1),
      "masks of an old buffer: every action allowed",
    );
    await model.learn(16, { resetNumTimesteps: false });
    assert.equal(model.numTimesteps, 64);
    const again = DQN.fromBytes(model.toBytes(), { env: make("CartPole-v1") });
    assert.deepEqual(again.getCheckpoint().meta.counters, model.getCheckpoint().meta.counters);
  });
}
