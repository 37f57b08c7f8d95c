import assert from "node:assert/strict";
import { test } from "node:test";
import { PPO } from "../../src/algos/ppo.js";
import { zoo } from "../../src/train/zoo/ppo.js";
import { evalReturn, vecEnv } from "./policy-gradient-helpers.js";

test("PPO learns CartPole-v1 in 20k steps with the zoo hyperparameters (random policy: ~20)", async () => {
  const z = zoo.entries["CartPole-v1"];
  const model = new PPO(vecEnv("CartPole-v1", z.nEnvs ?? 1), { ...z.hyperparams, seed: 0 });
  await model.learn(20_000);
  const ret = evalReturn(model, "CartPole-v1");
  assert.ok(ret >= 200, `mean deterministic return ${ret}`);
  // the per-update diagnostics are logged
  for (const key of [
    "train/approx_kl",
    "train/clip_fraction",
    "train/explained_variance",
    "train/grad_norm",
    "time/fps",
  ]) {
    assert.ok(Number.isFinite(model.logger.latest[key]), key);
  }
});
