import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C } from "../../src/algos/a2c.js";
import { zoo } from "../../src/train/zoo/a2c.js";
import { evalReturn, vecEnv } from "./policy-gradient-helpers.js";

test("smoke test, one seed: A2C learns CartPole-v1 in 60k steps with the zoo hyperparameters", async () => {
  const z = zoo.entries["CartPole-v1"];
  const model = new A2C(vecEnv("CartPole-v1", z.nEnvs ?? 1), { ...z.hyperparams, seed: 0 });
  await model.learn(60_000);
  const ret = evalReturn(model, "CartPole-v1");
  assert.ok(ret >= 200, `mean deterministic return ${ret}`);
});

test("A2C rejects a misspelt option and a bad optimizer by name", () => {
  assert.throws(
    () => new A2C(vecEnv("CartPole-v1", 1), { entCoeff: 0.1 } as never),
    /unknown config option "entCoeff"/,
  );
  assert.throws(() => new A2C(vecEnv("CartPole-v1", 1), { optimizer: "sgd" as never }), /optimizer must be/);
});

test("A2C, TRPO and REINFORCE log every update's diagnostics, step size included (approx KL, clip fraction)", async () => {
  const { TRPO } = await import("../../src/algos/trpo.js");
  const { REINFORCE } = await import("../../src/algos/reinforce.js");
  for (const Algo of [A2C, TRPO, REINFORCE]) {
    const model = new Algo(vecEnv("CartPole-v1", 2), { nSteps: 64, seed: 0 });
    await model.learn(256);
    const latest = model.logger.latest;
    for (const key of ["train/approx_kl", "train/clip_fraction", "train/explained_variance", "train/learning_rate"]) {
      assert.ok(Number.isFinite(latest[key]), `${Algo.name} ${key}: ${latest[key]}`);
    }
    assert.ok(
      latest["train/approx_kl"] >= 0 && latest["train/clip_fraction"] >= 0 && latest["train/clip_fraction"] <= 1,
    );
  }
});
