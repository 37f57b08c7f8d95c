import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseJsonl } from "../../src/train/metrics-files.js";
import { readEventFile } from "../../src/train/tensorboard.js";
import { cli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const runs = join(dir, "runs");

test("--help on the program and on every command", async () => {
  const top = await cli("--help");
  assert.equal(top.code, 0);
  for (const c of ["train", "eval", "enjoy", "resume", "list", "plot", "bench"])
    assert.match(top.out, new RegExp(`\\b${c}\\b`));
  for (const c of ["train", "eval", "enjoy", "resume", "list", "plot", "bench"]) {
    const r = await cli(c, "--help");
    assert.equal(r.code, 0, c);
    assert.match(r.out, new RegExp(`Usage: tsrl ${c}`), c);
  }
  const train = await cli("train", "--help");
  for (const flag of ["--steps", "--seed", "--n-envs", "--threads", "--hp", "--config", "--out"])
    assert.ok(train.out.includes(flag), flag);
  assert.ok((await cli("resume", "--help")).out.includes("--threads"));
});

test("bad input: clear errors naming the valid choices, non-zero exit", async () => {
  const algo = await cli("train", "nosuch", "FrozenLake-v1", "--out", runs);
  assert.equal(algo.code, 1);
  assert.match(algo.err, /unknown algorithm "nosuch"; choose one of: .*PPO.*QLearning/);
  const env = await cli("train", "qlearning", "Nope-v0", "--out", runs);
  assert.equal(env.code, 1);
  assert.match(env.err, /unknown environment "Nope-v0"; choose one of: .*FrozenLake-v1/);
  const steps = await cli("train", "qlearning", "FrozenLake-v1", "--steps", "ten");
  assert.equal(steps.code, 1);
  assert.match(steps.err, /--steps must be an integer >= 1, got "ten"/);
  const threads = await cli("train", "dqn", "CartPole-v1", "--steps", "10", "--threads", "0");
  assert.equal(threads.code, 1);
  assert.match(threads.err, /--threads must be an integer >= 1, got "0"/);
  const flag = await cli("train", "qlearning", "FrozenLake-v1", "--stepz", "10");
  assert.equal(flag.code, 1);
  assert.match(flag.err, /unknown option '--stepz'/);
  const hp = await cli("train", "qlearning", "FrozenLake-v1", "--hp", "gamma");
  assert.equal(hp.code, 1);
  assert.match(hp.err, /--hp expects key=value/);
  const progress = await cli("train", "qlearning", "FrozenLake-v1", "--progress", "fancy");
  assert.equal(progress.code, 1);
  assert.match(progress.err, /Allowed choices are auto, bar, lines, none/);
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ hyperparameters: {} }));
  const cfg = await cli("train", "qlearning", "FrozenLake-v1", "--config", join(dir, "bad.json"));
  assert.equal(cfg.code, 1);
  assert.match(
    cfg.err,
    /unknown key\(s\) hyperparameters.*allowed: totalTimesteps, nEnvs, seed, hyperparams, envKwargs/,
  );
  const missing = await cli("eval", join(dir, "nothing-here"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no run folder or model file/);
  assert.equal((await cli("frobnicate")).code, 1);
});

