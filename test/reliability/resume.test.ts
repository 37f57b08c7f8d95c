// Issue 17.5, 17.6 and 16.6: resume falls back to the newest checkpoint that loads (and says which), removes the
// temporary files of killed saves, refuses a corrupt config.json with a typed error, leaves a finished run
// untouched, and a resumed run's summary counts every part.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-resume-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string): Promise<string> {
  const r = await cli(
    "train",
    "a2c",
    "CartPole-v1",
    "--steps",
    "2000",
    "--n-envs",
    "2",
    "--seed",
    "1",
    "--out",
    join(dir, name),
    "--progress",
    "none",
    "--eval-count",
    "0",
  );
  assert.equal(r.code, 0, r.err);
  return r.out.trim();
}

const checkpoints = (runDir: string): string[] =>
  readdirSync(join(runDir, "checkpoints"))
    .filter((f) => f.endsWith(".safetensors"))
    .sort((a, b) => Number(a.split("_")[1]) - Number(b.split("_")[1]));

/** Every file of a run folder with its bytes and modification time. */
function snapshot(runDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, `${statSync(p).mtimeMs}:${readFileSync(p).toString("base64")}`);
    }
  };
  walk(runDir);
  return out;
}

test("resume of a finished run says so and changes nothing", async () => {
  const runDir = await run("finished");
  const before = snapshot(runDir);
  const r = await cli("resume", runDir, "--progress", "none");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /is finished \(2000\/2000 steps\): nothing to resume/);
  assert.deepEqual(snapshot(runDir), before);
});

test("resume skips a corrupt newest checkpoint for the newest valid one, removes stale temp files, and the summary counts both parts", async () => {
  const runDir = await run("corrupt");
  const first = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  const ckpts = checkpoints(runDir);
  assert.ok(ckpts.length >= 3, `${ckpts}`);
  unlinkSync(join(runDir, "model.safetensors"));
  unlinkSync(join(runDir, "summary.json"));
  // the newest checkpoint cut short, as a killed copy would leave it; a killed save's temp file beside it
  const newest = join(runDir, "checkpoints", ckpts[ckpts.length - 1]);
  const bytes = readFileSync(newest);
  writeFileSync(newest, bytes.subarray(0, bytes.length >> 1));
  const stale = join(runDir, "checkpoints", `${ckpts[0]}.tmp-999999999-1`);
  writeFileSync(stale, "partial");
  const r = await cli("resume", runDir, "--progress", "none");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`skipping checkpoint ${ckpts[ckpts.length - 1]}`));
  assert.match(r.err, new RegExp(`from ${ckpts[ckpts.length - 2]} .*newest usable checkpoint`));
  assert.match(r.err, /removed 1 temporary file/);
  assert.ok(!readdirSync(join(runDir, "checkpoints")).some((f) => f.includes(".tmp-")));
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  assert.equal(summary.numTimesteps, 2000);
  assert.equal(summary.parts, 2);
  assert.equal(first.parts, 1);
  // the time of the part before the checkpoint is carried over: the whole run took longer than its second part
  const partSeconds = (2000 - Number(ckpts[ckpts.length - 2].split("_")[1])) / summary.stepsPerSecond;
  assert.ok(summary.wallSeconds > partSeconds, `${summary.wallSeconds} vs ${partSeconds}`);
});

test("a corrupt config.json is a one-line typed error in resume, eval and plot", async () => {
  const runDir = await run("config");
  writeFileSync(join(runDir, "config.json"), '{"algorithm": "A2C", ');
  for (const args of [
    ["resume", runDir],
    ["eval", runDir],
    ["plot", runDir, "--out", join(dir, "p.svg")],
  ]) {
    const r = await cli(...args);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^error: run .*config\.json is not valid JSON/);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
  writeFileSync(join(runDir, "config.json"), '{"algorithm": "A2C", "env": 3}');
  const r = await cli("resume", runDir);
  assert.match(r.err, /^error: run .*config\.json env must be a string, got 3/);
});
