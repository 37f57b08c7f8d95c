import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as ort from "onnxruntime-web";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { make } from "../../src/envs/index.js";
import { PickleError, Sb3ImportError } from "../../src/errors.js";
import { exportOnnx } from "../../src/interop/export-onnx.js";
import { importSb3 } from "../../src/interop/import-sb3.js";
import { readSb3VecNormalize } from "../../src/interop/sb3-vecnormalize.js";
import { close } from "../support/onnx-compare.js";

// SB3's VecNormalize statistics (rl-baselines3-zoo's vecnormalize.pkl), read without executing the pickle. The
// fixtures mirror SB3 2.4's layout (test/fixtures/sb3/README.md, make-vecnormalize.py), pickled by Python with
// protocols 4 and 5.

const file = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/sb3/${name}`, import.meta.url)));
const pkl = (protocol: number) => file(`vecnormalize-Pendulum-v1-protocol${protocol}.pkl`);

test("vecnormalize.pkl (protocols 4 and 5) reads to the statistics Python's pickle.load gives", () => {
  for (const protocol of [4, 5]) {
    const vn = readSb3VecNormalize(pkl(protocol));
    assert.equal(vn.normObs, true);
    assert.equal(vn.normReward, true);
    assert.equal(vn.clipObs, 5);
    assert.equal(vn.clipReward, 10);
    assert.equal(vn.gamma, 0.99);
    assert.equal(vn.epsilon, 1e-8);
    const o = vn.obsRms;
    assert.ok(o !== null && "mean" in o);
    // printed by Python from the same file (README): float64 bit for bit
    assert.deepEqual(o.mean, [-0.021901079096083947, -0.002815863760519005, -0.01179240004368797]);
    assert.deepEqual(o.var, [0.4988408012448547, 0.500671612400853, 6.319961359977411]);
    assert.equal(o.count, 3000.0001);
    assert.deepEqual(vn.retRms.mean, [-40.23216033089296]);
    assert.deepEqual(vn.retRms.var, [633.5424981542762]);
  }
});

test("importSb3 with VecNormalize: predict on raw observations equals SB3's predict(normalize_obs(obs))", async () => {
  const rec = JSON.parse(readFileSync(new URL("../fixtures/sb3/ppo-Pendulum-v1.json", import.meta.url), "utf8")) as {
    observations: number[][];
  };
  const raw = Float32Array.from(rec.observations.flat());
  const zip = file("ppo-Pendulum-v1.zip");
  const model = await importSb3(zip, { env: make("Pendulum-v1"), vecNormalize: pkl(4) });
  const plain = await importSb3(zip, { env: make("Pendulum-v1") });
  const vn = readSb3VecNormalize(pkl(4));
  const rms = vn.obsRms;
  assert.ok(rms !== null && "mean" in rms);
  // VecNormalize._normalize_obs: clip((obs - mean) / sqrt(var + eps), -clip_obs, clip_obs), in float64
  const normalized = raw.map((x, i) => {
    const j = i % 3;
    return Math.min(Math.max((x - rms.mean[j]) / Math.sqrt(rms.var[j] + 1e-8), -5), 5);
  });
  const got = model.predict(raw, { deterministic: true }) as Float32Array;
  assert.deepEqual(Array.from(got), Array.from(plain.predict(normalized, { deterministic: true }) as Float32Array));
  assert.notDeepEqual(Array.from(got), Array.from(plain.predict(raw, { deterministic: true }) as Float32Array));
  const normalizer = (model as unknown as OnPolicyAlgorithm<OnPolicyConfig>).normalizer.getState();
  assert.deepEqual(normalizer.obs, vn.obsRms);
  assert.deepEqual(normalizer.ret, vn.retRms);
  // the statistics are the model's own: ONNX export folds them in
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const r = await session.run({ obs: new ort.Tensor("float32", raw, [64, 3]) });
  close(Array.from(r.action.data as Float32Array), Array.from(got), "ONNX actions");
});

test("VecNormalize that tsrl cannot apply is an Sb3ImportError; a pickle outside SB3's layout a PickleError", async () => {
  const zip = (name: string) => file(`${name}.zip`);
  await assert.rejects(
    importSb3(zip("ppo-CartPole-v1"), { vecNormalize: pkl(4) }),
    (e: unknown) => e instanceof Sb3ImportError && /statistics of 3 values, the observations have 4/.test(e.message),
  );
  await assert.rejects(
    importSb3(zip("dqn-CartPole-v1"), { vecNormalize: pkl(4) }),
    (e: unknown) => e instanceof Sb3ImportError && /DQN has no observation normalization/.test(e.message),
  );
  // protocol 4: STACK_GLOBAL os.system; REDUCE ("id",)
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const short = (s: string) => [0x8c, s.length, ...ascii(s)];
  const evil = Uint8Array.from([0x80, 4, ...short("os"), ...short("system"), 0x93, ...short("id"), 0x85, 0x52, 0x2e]);
  assert.throws(
    () => readSb3VecNormalize(evil),
    (e: unknown) => e instanceof PickleError && /refusing global os.system/.test(e.message),
  );
  // an SB3 VecNormalize whose RunningMeanStd is swapped for another allowed record
  const bytes = pkl(4);
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf("RunningMeanStd");
  assert.ok(at > 0);
  const swapped = bytes.slice();
  swapped.set(ascii("RunningMeanStX"), at);
  assert.throws(
    () => readSb3VecNormalize(swapped),
    /refusing global stable_baselines3.common.running_mean_std.RunningMeanStX/,
  );
  // truncated
  assert.throws(() => readSb3VecNormalize(bytes.subarray(0, 700)), PickleError);
});
