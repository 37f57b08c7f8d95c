// A format-1 checkpoint (one flat policy/params vector, flat optimizer moments) still loads: its vectors are split in
// parameter order into today's named tensors (test/fixtures/format1, written by the commit before the change).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkpointFromBytes } from "../../src/algos/common/checkpoint.js";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { A2C, PPO, TRPO } from "../../src/algos/index.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/format1/${name}`, import.meta.url)));

const cases = [
  ["ppo-cartpole.safetensors", PPO, "CartPole-v1", ["exp_avg", "m"]],
  ["a2c-pendulum.safetensors", A2C, "Pendulum-v1", ["square_avg", "v"]],
  ["trpo-cartpole.safetensors", TRPO, "CartPole-v1", ["exp_avg_sq", "v"]],
] as const;

for (const [file, Cls, envId, [moment, oldMoment]] of cases) {
  test(`format-1 ${file} loads into named tensors with the same values`, async () => {
    const bytes = fixture(file);
    const old = checkpointFromBytes(bytes).tensors;
    const model = (
      Cls as unknown as { fromBytes(b: Uint8Array, o: object): OnPolicyAlgorithm<OnPolicyConfig> }
    ).fromBytes(bytes, { env: make(envId) });
    const flat = model.policy.parameters().flatMap((t) => Array.from(t.data()));
    assert.deepEqual(flat, Array.from(old["policy/params"].data as Float64Array, Math.fround));
    const now = model.getCheckpoint().tensors;
    const moments = Object.keys(now)
      .filter((k) => k.startsWith("optimizer.") && k.endsWith(`.${moment}`))
      .flatMap((k) => Array.from(now[k].data as Float32Array));
    assert.deepEqual(moments, Array.from(old[`optimizer/0/${oldMoment}`].data as Float64Array, Math.fround));
    assert.ok("policy.pi.0.weight" in now && !("policy/params" in now));
    await model.learn(16, { resetNumTimesteps: false }); // and training continues from it
  });
}
