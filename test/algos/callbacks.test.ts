import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Algorithm } from "../../src/algos/common/algorithm.js";
import {
  CheckpointCallback,
  EvalCallback,
  formatDuration,
  ProgressBar,
  StopOnRewardThreshold,
} from "../../src/algos/common/callbacks.js";
import { evaluatePolicy } from "../../src/algos/common/evaluate.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { DriftEnv, ToyAlgo, toyParams } from "./algorithm-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-cb-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("evaluatePolicy: returns, lengths, mean and population std; seeded runs repeat", () => {
  const env = new DriftEnv();
  const always1 = { predict: () => 1 };
  const r = evaluatePolicy(always1, env, { episodes: 6, seed: 3 });
  assert.equal(r.returns.length, 6);
  assert.equal(r.lengths.length, 6);
  assert.ok(r.lengths.every((l) => l >= 1 && l <= 10));
  const mean = r.returns.reduce((a, b) => a + b, 0) / 6;
  assert.equal(r.meanReturn, mean);
  assert.ok(Math.abs(r.stdReturn - Math.sqrt(r.returns.reduce((a, x) => a + (x - mean) ** 2, 0) / 6)) < 1e-12);
  assert.deepEqual(evaluatePolicy(always1, new DriftEnv(), { episodes: 6, seed: 3 }), r);
  // an oracle beats a constant policy
  const oracle = { predict: (o: Float32Array | number) => ((o as Float32Array)[0] > 0 ? 1 : 0) };
  const best = evaluatePolicy(oracle, new DriftEnv(), { episodes: 50, seed: 1 });
  assert.equal(best.meanReturn, best.meanLength);
  assert.throws(() => evaluatePolicy(always1, env, { episodes: 0 }), InvalidArgumentError);
  assert.throws(() => evaluatePolicy({} as typeof always1, env), InvalidArgumentError);
});

test("EvalCallback evaluates every evalFreq steps, logs, keeps the best model, and does not change training", async () => {
  const ev = new EvalCallback(new DriftEnv(), {
    evalFreq: 64,
    nEvalEpisodes: 3,
    bestModelPath: join(dir, "best.safetensors"),
  });
  const model = new ToyAlgo(new DriftEnv(), { seed: 9 });
  await model.learn(320, { callbacks: ev });
  assert.deepEqual(
    ev.evaluations.map((e) => e.numTimesteps),
    [64, 128, 192, 256, 320],
  );
  // the final evaluation (in onTrainingEnd) lands in the run's last logged row, with the last iteration's metrics
  assert.equal(model.logger.lastDumpStep, 320);
  assert.equal(model.logger.latest["eval/mean_reward"], ev.evaluations[4].meanReturn);
  assert.equal(model.logger.latest["time/total_timesteps"], 320);
  assert.ok(existsSync(join(dir, "best.safetensors")));
  const bestIdx = ev.evaluations.findIndex((e) => e.meanReturn === ev.bestMeanReturn);
  assert.ok(bestIdx >= 0);
  assert.ok(ev.bestModelBytes !== null);
  const best = Algorithm.fromBytes(ev.bestModelBytes, { env: new DriftEnv() });
  assert.equal(best.numTimesteps, ev.evaluations[bestIdx].numTimesteps);
  const plain = await new ToyAlgo(new DriftEnv(), { seed: 9 }).learn(320);
  assert.deepEqual(toyParams(model), toyParams(plain));
  assert.throws(() => new EvalCallback(new DriftEnv(), { evalFreq: 0 }), InvalidArgumentError);
});

test("StopOnRewardThreshold stops on the training mean, or on an EvalCallback's mean", async () => {
  const stop = new StopOnRewardThreshold(-1, { minEpisodes: 5 });
  const model = new ToyAlgo(new DriftEnv(), { seed: 1 });
  await model.learn(10_000, { callbacks: [stop] });
  assert.ok(model.numEpisodes >= 5);
  assert.ok(model.numTimesteps < 200, `stopped at ${model.numTimesteps}`);
  assert.equal(stop.reachedAt, model.numTimesteps);
  const never = new StopOnRewardThreshold(1e9);
  await new ToyAlgo(new DriftEnv()).learn(200, { callbacks: never });
  assert.equal(never.reachedAt, null);
  const ev = new EvalCallback(new DriftEnv(), { evalFreq: 40, nEvalEpisodes: 2 });
  const viaEval = new StopOnRewardThreshold(0, { evalCallback: ev });
  const m2 = new ToyAlgo(new DriftEnv());
  await m2.learn(10_000, { callbacks: [ev, viaEval] });
  assert.equal(m2.numTimesteps, 40);
  let bestCalls = 0;
  const onBest = new EvalCallback(new DriftEnv(), {
    evalFreq: 40,
    nEvalEpisodes: 2,
    callbackOnNewBest: { onRolloutStart: () => ++bestCalls < 1 },
  });
  const m3 = new ToyAlgo(new DriftEnv());
  await m3.learn(10_000, { callbacks: onBest });
  assert.equal(bestCalls, 1);
  assert.equal(m3.numTimesteps, 40);
});

test("CheckpointCallback saves at safe points, each file resumes exactly", async () => {
  const ck = new CheckpointCallback({ saveFreq: 100, saveDir: join(dir, "ckpts"), namePrefix: "toy" });
  const model = new ToyAlgo(new DriftEnv(), { seed: 2, nSteps: 10 });
  await model.learn(300, { callbacks: ck });
  assert.deepEqual(
    ck.savedPaths.map((p) => p.split("/").pop()),
    ["toy_100_steps.safetensors", "toy_200_steps.safetensors", "toy_300_steps.safetensors"],
  );
  assert.deepEqual(readdirSync(join(dir, "ckpts")).sort(), [
    "toy_100_steps.safetensors",
    "toy_200_steps.safetensors",
    "toy_300_steps.safetensors",
  ]);
  const mid = await ToyAlgo.load(ck.savedPaths[0], { env: new DriftEnv() });
  assert.equal(mid.numTimesteps, 100);
  await mid.learn(mid.totalTimesteps - mid.numTimesteps, { resetNumTimesteps: false });
  assert.deepEqual(toyParams(mid), toyParams(model));
});

test("ProgressBar: live bar on a TTY, plain lines otherwise", async () => {
  let t = 0;
  const tick = () => {
    t += 10;
    return true;
  };
  const out: string[] = [];
  const bar = new ProgressBar({ write: (s) => out.push(s), tty: true, intervalMs: 100, now: () => t });
  const model = new ToyAlgo(new DriftEnv());
  await model.learn(80, {
    callbacks: [bar, { onStep: tick }],
  });
  assert.ok(out.length >= 5);
  assert.ok(out.every((s) => s.startsWith("\r")));
  assert.ok(out[out.length - 1].endsWith("\n"));
  assert.match(out[out.length - 1], /100% 80\/80 steps \| \d+ fps \| return -?[\d.]+ \| ETA 0s/);
  const lines: string[] = [];
  const plain = new ProgressBar({ write: (s) => lines.push(s), tty: false, intervalMs: 300, now: () => t });
  t = 0;
  await new ToyAlgo(new DriftEnv()).learn(80, { callbacks: [plain, { onStep: tick }] });
  assert.ok(lines.every((s) => !s.includes("\r") && s.endsWith("\n")));
  assert.ok(lines.length >= 2 && lines.length <= 4, `${lines.length} lines`);
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(65), "1m05s");
  assert.equal(formatDuration(Number.NaN), "?");
});
