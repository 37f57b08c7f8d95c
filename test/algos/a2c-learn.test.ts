import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C } from "../../src/algos/a2c.js";
import { zoo } from "../../src/train/zoo/a2c.js";
import { evalReturn, vecEnv } from "./policy-gradient-helpers.js";

test("A2C learns CartPole-v1 in 60k steps with the zoo hyperparameters", async () => {
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