test("train writes a complete run folder; eval, enjoy, plot and resume use it", async () => {
  writeFileSync(
    join(dir, "cfg.json"),
    JSON.stringify({ hyperparams: { gamma: 0.95 }, envKwargs: { isSlippery: false } }),
  );
  const t = await cli(
    "train",
    "qlearning",
    "FrozenLake-v1",
    "--steps",
    "3000",
    "--seed",
    "3",
    "--config",
    join(dir, "cfg.json"),
    "--hp",
    "gamma=0.9",
    "--out",
    runs,
    "--progress",
    "lines",
    "--threads",
    "2",
  );
  assert.equal(t.code, 0, t.err);
  const runDir = t.out.trim();
  assert.equal(runDir, join(runs, "qlearning-FrozenLake-v1-s3"));
  const files = readdirSync(runDir).sort();
  for (const f of [
    "best-model.safetensors",
    "checkpoints",
    "config.json",
    "curve.svg",
    "episodes.csv",
    "metrics.csv",
    "metrics.jsonl",
    "model.safetensors",
    "summary.json",
    "summary.md",
    "tb",
  ]) {
    assert.ok(files.includes(f), `${f} missing from ${files}`);
  }
  const cfg = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8"));
  assert.equal(cfg.algorithm, "QLearning");
  assert.equal(cfg.totalTimesteps, 3000);
  assert.equal(cfg.seed, 3);
  assert.equal(cfg.hyperparams.gamma, 0.9); // --hp beats the config file, which beats the zoo
  assert.equal("threads" in cfg.hyperparams, false); // a resource setting: results do not depend on it
  assert.deepEqual(cfg.envKwargs, { isSlippery: false });
  const rows = parseJsonl(readFileSync(join(runDir, "metrics.jsonl"), "utf8"));
  assert.ok(rows.length > 0);
  assert.equal(rows[rows.length - 1].step, 3000);
  const events = readEventFile(join(runDir, "tb", readdirSync(join(runDir, "tb"))[0]));
  assert.equal(events.length, rows.length + 1);
  assert.ok(readFileSync(join(runDir, "metrics.csv"), "utf8").startsWith("step,"));
  assert.match(readFileSync(join(runDir, "curve.svg"), "utf8"), /^<svg/);
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  assert.equal(summary.numTimesteps, 3000);
  assert.ok(summary.finalEval.meanReturn >= 0 && summary.finalEval.meanReturn <= 1);
  assert.match(t.err, /\d+\/3000 steps/); // plain progress lines when not on a terminal

  const ev = await cli("eval", runDir, "--episodes", "4", "--json");
  assert.equal(ev.code, 0, ev.err);
  const res = JSON.parse(ev.out);
  assert.equal(res.returns.length, 4);
  assert.equal(res.envId, "FrozenLake-v1");
  const evBest = await cli("eval", runDir, "--best", "--episodes", "2", "--json");
  assert.equal(evBest.code, 0, evBest.err);
  assert.equal(JSON.parse(evBest.out).returns.length, 2);
  const evText = await cli("eval", join(runDir, "model.safetensors"), "--episodes", "2");
  assert.match(evText.out, /QLearning on FrozenLake-v1: mean return [\d.]+ \+\/- [\d.]+ over 2 episodes/);

  const enjoy = await cli("enjoy", runDir, "--fps", "0");
  assert.equal(enjoy.code, 0, enjoy.err);
  assert.match(enjoy.out, /SFFF/);
  assert.match(enjoy.out, /returns: [01]/);

  // resume: drop the last checkpoint and the final model, as if the run had crashed
  const ckpts = readdirSync(join(runDir, "checkpoints")).sort(
    (a, b) => Number(a.split("_")[1]) - Number(b.split("_")[1]),
  );
  unlinkSync(join(runDir, "checkpoints", ckpts[ckpts.length - 1]));
  unlinkSync(join(runDir, "model.safetensors"));
  const r = await cli("resume", runDir, "--progress", "none");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /resuming QLearning on FrozenLake-v1 from checkpoint_\d+_steps/);
  assert.ok(existsSync(join(runDir, "model.safetensors")));
  const resumedRows = parseJsonl(readFileSync(join(runDir, "metrics.jsonl"), "utf8"));
  const steps = resumedRows.map((x) => x.step as number);
  assert.deepEqual(
    steps,
    [...steps].sort((a, b) => a - b),
  );
  assert.equal(new Set(steps).size, steps.length); // no duplicated rows after the resume point
  assert.equal(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")).numTimesteps, 3000);

  // a second seed, then a plot of both (mean line and band)
  const t2 = await cli(
    "train",
    "qlearning",
    "FrozenLake-v1",
    "--steps",
    "3000",
    "--seed",
    "4",
    "--out",
    runs,
    "--progress",
    "none",
  );
  assert.equal(t2.code, 0, t2.err);
  const svgPath = join(dir, "both.svg");
  const p = await cli("plot", runDir, t2.out.trim(), "--out", svgPath);
  assert.equal(p.code, 0, p.err);
  const svg = readFileSync(svgPath, "utf8");
  assert.match(svg, /QLearning FrozenLake-v1 \(2 runs\)/);
  assert.match(svg, /class="series-0 band"/);
  const evalPlot = await cli("plot", runDir, t2.out.trim(), "--metric", "eval/mean_reward", "--out", svgPath);
  assert.equal(evalPlot.code, 0, evalPlot.err);
  assert.match(readFileSync(svgPath, "utf8"), /eval\/mean_reward/);
  const noMetric = await cli("plot", runDir, "--metric", "train/nothing", "--out", svgPath);
  assert.equal(noMetric.code, 1);
  assert.match(noMetric.err, /logged no "train\/nothing"; its metrics: episodes, .*rollout\/ep_rew_mean/);
});

