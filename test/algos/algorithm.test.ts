import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Algorithm, getAlgorithmClass, listAlgorithms } from "../../src/algos/common/algorithm.js";
import type { Callback } from "../../src/algos/common/callbacks.js";
import { LIBRARY_VERSION } from "../../src/algos/common/checkpoint.js";
import type { LogSink } from "../../src/algos/common/logger.js";
import { SyncVectorEnv } from "../../src/envs/vector/sync-vector-env.js";
import { CheckpointError, InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { DriftEnv, DriftVectorEnv, ToyAlgo, toyParams } from "./algorithm-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-algo-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("learn counts env steps in whole rollouts, tracks episodes and dumps logs", async () => {
  const rows: { step: number; row: Record<string, number> }[] = [];
  const sink: LogSink = { write: (step, row) => rows.push({ step, row: { ...row } }) };
  const model = new ToyAlgo(new DriftVectorEnv(3), { nSteps: 5, seed: 1 });
  model.logger.addSink(sink);
  await model.learn(100);
  assert.equal(model.numTimesteps, 105); // 7 rollouts of 5 steps x 3 envs
  assert.equal(model.iterations, 7);
  assert.equal(rows.length, 7);
  assert.deepEqual(
    rows.map((r) => r.step),
    [15, 30, 45, 60, 75, 90, 105],
  );
  assert.ok(model.numEpisodes >= 105 / 10 - 3, `episodes ${model.numEpisodes}`);
  const last = rows[rows.length - 1].row;
  assert.equal(last["time/total_timesteps"], 105);
  assert.ok(last["rollout/ep_len_mean"] > 0 && last["rollout/ep_len_mean"] <= 10);
  assert.ok(Number.isFinite(last["train/baseline"]));
  // a second learn continues when asked to
  await model.learn(30, { resetNumTimesteps: false });
  assert.equal(model.numTimesteps, 135);
  await model.learn(15);
  assert.equal(model.numTimesteps, 15);
});

test("progressRemaining runs from 1 to 0 and never below, even when the last rollout overshoots", async () => {
  const seen: number[] = [];
  const model = new ToyAlgo(new DriftEnv(), { nSteps: 8 });
  await model.learn(20, { callbacks: [{ onRolloutEnd: (ctx) => void seen.push(ctx.model.progressRemaining) }] });
  assert.equal(model.numTimesteps, 24);
  assert.deepEqual(seen, [1 - 8 / 20, 1 - 16 / 20, 0]);
});

test("a single Env is wrapped as a vector env of one; unknown autoreset modes are refused", async () => {
  const model = new ToyAlgo(new DriftEnv(), { nSteps: 4 });
  assert.equal(model.numEnvs, 1);
  assert.equal(model.envId, "Drift-v0");
  await model.learn(40);
  assert.equal(model.numTimesteps, 40);
  assert.ok(model.numEpisodes >= 3);
  const vec = new DriftVectorEnv(2);
  Object.defineProperty(vec, "autoresetMode", { value: "later" });
  assert.throws(() => new ToyAlgo(vec), /autoresetMode must be "same-step" or "next-step", got "later"/);
  assert.throws(() => new ToyAlgo(new DriftEnv(), { seed: -1 }), InvalidArgumentError);
  assert.throws(() => new ToyAlgo(new DriftEnv(), { logInterval: 0 }), InvalidArgumentError);
  assert.throws(
    () => new ToyAlgo(new DriftEnv(), { nStep: 3 } as Record<string, number>),
    /unknown config option "nStep"; valid options: hidden, learningRate, logInterval, nEnvs, nSteps, seed/,
  );
});

test("works on envs' SyncVectorEnv (same-step) and takes the env id from its sub-envs", async () => {
  const vec = new SyncVectorEnv([() => new DriftEnv(), () => new DriftEnv()], { autoresetMode: "same-step" });
  const model = new ToyAlgo(vec, { nSteps: 5 });
  assert.equal(model.envId, "Drift-v0");
  await model.learn(100);
  assert.equal(model.numTimesteps, 100);
  assert.ok(model.numEpisodes >= 10);
  assert.equal(model.getCheckpoint().meta.envId, "Drift-v0");
});

