import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Algorithm } from "../../src/algos/index.js";
import { cli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-cli-sb3-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const zip = (name: string) => fileURLToPath(new URL(`../fixtures/sb3/${name}.zip`, import.meta.url));

test("tsrl import-sb3 writes a run folder that tsrl eval can use", async () => {
  const out = join(dir, "ppo-cartpole");
  const r = await cli("import-sb3", zip("ppo-CartPole-v1"), "--out", out, "--env", "CartPole-v1");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /PPO on CartPole-v1 imported/);
  assert.match(r.err, /not imported .*clip_range/);
  for (const f of ["config.json", "model.safetensors", "import.json"]) assert.ok(existsSync(join(out, f)), f);
  assert.equal(JSON.parse(readFileSync(join(out, "import.json"), "utf8")).sb3Version, "2.4.1");
  const e = await cli("eval", out, "--episodes", "2", "--json");
  assert.equal(e.code, 0, e.err);
  assert.equal(JSON.parse(e.out).returns.length, 2);
});

test("without --env: the one env with the model's spaces, or an error naming the candidates", async () => {
  const acro = await cli("import-sb3", zip("a2c-Acrobot-v1"), "--out", join(dir, "a2c"));
  assert.equal(acro.code, 0, acro.err);
  assert.match(acro.out, /A2C on Acrobot-v1/);
  const cart = await cli("import-sb3", zip("dqn-CartPole-v1"), "--out", join(dir, "dqn"));
  assert.notEqual(cart.code, 0);
  assert.match(cart.err, /CartPole-v0, CartPole-v1 all have its spaces.*pass --env/);
  const missing = await cli("import-sb3", join(dir, "nope.zip"), "--out", join(dir, "x"));
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /cannot read an SB3 model zip at .*nope.zip/);
});

test("tsrl export <run> --onnx writes policy.onnx that onnxruntime-web runs, giving tsrl's actions", async () => {
  const out = join(dir, "ppo-export");
  assert.equal((await cli("import-sb3", zip("ppo-CartPole-v1"), "--out", out, "--env", "CartPole-v1")).code, 0);
  const r = await cli("export", out, "--onnx");
  assert.equal(r.code, 0, r.err);
  const file = join(out, "policy.onnx");
  assert.equal(r.out.trim(), file);
  const ort = await import("onnxruntime-web");
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
  const rec = JSON.parse(
    readFileSync(fileURLToPath(new URL("../fixtures/sb3/ppo-CartPole-v1.json", import.meta.url)), "utf8"),
  );
  const obs = Float32Array.from(rec.observations.flat() as number[]);
  const res = await session.run({ obs: new ort.Tensor("float32", obs, [obs.length / 4, 4]) });
  assert.deepEqual(
    Array.from(res.action.data as BigInt64Array, Number),
    rec.outputs.action,
    "SB3's actions, through tsrl, in ONNX",
  );
  const noValues = await cli("export", out, "--onnx", "--no-values", "--out", join(dir, "p.onnx"));
  assert.equal(noValues.code, 0, noValues.err);
  assert.deepEqual((await ort.InferenceSession.create(new Uint8Array(readFileSync(join(dir, "p.onnx"))))).outputNames, [
    "action",
  ]);
});

test("tsrl import-sb3 --steps, then tsrl resume: the imported model trains further, SB3's optimizer state included", async () => {
  const out = join(dir, "a2c-continue");
  const r = await cli("import-sb3", zip("a2c-Acrobot-v1"), "--out", out, "--steps", "500");
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(out, "checkpoints", "checkpoint_3000_steps.safetensors")));
  const imported = await Algorithm.load(join(out, "model.safetensors"));
  const resumed = await cli("resume", out, "--progress", "none");
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /resuming A2C on Acrobot-v1 from checkpoint_3000_steps.*\(3000\/3500 steps\)/);
  const trained = await Algorithm.load(join(out, "model.safetensors"));
  assert.equal(trained.numTimesteps, 3500);
  const state = (m: Algorithm) => m.getCheckpoint({ includeReplayBuffer: false });
  // A2C: one RMSprop step per 5 env steps, counted on from SB3's 600
  assert.equal(state(imported).meta.algorithmState.optimizerSteps, 600);
  assert.equal(state(trained).meta.algorithmState.optimizerSteps, 700);
  const w = (m: Algorithm) => Array.from(state(m).tensors["policy.pi.0.weight"].data as Float32Array);
  assert.notDeepEqual(w(trained), w(imported));
  const again = await cli("resume", out, "--progress", "none");
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /finished \(3500\/3500 steps\)/);
});

test("tsrl import-sb3 --vecnormalize: the statistics become the run's model's normalization", async () => {
  const out = join(dir, "ppo-pendulum-vn");
  const pkl = fileURLToPath(new URL("../fixtures/sb3/vecnormalize-Pendulum-v1-protocol4.pkl", import.meta.url));
  const r = await cli("import-sb3", zip("ppo-Pendulum-v1"), "--out", out, "--vecnormalize", pkl);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(readFileSync(join(out, "import.json"), "utf8"));
  assert.equal(report.vecNormalize, pkl);
  assert.equal(report.optimizerState, true);
  const model = await Algorithm.load(join(out, "model.safetensors"));
  const normalizer = model.getCheckpoint({ includeReplayBuffer: false }).meta.algorithmState.normalizer as {
    obs: { count: number };
  };
  assert.equal(normalizer.obs.count, 3000.0001);
  assert.equal(model.getCheckpoint({ includeReplayBuffer: false }).meta.config.clipObs, 5);
  const bad = await cli(
    "import-sb3",
    zip("dqn-CartPole-v1"),
    "--out",
    join(dir, "x"),
    "--env",
    "CartPole-v1",
    "--vecnormalize",
    pkl,
  );
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /DQN has no observation normalization/);
});
