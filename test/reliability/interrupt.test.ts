// Issue 16.7: Ctrl-C (SIGINT) or SIGTERM during `tsrl train` saves a checkpoint, prints how to resume, and exits
// with the signal's code; `tsrl resume` then finishes the run.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-interrupt-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} during train saves a checkpoint and says how to resume`, async () => {
    const out = join(dir, signal);
    const args = ["train", "ppo", "CartPole-v1", "--steps", "10000000", "--out", out, "--progress", "none"];
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { stdio: "pipe" });
    let err = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (d) => {
        err += d;
        // signal once training is under way
        if (/training PPO/.test(err) && !child.killed) setTimeout(() => child.kill(signal), 300);
      });
      child.on("close", (c) => resolve(c));
    });
    assert.equal(code, signal === "SIGINT" ? 130 : 143, err + stdout);
    const m = /interrupted by (\w+) at step (\d+); saved (\S+); continue with: tsrl resume (\S+)/.exec(err);
    assert.ok(m, err);
    assert.equal(m[1], signal);
    assert.ok(existsSync(m[3]), m[3]);
    assert.doesNotMatch(err, /\n\s+at /); // no stack
    const runDir = m[4];
    assert.ok(!existsSync(join(runDir, "model.safetensors")));
    assert.ok(readdirSync(join(runDir, "checkpoints")).some((f) => f.includes(`_${m[2]}_steps`)));
  });
}

test("a run interrupted and resumed finishes", async () => {
  const out = join(dir, "resume");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      MAIN,
      "train",
      "a2c",
      "CartPole-v1",
      "--steps",
      "200000",
      "--out",
      out,
      "--progress",
      "none",
      "--eval-count",
      "0",
    ],
    { stdio: "pipe" },
  );
  let err = "";
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (d) => {
      err += d;
      if (/training A2C/.test(err) && !child.killed) setTimeout(() => child.kill("SIGINT"), 300);
    });
    child.on("close", () => resolve());
  });
  const runDir = /tsrl resume (\S+)/.exec(err)?.[1];
  assert.ok(runDir, err);
  const r = await cli("resume", runDir, "--progress", "none");
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(runDir, "model.safetensors")));
});