test("same seed, same run, bit for bit; another seed differs", async () => {
  const a = await new ToyAlgo(new DriftVectorEnv(2), { seed: 7 }).learn(400);
  const b = await new ToyAlgo(new DriftVectorEnv(2), { seed: 7 }).learn(400);
  const c = await new ToyAlgo(new DriftVectorEnv(2), { seed: 8 }).learn(400);
  assert.deepEqual(toyParams(a), toyParams(b));
  assert.notDeepEqual(toyParams(a), toyParams(c));
});

test("callbacks: hooks in order, onStep false stops at once, async hooks awaited", async () => {
  const calls: string[] = [];
  let steps = 0;
  const cb: Callback = {
    onTrainingStart: async () => {
      await new Promise((r) => setTimeout(r, 1));
      calls.push("start");
    },
    onRolloutStart: () => {
      calls.push("rs");
      return true;
    },
    onStep: (ctx) => {
      steps++;
      assert.ok(ctx.step !== null);
      return ctx.numTimesteps < 13;
    },
    onRolloutEnd: () => {
      calls.push("re");
      return undefined;
    },
    onTrainingEnd: (ctx) => {
      calls.push(`end@${ctx.numTimesteps}`);
    },
  };
  const model = new ToyAlgo(new DriftEnv(), { nSteps: 4 });
  await model.learn(1000, { callbacks: [cb] });
  assert.equal(steps, 13);
  assert.equal(model.numTimesteps, 13);
  assert.equal(model.iterations, 3); // the interrupted rollout is not trained on
  assert.deepEqual(calls, ["start", "rs", "re", "rs", "re", "rs", "re", "rs", "end@13"]);
});

test("a throwing callback still runs onTrainingEnd and propagates", async () => {
  let ended = false;
  const model = new ToyAlgo(new DriftEnv());
  await assert.rejects(
    model.learn(100, {
      callbacks: [
        {
          onRolloutEnd: () => {
            throw new Error("boom");
          },
          onTrainingEnd: () => {
            ended = true;
          },
        },
      ],
    }),
    /boom/,
  );
  assert.ok(ended);
});

test("predict: single and batched observations, validation, deterministic", async () => {
  const model = await new ToyAlgo(new DriftEnv(), { seed: 3 }).learn(200);
  const a = model.predict(new Float32Array([0.5, 0.1]), { deterministic: true });
  assert.equal(typeof a, "number");
  assert.ok(a === 0 || a === 1);
  assert.equal(model.predict([0.5, 0.1], { deterministic: true }), a);
  const batch = model.predict(new Float32Array([0.5, 0.1, -0.5, 0.1, 0.2, 0.3]), { deterministic: true });
  assert.ok(batch instanceof Int32Array && batch.length === 3);
  assert.equal(batch[0], a);
  assert.throws(() => model.predict(new Float32Array(3)), ShapeError);
  assert.throws(() => model.predict(new Float32Array([Number.NaN, 0])), InvalidArgumentError);
  assert.throws(() => model.predict("x" as unknown as number), InvalidArgumentError);
});

test("predict and evaluation never perturb training", async () => {
  const a = new ToyAlgo(new DriftEnv(), { seed: 5 });
  const b = new ToyAlgo(new DriftEnv(), { seed: 5 });
  await a.learn(200);
  await b.learn(200, {
    callbacks: [{ onRolloutStart: (ctx) => void ctx.model.predict(new Float32Array([0.1, 0.2])) }],
  });
  assert.deepEqual(toyParams(a), toyParams(b));
});

test("registry: load by name, case-insensitive lookup", () => {
  assert.ok(listAlgorithms().includes("ToyAlgo"));
  assert.equal(getAlgorithmClass("toyalgo"), ToyAlgo);
  assert.equal(getAlgorithmClass("nope"), undefined);
});

