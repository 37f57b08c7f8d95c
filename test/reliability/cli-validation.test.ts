// Issue 17.3: every setting is checked before the CLI writes anything; each bad one is one typed error line.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-cli-validation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tsrl train` into a fresh folder; returns the result and whether anything was written. */
async function train(name: string, ...args: string[]) {
  const out = join(dir, name);
  const r = await cli("train", ...args, "--out", out, "--progress", "none", "--eval-count", "0");
  return { ...r, wrote: existsSync(out) && readdirSync(out).length > 0, out };
}

function oneLineError(r: { code: number; err: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.err);
  const lines = r.err.trim().split("\n");
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
}

test("--hp seed=7 is the run's seed, and a second, different seed is an error", async () => {
  const ok = await train(
    "seed-hp",
    "ppo",
    "CartPole-v1",
    "--steps",
    "256",
    "--hp",
    "seed=7",
    "nSteps=32",
    "batchSize=64",
  );
  assert.equal(ok.code, 0, ok.err);
  const cfg = JSON.parse(readFileSync(join(ok.out, readdirSync(ok.out)[0], "config.json"), "utf8"));
  assert.equal(cfg.seed, 7);
  assert.equal(cfg.hyperparams.seed, 7);
  const clash = await train("seed-clash", "ppo", "CartPole-v1", "--steps", "256", "--seed", "3", "--hp", "seed=7");
  oneLineError(clash, /--seed=3, --hp seed=7/);
  assert.equal(clash.wrote, false);
});

test("nSteps=1e12 is a typed error naming nSteps, not a RangeError", async () => {
  for (const algo of ["ppo", "a2c", "trpo", "reinforce"]) {
    const r = await train(`huge-${algo}`, algo, "CartPole-v1", "--steps", "100", "--hp", "nSteps=1e12");
    oneLineError(r, /nSteps/);
    assert.equal(r.wrote, false);
  }
  const dqn = await train("huge-dqn", "dqn", "CartPole-v1", "--steps", "100", "--hp", "bufferSize=1e12");
  oneLineError(dqn, /bufferSize/);
});

test("a minibatch larger than a rollout is refused before the run folder exists (PPO and TRPO)", async () => {
  for (const algo of ["ppo", "trpo"]) {
    const r = await train(
      `batch-${algo}`,
      algo,
      "CartPole-v1",
      "--steps",
      "256",
      "--n-envs",
      "1",
      "--hp",
      "nSteps=16",
      "batchSize=64",
    );
    oneLineError(r, /batchSize must be at most nSteps \* nEnvs = 16, got 64/);
    assert.equal(r.wrote, false, `${algo} wrote ${r.out}`);
  }
});
