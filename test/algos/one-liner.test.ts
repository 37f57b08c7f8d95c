// Issue 16.4 and 16.5: SB3-style one-liners. An env id builds a model, `fromZoo` takes the tuned defaults, `load`
// needs no env for a registered id, and makeVec's defaults train without an autoreset error.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  A2C,
  CheckpointError,
  DDPG,
  DQN,
  InvalidArgumentError,
  make,
  makeVec,
  PPO,
  QLearning,
  REINFORCE,
  register,
  SAC,
  TD3,
  TRPO,
} from "../../src/index.js";
import { zooEntry } from "../../src/train/zoo/index.js";
import { DriftEnv } from "./algorithm-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-one-liner-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("an env id is enough: new PPO('CartPole-v1') trains", async () => {
  const model = new PPO("CartPole-v1", { nSteps: 32, batchSize: 32, seed: 3 });
  assert.equal(model.envId, "CartPole-v1");
  await model.learn(64);
  assert.equal(model.numTimesteps, 64);
});

test("nEnvs with an env id builds the vector env makeVec does, for every algorithm; it is validated", async () => {
  const cases = [
    [PPO, "CartPole-v1", { nSteps: 8, batchSize: 16 }],
    [A2C, "CartPole-v1", { nSteps: 8 }],
    [TRPO, "CartPole-v1", { nSteps: 8, batchSize: 16 }],
    [REINFORCE, "CartPole-v1", {}],
    [DQN, "CartPole-v1", { learningStarts: 8, bufferSize: 64 }],
    [SAC, "Pendulum-v1", { learningStarts: 8, batchSize: 8, bufferSize: 64 }],
    [TD3, "Pendulum-v1", { learningStarts: 8, batchSize: 8, bufferSize: 64 }],
    [DDPG, "Pendulum-v1", { learningStarts: 8, batchSize: 8, bufferSize: 64 }],
    [QLearning, "FrozenLake-v1", {}],
  ] as const;
  for (const [Algo, id, config] of cases) {
    const byId = new Algo(id, { ...config, seed: 5, nEnvs: 2 });
    const byVec = new Algo(makeVec(id, 2), { ...config, seed: 5 });
    assert.equal(byId.numEnvs, 2, Algo.algorithmName);
    assert.equal(byId.env.autoresetMode, "same-step");
    assert.equal(byId.envId, id);
    await byId.learn(32);
    await byVec.learn(32);
    // same env, same seed: the same model, byte for byte; the env count is the env's, not the model's config
    assert.ok(Buffer.from(byId.toBytes()).equals(byVec.toBytes()), Algo.algorithmName);
    assert.equal("nEnvs" in byId.config, false);
  }
  for (const bad of [0, -1, 1.5, Number.NaN, "8"]) {
    assert.throws(
      () => new PPO("CartPole-v1", { nEnvs: bad as number }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /PPO: config\.nEnvs must be a positive integer/.test(e.message),
    );
  }
  assert.throws(
    () => new PPO(make("CartPole-v1"), { nEnvs: 2 }),
    (e: unknown) => e instanceof InvalidArgumentError && /nEnvs applies to an env id/.test(e.message),
  );
});

test("fromZoo builds the zoo's tuned model: its hyperparameters, env count and overrides", () => {
  const model = PPO.fromZoo("CartPole-v1", { seed: 4 });
  const z = zooEntry("PPO", "CartPole-v1");
  assert.ok(z?.tuned);
  assert.equal(model.numEnvs, z.entry.nEnvs ?? 1);
  for (const [k, v] of Object.entries(z.entry.hyperparams))
    assert.deepEqual((model.config as Record<string, unknown>)[k], v, k);
  assert.equal(model.seed, 4);
  assert.throws(
    () => A2C.fromZoo("Taxi-v4"),
    (e: unknown) => e instanceof InvalidArgumentError && /no tuned defaults/.test(e.message),
  );
});

test("load needs no env for a registered id; a custom env's model says to pass one", async () => {
  const model = new DQN(make("CartPole-v1"), { seed: 2, learningStarts: 10 });
  await model.learn(50);
  const path = join(dir, "dqn.safetensors");
  await model.save(path);
  const again = await DQN.load(path);
  const obs = make("CartPole-v1").reset({ seed: 9 }).observation;
  assert.equal(again.predict(obs, { deterministic: true }), model.predict(obs, { deterministic: true }));

  register("LoadDrift-v0", () => new DriftEnv());
  assert.ok(DQN.fromBytes(new DQN(make("LoadDrift-v0"), { seed: 1 }).toBytes()));
  // an env without a registered id: the file cannot name one to make
  const custom = new DQN(new DriftEnv(), { seed: 1 });
  assert.throws(
    () => DQN.fromBytes(custom.toBytes()),
    (e: unknown) => e instanceof CheckpointError && /pass \{ env \}/.test(e.message),
  );
  assert.ok(DQN.fromBytes(custom.toBytes(), { env: new DriftEnv() }));
});

test("makeVec's defaults work with every on-policy algorithm (same-step autoreset)", async () => {
  const ppo = new PPO(makeVec("CartPole-v1", 2), { nSteps: 16, batchSize: 32, seed: 0 });
  await ppo.learn(64);
  const a2c = new A2C(makeVec("CartPole-v1", 2), { nSteps: 16, seed: 0 });
  await a2c.learn(64);
  assert.equal(ppo.numTimesteps + a2c.numTimesteps, 128);
});

test("verbose: 1 prints SB3's table to the console each dump; the default prints nothing", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (text: string) => printed.push(text);
  try {
    await new PPO("CartPole-v1", { nSteps: 32, batchSize: 32 }).learn(64);
    assert.equal(printed.length, 0);
    await new PPO("CartPole-v1", { nSteps: 32, batchSize: 32, verbose: 1 }).learn(64);
  } finally {
    console.log = log;
  }
  assert.equal(printed.length, 2);
  assert.match(printed[0], /\| +total_timesteps +\| 32 +\|/);
  // the rollout/ group appears once episodes have ended (none does in seed 0's first 32 steps)
  assert.match(printed[1], /\| rollout\/ +\| +\|/);
  assert.match(printed[1], /\| +total_timesteps +\| 64 +\|/);
  assert.throws(() => new PPO("CartPole-v1", { verbose: 2 as 1 }), /verbose must be 0 or 1/);
});