test("enjoy writes a GIF for classic control; bench prints a speed table", async () => {
  const t = await cli(
    "train",
    "dqn",
    "CartPole-v1",
    "--steps",
    "300",
    "--eval-count",
    "0",
    "--out",
    runs,
    "--progress",
    "none",
  );
  assert.equal(t.code, 0, t.err);
  const gif = join(dir, "cartpole.gif");
  const e = await cli("enjoy", t.out.trim(), "--gif", gif);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /CartPole-v1: returns \d+; wrote /);
  const bytes = readFileSync(gif);
  assert.equal(bytes.subarray(0, 6).toString("latin1"), "GIF89a");
  assert.ok(bytes.length > 2_000);
  const b = await cli("bench", "--steps", "500", "--algos", "QLearning", "--env", "FrozenLake-v1");
  assert.equal(b.code, 0, b.err);
  assert.match(b.out, /\| QLearning \| FrozenLake-v1 \| 500 \| [\d.]+ \| \d+ \|/);
  assert.match(b.out, /FrozenLake-v1 alone \(make, random actions\): \d+ steps\/s/);
  const bad = await cli("train", "dqn", "CartPole-v1", "--steps", "10", "--hp", "learningRat=0.1");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown config option "learningRat".*learningRate/);
});

test("--n-envs with --vectorization async trains on worker threads", async () => {
  const t = await cli(
    "train",
    "qlearning",
    "FrozenLake-v1",
    "--steps",
    "400",
    "--n-envs",
    "2",
    "--vectorization",
    "async",
    "--eval-count",
    "0",
    "--out",
    join(dir, "async"),
    "--progress",
    "none",
  );
  assert.equal(t.code, 0, t.err);
  const cfg = JSON.parse(readFileSync(join(t.out.trim(), "config.json"), "utf8"));
  assert.equal(cfg.vectorization, "async");
  assert.equal(cfg.nEnvs, 2);
  assert.equal(JSON.parse(readFileSync(join(t.out.trim(), "summary.json"), "utf8")).numTimesteps, 400);
});

test("list shows algorithms, environments and tuned configs", async () => {
  const l = await cli("list");
  assert.equal(l.code, 0);
  assert.match(l.out, /algorithms: .*DQN.*PPO/);
  assert.match(l.out, /environments: .*CartPole-v1/);
  assert.match(l.out, /QLearning\s+FrozenLake-v1/);
});

test("the bin runs as a script (shebang, --version)", () => {
  const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
  assert.ok(readFileSync(main, "utf8").startsWith("#!/usr/bin/env node\n"));
  const r = spawnSync(process.execPath, ["--import", "tsx", main, "--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version,
  );
});

test("eval and enjoy a run trained on several envs (zoo PPO: 8 envs, minibatch 256 > one env's rollout)", async () => {
  const train = await cli("train", "ppo", "CartPole-v1", "--steps", "512", "--seed", "5", "--out", runs);
  assert.equal(train.code, 0, train.err);
  const run = join(runs, "ppo-CartPole-v1-s5");
  const ev = await cli("eval", run, "--episodes", "2");
  assert.equal(ev.code, 0, ev.err);
  assert.match(ev.out, /PPO on CartPole-v1: mean return/);
});
