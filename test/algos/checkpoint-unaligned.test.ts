// A model file read into memory need not own its ArrayBuffer nor start on an 8-byte boundary (readFileSync's Buffers
// of small files come from a shared pool; a slice of a larger download): every algorithm's checkpoint loads from a
// Uint8Array or a Buffer at byte offsets 0-7 of a larger ArrayBuffer and saves back to the same bytes. (A Node
// Buffer's slice() is a view, not a copy: the decoder once read such tensors from the whole pool.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  A2C,
  type Algorithm,
  checkpointFromBytes,
  DDPG,
  DQN,
  ExpectedSarsa,
  PPO,
  QLearning,
  REINFORCE,
  SAC,
  Sarsa,
  TD3,
  TRPO,
} from "../../src/algos/index.js";
import "../../src/envs/builtin.js";

type Loader = { fromBytes(bytes: Uint8Array, opts?: { env?: unknown }): Algorithm };

const small = { seed: 1, threads: 1 } as const;
const offPolicy = { ...small, learningStarts: 8, batchSize: 8, bufferSize: 64, netArch: [8] };
const onPolicy = { ...small, nSteps: 16, policyKwargs: { netArch: [8] } };
const models: [string, Loader, () => Algorithm][] = [
  ["PPO", PPO, () => new PPO("CartPole-v1", { ...onPolicy, batchSize: 8, nEpochs: 1 })],
  ["A2C", A2C, () => new A2C("CartPole-v1", onPolicy)],
  ["REINFORCE", REINFORCE, () => new REINFORCE("CartPole-v1", onPolicy)],
  [
    "TRPO",
    TRPO,
    () => new TRPO("CartPole-v1", { ...onPolicy, batchSize: 16, policyKwargs: { netArch: { pi: [8], vf: [8] } } }),
  ],
  ["DQN", DQN, () => new DQN("CartPole-v1", { ...offPolicy, dueling: true, prioritizedReplay: true })],
  ["SAC", SAC, () => new SAC("Pendulum-v1", offPolicy)],
  ["TD3", TD3, () => new TD3("Pendulum-v1", offPolicy)],
  ["DDPG", DDPG, () => new DDPG("Pendulum-v1", offPolicy)],
  ["QLearning", QLearning, () => new QLearning("FrozenLake-v1", small)],
  ["Sarsa", Sarsa, () => new Sarsa("FrozenLake-v1", small)],
  ["ExpectedSarsa", ExpectedSarsa, () => new ExpectedSarsa("FrozenLake-v1", small)],
];

/** `bytes` copied to byte `offset` of a larger ArrayBuffer, as a Uint8Array view and as a Node Buffer. */
function unaligned(bytes: Uint8Array, offset: number): Uint8Array[] {
  const buffer = new ArrayBuffer(bytes.length + 16);
  const view = new Uint8Array(buffer, offset, bytes.length);
  view.set(bytes);
  return [view, Buffer.from(buffer, offset, bytes.length)];
}

for (const [name, cls, make] of models) {
  test(`${name}: a checkpoint at byte offsets 0-7 of a larger buffer loads and saves back the same bytes`, async () => {
    const model = make();
    await model.learn(40);
    const bytes = model.toBytes();
    for (let offset = 0; offset < 8; offset++) {
      for (const input of unaligned(bytes, offset)) {
        assert.equal(input.byteOffset % 8, offset % 8);
        const loaded = cls.fromBytes(input);
        assert.deepEqual(loaded.toBytes(), bytes, `${input.constructor.name} at offset ${offset}`);
        await loaded.close();
      }
    }
    await model.close();
  });
}

test("older checkpoints (format 1, DQN before the MLP QNetwork) load from views into larger buffers too", () => {
  for (const file of [
    "format1/ppo-cartpole.safetensors",
    "format1/a2c-pendulum.safetensors",
    "format1/trpo-cartpole.safetensors",
    "dqn/dqn-cartpole.safetensors",
    "dqn/dqn-dueling-cartpole.safetensors",
  ]) {
    const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/${file}`, import.meta.url)));
    const expected = checkpointFromBytes(bytes);
    for (let offset = 0; offset < 8; offset++) {
      for (const input of unaligned(bytes, offset)) {
        assert.deepEqual(checkpointFromBytes(input), expected, `${file} at offset ${offset}`);
      }
    }
  }
});
