import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as ort from "onnxruntime-web";
import { SAC } from "../../src/algos/index.js";
import { make } from "../../src/envs/index.js";
import { Sb3ImportError } from "../../src/errors.js";
import { exportOnnx } from "../../src/interop/export-onnx.js";
import { importSb3 } from "../../src/interop/import-sb3.js";
import { ZipArchive } from "../../src/interop/zip-reader.js";
import { close } from "../support/onnx-compare.js";
import { type NamedTensor, torchStateDictPth } from "../support/torch-writer.js";
import { writeZip } from "../support/zip-writer.js";

// gSDE SAC through the importer. No SB3 gSDE SAC model is in the shared reference data, so the fixture is built
// here: a trained tsrl gSDE SAC written in SB3's layout (SB3 2.4's sac/policies.py Actor with use_sde:
// `actor.latent_pi.{0,2,..}`, `actor.mu.0` = Linear inside Sequential(Linear, Hardtanh(-2, 2)), `actor.log_std`
// [latent, dim(A)]; critics `critic.qf{j}.{0,2,..}` and `critic_target.*`; `log_ent_coef` in
// pytorch_variables.pth), with the SB3 SAC fixture's `data` switched to use_sde. It checks the importer's mapping
// of that layout, not SB3's numerics (which the non-gSDE SAC fixture covers).

const N = 1000;

async function gsdeSac(steps: number): Promise<SAC> {
  const model = new SAC(make("Pendulum-v1"), {
    seed: 21,
    useSde: true,
    learningStarts: 100,
    bufferSize: 1000,
    batchSize: 32,
    netArch: [32, 32],
  });
  if (steps > 0) await model.learn(steps);
  return model;
}

/** The model's tensors under SB3's names, and SB3's `data` for it (the SAC fixture's, with gSDE options). */
async function sb3Zip(
  model: SAC,
  policyKwargs: Record<string, unknown>,
  rename = (n: string) => n,
): Promise<Uint8Array> {
  const t = model.getCheckpoint({ includeReplayBuffer: false }).tensors;
  const sd: NamedTensor[] = [];
  const put = (sb3: string, tsrl: string) => sd.push([rename(sb3), t[tsrl].data as Float32Array, t[tsrl].shape]);
  put("actor.log_std", "actor/log_std");
  for (let i = 0; i < 2; i++) {
    for (const p of ["weight", "bias"]) put(`actor.latent_pi.${2 * i}.${p}`, `actor/pi.${i}.${p}`);
  }
  for (const p of ["weight", "bias"]) put(`actor.mu.0.${p}`, `actor/mu.${p}`);
  for (const net of ["critic", "critic_target"]) {
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 3; i++) {
        for (const p of ["weight", "bias"]) put(`${net}.qf${j}.${2 * i}.${p}`, `${net}/qf${j}.${i}.${p}`);
      }
    }
  }
  const fixture = ZipArchive.open(
    new Uint8Array(readFileSync(new URL("../fixtures/sb3/sac-Pendulum-v1.zip", import.meta.url))),
  );
  const data = JSON.parse(new TextDecoder().decode(await fixture.read("data")));
  Object.assign(data, {
    policy_kwargs: policyKwargs,
    use_sde: true,
    sde_sample_freq: -1,
    num_timesteps: model.numTimesteps,
  });
  const logEnt = t.log_ent_coef;
  return writeZip([
    { name: "data", data: new TextEncoder().encode(JSON.stringify(data)) },
    { name: "policy.pth", data: await torchStateDictPth(sd) },
    {
      name: "pytorch_variables.pth",
      data: await torchStateDictPth([["log_ent_coef", logEnt.data as Float32Array, logEnt.shape]]),
    },
    { name: "_stable_baselines3_version", data: new TextEncoder().encode("2.4.1") },
  ]);
}

const gsdeKwargs = { use_sde: true, net_arch: [32, 32], log_std_init: -3, clip_mean: 2.0 };

test(`gSDE SAC in SB3's layout imports to the same policy; its ONNX export equals predict on ${N} observations`, async () => {
  const source = await gsdeSac(300);
  const model = await importSb3(await sb3Zip(source, gsdeKwargs), { env: make("Pendulum-v1") });
  assert.equal(model.algoName, "SAC");
  assert.equal(model.getCheckpoint({ includeReplayBuffer: false }).meta.config.useSde, true);
  const a = source.getCheckpoint({ includeReplayBuffer: false }).tensors;
  const b = model.getCheckpoint({ includeReplayBuffer: false }).tensors;
  for (const name of Object.keys(a).filter((n) => /^(actor|critic|critic_target)\/|^log_ent_coef$/.test(n))) {
    assert.deepEqual(Array.from(b[name].data as Float32Array), Array.from(a[name].data as Float32Array), name);
  }
  const space = model.observationSpace;
  space.seed(22);
  const obs = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) obs.set(space.sample() as Float32Array, 3 * i);
  const want = Array.from(source.predict(obs, { deterministic: true }) as Float32Array);
  assert.deepEqual(Array.from(model.predict(obs, { deterministic: true }) as Float32Array), want);
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const r = await session.run({ obs: new ort.Tensor("float32", obs, [N, 3]) });
  close(Array.from(r.action.data as Float32Array), want, "ONNX actions");
});

test("gSDE SAC options tsrl lacks are refused naming them", async () => {
  const source = await gsdeSac(0);
  const cases: [Record<string, unknown>, ((n: string) => string) | undefined, RegExp][] = [
    [{ ...gsdeKwargs, full_std: false }, undefined, /full_std=false/],
    [{ ...gsdeKwargs, use_expln: true }, undefined, /use_expln=true/],
    [{ ...gsdeKwargs, clip_mean: 1.5 }, undefined, /clip_mean is 1.5/],
    // clip_mean=0: mu is a bare Linear (actor.mu.weight)
    [
      { use_sde: true, net_arch: [32, 32] },
      (n) => n.replace("actor.mu.0.", "actor.mu."),
      /clip_mean=0 is not supported/,
    ],
  ];
  for (const [kwargs, rename, message] of cases) {
    await assert.rejects(
      importSb3(await sb3Zip(source, kwargs, rename), { env: make("Pendulum-v1") }),
      (e: unknown) => e instanceof Sb3ImportError && message.test(e.message),
      String(message),
    );
  }
});
