// Issue 16.10: the small rough edges, each pinned.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-small-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string) => ["--out", join(dir, name), "--progress", "none", "--eval-count", "0"];

test("--hp in SB3's snake_case names the camelCase option, and lists valid options once", async () => {
  const r = await cli("train", "ppo", "CartPole-v1", "--steps", "64", "--hp", "learning_rate=0.1", ...out("snake"));
  assert.equal(r.code, 1);
  assert.match(r.err, /"learning_rate" is "learningRate" here/);
  const valid = /valid options: (.*)$/m.exec(r.err)?.[1].split(", ") ?? [];
  assert.ok(valid.length > 5);
  assert.equal(new Set(valid).size, valid.length, "an option listed twice");
});

test("a negative learning rate is refused without an 'in [0, Infinity]' contradiction", async () => {
  const r = await cli("train", "ppo", "CartPole-v1", "--steps", "64", "--hp", "learningRate=-1", ...out("lr"));
  assert.equal(r.code, 1);
  assert.match(r.err, /learningRate must be a finite number >= 0/);
  assert.doesNotMatch(r.err, /Infinity/);
});

test("bench --algos foo prints its error and no table header", async () => {
  const r = await cli("bench", "--algos", "foo", "--steps", "10");
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /unknown algorithm "foo"/);
});

test("enjoy writes plain text to a pipe and rounded returns; the final evaluation reports its standard error", async () => {
  const t = await cli("train", "qlearning", "FrozenLake-v1", "--steps", "2000", ...out("lake"));
  assert.equal(t.code, 0, t.err);
  const runDir = t.out.trim();
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  assert.equal(summary.finalEval.episodes, 100);
  assert.ok(Math.abs(summary.finalEval.stdError - summary.finalEval.stdReturn / 10) < 1e-12);
  assert.match(t.err, /standard error/);
  const r = await cli("enjoy", runDir, "--episodes", "2", "--fps", "0");
  assert.equal(r.code, 0, r.err);
  assert.ok(!r.out.includes("\u001b"), "an escape sequence in piped output");
  const returns = /returns: (.*)$/m.exec(r.out)?.[1].split(", ") ?? [];
  assert.equal(returns.length, 2);
  for (const v of returns) assert.match(v, /^-?\d+(\.\d{1,2})?$/);
});
