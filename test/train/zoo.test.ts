import assert from "node:assert/strict";
import { test } from "node:test";
import { getAlgorithmClass } from "../../src/algos/index.js";
import { registeredIds } from "../../src/envs/index.js";
import { loadEnvFamily } from "../../src/train/load-env-family.js";
import { makeTrainEnv, resolveRunConfig } from "../../src/train/run.js";
import { listZooEntries, ZOOS, zooEntry } from "../../src/train/zoo/index.js";

test("every tuned entry names a registered algorithm and env, and its algorithm accepts its hyperparameters", async () => {
  const entries = listZooEntries();
  assert.ok(entries.length >= 10, `${entries.length} entries`);
  for (const { algorithm, env, entry } of entries) {
    const cls = getAlgorithmClass(algorithm);
    assert.ok(cls, `zoo algorithm ${algorithm} is not registered`);
    assert.ok(registeredIds().includes(env), `zoo env ${env} is not registered`);
    assert.ok(Number.isSafeInteger(entry.totalTimesteps) && entry.totalTimesteps > 0, `${algorithm}/${env} steps`);
    assert.ok(typeof entry.source === "string" && entry.source.length > 0, `${algorithm}/${env} source`);
    await loadEnvFamily(env); // MuJoCo ids need tsrl/mujoco loaded, as the CLI does
    const vec = makeTrainEnv(env, entry.nEnvs ?? 1, entry.envKwargs ?? {});
    assert.doesNotThrow(() => new cls(vec, { ...entry.hyperparams }), `${algorithm} on ${env}`);
    // hyperparameters survive the JSON round trip a run folder and a checkpoint make
    assert.deepEqual(
      JSON.parse(JSON.stringify(entry.hyperparams)),
      entry.hyperparams,
      `${algorithm}/${env} not plain JSON`,
    );
  }
});

test("zoo lookup: tuned entries, case-insensitive algorithm, precedence of config file and overrides", () => {
  assert.equal(new Set(ZOOS.map((z) => z.algorithm)).size, ZOOS.length);
  const ppo = zooEntry("ppo", "CartPole-v1");
  assert.ok(ppo?.tuned);
  assert.equal(zooEntry("PPO", "NoSuchEnv-v0")?.tuned ?? false, false);
  const cfg = resolveRunConfig({
    algo: "ppo",
    env: "cartpole-v1",
    config: { hyperparams: { gamma: 0.9, nEpochs: 3 }, nEnvs: 2 },
    hp: { gamma: 0.95 },
  });
  assert.equal(cfg.algorithm, "PPO");
  assert.equal(cfg.env, "CartPole-v1");
  assert.equal(cfg.hyperparams.gamma, 0.95);
  assert.equal(cfg.hyperparams.nEpochs, 3);
  assert.equal(cfg.hyperparams.nSteps, ppo?.entry.hyperparams.nSteps);
  assert.equal(cfg.nEnvs, 2);
  assert.equal(cfg.totalTimesteps, ppo?.entry.totalTimesteps);
  assert.throws(() => resolveRunConfig({ algo: "ppo", env: "CartPole-v1", steps: 0 }), /steps must be an integer >= 1/);
});
