// Every algorithm trains to the same saved model, byte for byte, on 1, 2 and 4 kernel threads (a short run with
// networks and batches large enough that the products do split); `threads` is checked and is not stored.
import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C } from "../../src/algos/a2c.js";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import { DDPG } from "../../src/algos/ddpg.js";
import { DQN } from "../../src/algos/dqn.js";
import { PPO } from "../../src/algos/ppo.js";
import { QLearning } from "../../src/algos/qlearning.js";
import { REINFORCE } from "../../src/algos/reinforce.js";
import { SAC } from "../../src/algos/sac.js";
import { Sarsa } from "../../src/algos/sarsa.js";
import { TD3 } from "../../src/algos/td3.js";
import { TRPO } from "../../src/algos/trpo.js";
import { ThreadedKernels } from "../../src/core/kernels/index.js";
import type { Kernels } from "../../src/core/kernels/kernels.js";
import { make } from "../../src/envs/index.js";
import { InvalidArgumentError } from "../../src/errors.js";

const wide = { netArch: { pi: [256, 256], vf: [256, 256] } };
const onPolicy = { nSteps: 256, policyKwargs: wide };
const offPolicy = { netArch: [256, 256], batchSize: 128, learningStarts: 64, bufferSize: 1000, seed: 3 };

type Case = [string, (threads: number) => Algorithm, number];
const cases: Case[] = [
  [
    "DQN",
    (threads) =>
      new DQN(make("CartPole-v1"), {
        netArch: [256, 256],
        batchSize: 256,
        learningStarts: 256,
        trainFreq: 4,
        bufferSize: 2000,
        seed: 3,
        threads,
      }),
    600,
  ],
  [
    "PPO",
    (threads) => new PPO(make("CartPole-v1"), { ...onPolicy, batchSize: 128, nEpochs: 2, seed: 3, threads }),
    512,
  ],
  ["A2C", (threads) => new A2C(make("CartPole-v1"), { ...onPolicy, seed: 3, threads }), 512],
  ["REINFORCE", (threads) => new REINFORCE(make("CartPole-v1"), { ...onPolicy, seed: 3, threads }), 512],
  ["TRPO", (threads) => new TRPO(make("CartPole-v1"), { ...onPolicy, batchSize: 128, seed: 3, threads }), 512],
  ["SAC", (threads) => new SAC(make("Pendulum-v1"), { ...offPolicy, threads }), 160],
  ["TD3", (threads) => new TD3(make("Pendulum-v1"), { ...offPolicy, threads }), 160],
  ["DDPG", (threads) => new DDPG(make("Pendulum-v1"), { ...offPolicy, threads }), 160],
  ["QLearning", (threads) => new QLearning(make("FrozenLake-v1"), { seed: 3, threads }), 500],
  ["Sarsa", (threads) => new Sarsa(make("FrozenLake-v1"), { seed: 3, threads }), 500],
];

/** The kernels an algorithm's networks run on (null for the tabular ones). */
function kernelsOf(model: Algorithm): Kernels | null {
  const m = model as unknown as { engine?: { kernels: Kernels }; policy?: { engine: { kernels: Kernels } } };
  return m.engine?.kernels ?? m.policy?.engine.kernels ?? null;
}

for (const [name, build, steps] of cases) {
  test(`${name}: the same saved model on 1, 2 and 4 threads`, async () => {
    const saved: Uint8Array[] = [];
    for (const threads of [1, 2, 4]) {
      const model = build(threads);
      assert.equal(model.threads, threads);
      const k = kernelsOf(model);
      if (k instanceof ThreadedKernels) await k.ready();
      await model.learn(steps);
      if (threads > 1 && k !== null) {
        assert.ok(k instanceof ThreadedKernels && k.splitProducts > 0, `${name} on ${threads} threads split nothing`);
        k.close();
      }
      saved.push(model.toBytes());
    }
    assert.ok(Buffer.from(saved[0]).equals(Buffer.from(saved[1])), `${name}: 2 threads saved a different model`);
    assert.ok(Buffer.from(saved[0]).equals(Buffer.from(saved[2])), `${name}: 4 threads saved a different model`);
  });
}

test("config.threads is checked, not stored in checkpoints, and given again on load", async () => {
  for (const bad of [0, 2.5, "4"]) {
    assert.throws(
      () => new PPO(make("CartPole-v1"), { threads: bad as number }),
      (e: Error) => e instanceof InvalidArgumentError && /PPO: config.threads must be an integer >= 1/.test(e.message),
    );
  }
  const model = new PPO(make("CartPole-v1"), { nSteps: 32, batchSize: 32, threads: 2 });
  assert.equal("threads" in model.config, false);
  const loaded = await PPO.fromBytes(model.toBytes(), { env: make("CartPole-v1"), threads: 3 });
  assert.equal(loaded.threads, 3);
  await assert.rejects(
    async () => PPO.fromBytes(model.toBytes(), { env: make("CartPole-v1"), threads: 0 }),
    /PPO.load: opts.threads must be an integer >= 1, got 0/,
  );
});
