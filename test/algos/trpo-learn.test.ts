import assert from "node:assert/strict";
import { test } from "node:test";
import { TRPO } from "../../src/algos/trpo.js";
import { zoo } from "../../src/train/zoo/trpo.js";
import { evalReturn, vecEnv } from "./policy-gradient-helpers.js";

// 30k steps with the zoo entry: seeds 0-5 reach 500, 383.8, 500, 500, 500, 500 (at 20k TRPO is still mid-climb).
test("smoke test, one seed: TRPO learns CartPole-v1 in 30k steps, every accepted step within the KL bound", async () => {
  const z = zoo.entries["CartPole-v1"];
  const model = new TRPO(vecEnv("CartPole-v1", z.nEnvs ?? 1), { ...z.hyperparams, seed: 0 });
  const kls: number[] = [];
  model.logger.addSink({ write: (_step, row) => void kls.push(row["train/kl_divergence_loss"]) });
  await model.learn(30_000);
  assert.ok(kls.length > 0 && kls.every((kl) => kl <= 0.01), `KL per update: ${kls.join(", ")}`);
  const ret = evalReturn(model, "CartPole-v1");
  assert.ok(ret >= 200, `mean deterministic return ${ret}`);
});

test("smoke test, one seed: natural policy gradient (TRPO's step without the line search) learns CartPole-v1 in 20k steps", async () => {
  const z = zoo.entries["CartPole-v1"];
  const model = new TRPO(vecEnv("CartPole-v1", z.nEnvs ?? 1), { ...z.hyperparams, lineSearch: false, seed: 0 });
  await model.learn(20_000);
  const ret = evalReturn(model, "CartPole-v1");
  assert.ok(ret >= 200, `mean deterministic return ${ret}`);
});