test("save/load round trip restores every piece of state", async () => {
  const model = await new ToyAlgo(new DriftVectorEnv(2), { seed: 11, learningRate: 0.2 }).learn(160);
  const path = join(dir, "roundtrip.safetensors");
  await model.save(path);
  const loaded = await ToyAlgo.load(path, { env: new DriftVectorEnv(2) });
  assert.ok(loaded instanceof ToyAlgo);
  assert.deepEqual(toyParams(loaded), toyParams(model));
  assert.equal(loaded.numTimesteps, model.numTimesteps);
  assert.equal(loaded.numEpisodes, model.numEpisodes);
  assert.deepEqual(loaded.recentEpisodes, model.recentEpisodes);
  assert.equal(loaded.config.learningRate, 0.2);
  const viaBase = await Algorithm.load(path, { env: new DriftVectorEnv(2) });
  assert.ok(viaBase instanceof ToyAlgo);
  // a model can be loaded onto a different number of envs (for evaluation); predictions agree
  const single = await ToyAlgo.load(path, { env: new DriftEnv() });
  const o = new Float32Array([0.3, 0.4, -0.2, 0.9]);
  assert.deepEqual(single.predict(o, { deterministic: true }), model.predict(o, { deterministic: true }));
});

async function resumeCase(split: (m: ToyAlgo, path: string) => Promise<ToyAlgo>, lr: unknown) {
  const cfg = { seed: 21, nSteps: 6, learningRate: lr as number };
  const straight = await new ToyAlgo(new DriftVectorEnv(3), cfg).learn(720);
  const path = join(dir, `resume-${Math.random().toString(36).slice(2)}.safetensors`);
  const resumed = await split(new ToyAlgo(new DriftVectorEnv(3), cfg), path);
  assert.equal(resumed.numTimesteps, straight.numTimesteps);
  assert.deepEqual(toyParams(resumed), toyParams(straight));
  assert.deepEqual(resumed.recentEpisodes, straight.recentEpisodes);
  assert.deepEqual(resumed.lastObs, straight.lastObs);
}

test("resume is exact: learn(360), save, load, learn(360 more) == learn(720) with a constant rate", async () => {
  await resumeCase(async (m, path) => {
    await m.learn(360);
    await m.save(path);
    const loaded = await ToyAlgo.load(path, { env: new DriftVectorEnv(3) });
    return loaded.learn(360, { resetNumTimesteps: false });
  }, 0.1);
});

test("resume is exact with an annealed rate when the run is stopped mid-way and continued to its target", async () => {
  await resumeCase(
    async (m, path) => {
      await m.learn(720, { callbacks: [{ onRolloutStart: (ctx) => ctx.numTimesteps < 360 }] });
      assert.equal(m.numTimesteps, 360);
      await m.save(path);
      const loaded = await ToyAlgo.load(path, { env: new DriftVectorEnv(3) });
      assert.equal(loaded.totalTimesteps, 720);
      return loaded.learn(loaded.totalTimesteps - loaded.numTimesteps, { resetNumTimesteps: false });
    },
    { schedule: "linear", start: 0.3, end: 0 },
  );
});

