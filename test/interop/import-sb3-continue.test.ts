import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Algorithm } from "../../src/algos/index.js";
import { make } from "../../src/envs/index.js";
import { Sb3ImportError } from "../../src/errors.js";
import { importSb3, readSb3Model } from "../../src/interop/import-sb3.js";
import { readTorchObject, type TorchTensor, type TorchValue } from "../../src/interop/torch-pth.js";
import { ZipArchive } from "../../src/interop/zip-reader.js";

// Continuing an imported SB3 model: its optimizer's state comes along (policy.optimizer.pth), tsrl trains it
// further, saves it as a tsrl checkpoint, and the checkpoint loads back to the same predictions.

const dir = mkdtempSync(join(tmpdir(), "tsrl-sb3-continue-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/sb3/${name}.zip`, import.meta.url)));
const observations = (name: string) =>
  Float32Array.from(
    (
      JSON.parse(readFileSync(new URL(`../fixtures/sb3/${name}.json`, import.meta.url), "utf8")) as {
        observations: number[][];
      }
    ).observations.flat(),
  );

/** SB3's optimizer state_dict read straight from the zip: state[param index][buffer]. */
async function sb3OptimizerBuffer(zip: string, index: number, buffer: string): Promise<TorchTensor> {
  const archive = ZipArchive.open(bytes(zip));
  const sd = (await readTorchObject(await archive.read("policy.optimizer.pth"))) as ReadonlyMap<string, TorchValue>;
  const state = sd.get("state") as ReadonlyMap<number, ReadonlyMap<string, TorchValue>>;
  return state.get(index)?.get(buffer) as TorchTensor;
}

/** The position of `key` in policy.pth: its parameter index in SB3's optimizer (the policy's parameters() order). */
async function paramIndex(zip: string, key: string, prefix = ""): Promise<number> {
  const keys = [...(await readSb3Model(bytes(zip))).policy.keys()].filter((k) => k.startsWith(prefix));
  return keys.indexOf(key);
}

for (const [zip, env, pairs, stepKey, steps] of [
  [
    "ppo-CartPole-v1",
    "CartPole-v1",
    [
      ["mlp_extractor.policy_net.0.weight", "exp_avg", "optimizer.policy.pi.0.weight.exp_avg"],
      ["action_net.weight", "exp_avg_sq", "optimizer.policy.pi.2.weight.exp_avg_sq"],
      ["mlp_extractor.value_net.2.bias", "exp_avg", "optimizer.policy.vf.1.bias.exp_avg"],
      ["value_net.weight", "exp_avg_sq", "optimizer.policy.vf.2.weight.exp_avg_sq"],
    ],
    "optimizerSteps",
    640,
  ],
  [
    "ppo-Pendulum-v1",
    "Pendulum-v1",
    [
      ["log_std", "exp_avg", "optimizer.policy.log_std.exp_avg"],
      ["action_net.bias", "exp_avg_sq", "optimizer.policy.pi.2.bias.exp_avg_sq"],
    ],
    "optimizerSteps",
    640,
  ],
  [
    "a2c-Acrobot-v1",
    "Acrobot-v1",
    [
      ["mlp_extractor.policy_net.2.weight", "square_avg", "optimizer.policy.pi.1.weight.square_avg"],
      ["value_net.bias", "square_avg", "optimizer.policy.vf.2.bias.square_avg"],
    ],
    "optimizerSteps",
    600,
  ],
  [
    "dqn-CartPole-v1",
    "CartPole-v1",
    [
      ["q_net.q_net.0.weight", "exp_avg", "optimizer/m/hidden0.weight"],
      ["q_net.q_net.4.bias", "exp_avg_sq", "optimizer/v/head.bias"],
    ],
    "nUpdates",
    625,
  ],
] as const) {
  test(`${zip}: SB3's optimizer state (policy.optimizer.pth) becomes tsrl's optimizer state`, async () => {
    const model = await importSb3(bytes(zip), { env: make(env) });
    const ckpt = model.getCheckpoint({ includeReplayBuffer: false });
    for (const [key, buffer, tsrlName] of pairs) {
      // DQN's optimizer covers the online network only (q_net.*, not q_net_target.*)
      const index = await paramIndex(zip, key, zip.startsWith("dqn") ? "q_net." : "");
      assert.ok(index >= 0, key);
      const want = await sb3OptimizerBuffer(zip, index, buffer);
      const got = ckpt.tensors[tsrlName];
      assert.deepEqual(Array.from(got.data as Float32Array), Array.from(want.data as Float32Array), tsrlName);
      assert.ok(
        Array.from(got.data as Float32Array).some((v) => v !== 0),
        `${tsrlName} is not a fresh optimizer's`,
      );
    }
    assert.equal(ckpt.meta.algorithmState[stepKey], steps);
    const fresh = (await importSb3(bytes(zip), { env: make(env), optimizerState: false })).getCheckpoint({
      includeReplayBuffer: false,
    });
    assert.equal(fresh.meta.algorithmState[stepKey], 0);
    assert.ok(Array.from(fresh.tensors[pairs[0][2]].data as Float32Array).every((v) => v === 0));
  });
}

test("PPO imported from SB3 continues training (with SB3's Adam moments), saves, and loads to identical predictions", async () => {
  const obs = observations("ppo-CartPole-v1");
  const model = await importSb3(bytes("ppo-CartPole-v1"), { env: make("CartPole-v1"), seed: 5 });
  const before = Array.from(model.predict(obs, { deterministic: true }) as Int32Array);
  assert.equal(model.numTimesteps, 4096);
  await model.learn(2048, { resetNumTimesteps: false });
  assert.equal(model.numTimesteps, 4096 + 2048);
  // SB3's moments shape the first updates: the same run with a fresh optimizer ends elsewhere
  const freshStart = await importSb3(bytes("ppo-CartPole-v1"), {
    env: make("CartPole-v1"),
    seed: 5,
    optimizerState: false,
  });
  await freshStart.learn(2048, { resetNumTimesteps: false });
  const params = (m: Algorithm) =>
    m.getCheckpoint({ includeReplayBuffer: false }).tensors["policy.pi.0.weight"].data as Float32Array;
  assert.notDeepEqual(Array.from(params(model)), Array.from(params(freshStart)));

  const path = join(dir, "ppo-continued.safetensors");
  await model.save(path);
  const loaded = await Algorithm.load(path, { env: make("CartPole-v1") });
  const after = Array.from(loaded.predict(obs, { deterministic: true }) as Int32Array);
  assert.deepEqual(after, Array.from(model.predict(obs, { deterministic: true }) as Int32Array));
  assert.equal(loaded.numTimesteps, 4096 + 2048);
  assert.deepEqual(Array.from(params(loaded)), Array.from(params(model)));
  assert.notDeepEqual(Array.from(params(model)), Array.from(params(await importSb3(bytes("ppo-CartPole-v1")))));
  assert.equal(before.length, 64);
});

test("an optimizer state that does not fit tsrl's optimizer is an Sb3ImportError naming the buffer", async () => {
  const sb3 = await readSb3Model(bytes("ppo-CartPole-v1"));
  const optimizer = sb3.optimizer;
  assert.ok(optimizer !== null);
  const first = optimizer.buffers.get(0);
  assert.ok(first !== undefined);
  first.set("momentum_buffer", first.get("exp_avg") as TorchTensor);
  await assert.rejects(
    importSb3(sb3, { env: make("CartPole-v1") }),
    (e: unknown) => e instanceof Sb3ImportError && /momentum_buffer/.test(e.message),
  );
  // the moments of a smaller network: shapes differ
  first.delete("momentum_buffer");
  first.set("exp_avg", { dtype: "float32", shape: [3], data: new Float32Array(3) });
  await assert.rejects(importSb3(sb3, { env: make("CartPole-v1") }), /shape \[3\]/);
});