test("load refuses wrong algorithm, spaces, shapes, newer versions, missing and truncated files", async () => {
  const model = await new ToyAlgo(new DriftEnv(), { seed: 2 }).learn(40);
  const path = join(dir, "checks.safetensors");
  await model.save(path);
  const env = new DriftEnv();
  // unknown algorithm / wrong class
  class OtherAlgo extends ToyAlgo {
    static override readonly algorithmName = "OtherAlgo";
  }
  await assert.rejects(
    OtherAlgo.load(path, { env }),
    (e: Error) => e instanceof CheckpointError && /ToyAlgo/.test(e.message),
  );
  const ckpt = model.getCheckpoint();
  ckpt.meta.algorithm = "NoSuchAlgo";
  const { checkpointToBytes } = await import("../../src/algos/common/checkpoint.js");
  assert.throws(
    () => Algorithm.fromBytes(checkpointToBytes(ckpt), { env }),
    (e: Error) => e instanceof CheckpointError && /unknown algorithm "NoSuchAlgo".*ToyAlgo/.test(e.message),
  );
  // mismatched observation space
  await assert.rejects(
    ToyAlgo.load(path, { env: new DriftEnv(2) }),
    (e: Error) => e instanceof CheckpointError && /observation space/.test(e.message),
  );
  // mismatched tensor shape (config says hidden 4, tensors are for hidden 3)
  const other = new ToyAlgo(new DriftEnv(), { hidden: 3 }).getCheckpoint();
  const mixed = model.getCheckpoint();
  mixed.tensors["policy/w1"] = other.tensors["policy/w1"];
  assert.throws(
    () => ToyAlgo.fromBytes(checkpointToBytes(mixed), { env }),
    (e: Error) => e instanceof CheckpointError && /policy\/w1.*F32\[3, 2\].*F32\[4, 2\]/.test(e.message),
  );
  // unknown and missing tensors
  const extra = model.getCheckpoint();
  extra.tensors["policy/w3"] = { dtype: "F32", shape: [1], data: new Float32Array(1) };
  assert.throws(() => ToyAlgo.fromBytes(checkpointToBytes(extra), { env }), /policy\/w3/);
  const missing = model.getCheckpoint();
  delete missing.tensors["optim/momentum"];
  assert.throws(() => ToyAlgo.fromBytes(checkpointToBytes(missing), { env }), /missing tensor "optim\/momentum"/);
  // newer format version
  const newer = model.getCheckpoint();
  newer.meta.formatVersion = 99;
  assert.throws(() => ToyAlgo.fromBytes(checkpointToBytes(newer), { env }), /format version 99 is newer/);
  // bad config inside
  const badCfg = model.getCheckpoint();
  badCfg.meta.config.nSteps = -3;
  assert.throws(() => ToyAlgo.fromBytes(checkpointToBytes(badCfg), { env }), CheckpointError);
  // bad algorithm JSON state
  const badState = model.getCheckpoint();
  badState.meta.algorithmState.baseline = "x";
  assert.throws(() => ToyAlgo.fromBytes(checkpointToBytes(badState), { env }), /baseline/);
  // missing, truncated, not a checkpoint
  await assert.rejects(ToyAlgo.load(join(dir, "nope.safetensors"), { env }), /no checkpoint file/);
  const bytes = readFileSync(path);
  writeFileSync(join(dir, "trunc.safetensors"), bytes.subarray(0, bytes.length - 7));
  await assert.rejects(ToyAlgo.load(join(dir, "trunc.safetensors"), { env }), CheckpointError);
  writeFileSync(join(dir, "junk.safetensors"), "hello");
  await assert.rejects(ToyAlgo.load(join(dir, "junk.safetensors"), { env }), CheckpointError);
});

test("fuzz: random corruptions of a checkpoint give a CheckpointError or an identical model, never a crash", async () => {
  const model = await new ToyAlgo(new DriftEnv(), { seed: 4 }).learn(64);
  const good = model.toBytes();
  const ref = JSON.stringify(toyParams(model));
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let errors = 0;
  for (let trial = 0; trial < 400; trial++) {
    let bytes = new Uint8Array(good);
    const kind = rand(4);
    if (kind === 0) {
      bytes[rand(bytes.length)] ^= 1 << rand(8);
    } else if (kind === 1) {
      bytes = bytes.subarray(0, rand(bytes.length));
    } else if (kind === 2) {
      for (let k = 0; k < 1 + rand(8); k++) bytes[rand(bytes.length)] = rand(256);
    } else {
      // corrupt the 8-byte header length or a spot inside the JSON header
      bytes[rand(8 + 200)] = rand(256);
    }
    try {
      const loaded = ToyAlgo.fromBytes(bytes, { env: new DriftEnv() });
      assert.equal(JSON.stringify(toyParams(loaded)), ref, `trial ${trial}: loaded a different model`);
    } catch (e) {
      assert.ok(e instanceof CheckpointError, `trial ${trial}: ${(e as Error).name}: ${(e as Error).message}`);
      errors++;
    }
  }
  assert.ok(errors > 350, `only ${errors} corruptions detected`);
});

test("configs that are not plain data cannot be saved", () => {
  class LooseToy extends ToyAlgo {
    static override readonly configKeys = undefined;
  }
  const model = new LooseToy(new DriftEnv(), { onUpdate: () => 0.1 } as unknown as Record<string, number>);
  assert.throws(() => model.toBytes(), /config\.onUpdate is a function/);
});

test("LIBRARY_VERSION matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(LIBRARY_VERSION, pkg.version);
});
