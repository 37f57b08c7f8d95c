// End to end: `tsrl resume` of a run whose newest checkpoint and final model were lost ends with the same model,
// byte for byte, as the uninterrupted run. The env is the test-only DriftEnv (registered without wrappers), which
// snapshots its full state; the algorithm is the test-only ToyAlgo (annealed learning rate).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { register } from "../../src/envs/index.js";
import { DriftEnv } from "../algos/algorithm-fixtures.js";
import { cli } from "./run-cli.js";

register("Drift-v0", () => new DriftEnv(), { orderEnforce: false, disableEnvChecker: true });

const dir = mkdtempSync(join(tmpdir(), "tsrl-cli-resume-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("resume after a crash reproduces the uninterrupted run's final model byte for byte", async () => {
  const args = ["train", "toyalgo", "Drift-v0", "--steps", "960", "--seed", "4", "--progress", "none"];
  const hp = ["--hp", 'learningRate={"schedule":"linear","start":0.3,"end":0}', "nSteps=16"];
  const a = await cli(...args, ...hp, "--out", join(dir, "a"));
  assert.equal(a.code, 0, a.err);
  const b = await cli(...args, ...hp, "--out", join(dir, "b"));
  assert.equal(b.code, 0, b.err);
  const runB = b.out.trim();
  const finalA = readFileSync(join(a.out.trim(), "model.safetensors"));
  assert.ok(finalA.equals(readFileSync(join(runB, "model.safetensors"))), "two identical runs differ");
  // crash: the newest checkpoints and the final model never got written
  const ckpts = readdirSync(join(runB, "checkpoints")).sort(
    (x, y) => Number(x.split("_")[1]) - Number(y.split("_")[1]),
  );
  assert.ok(ckpts.length >= 3, `${ckpts}`);
  for (const f of ckpts.slice(-2)) unlinkSync(join(runB, "checkpoints", f));
  unlinkSync(join(runB, "model.safetensors"));
  const r = await cli("resume", runB, "--progress", "none");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /resuming ToyAlgo on Drift-v0 from checkpoint_\d+_steps/);
  assert.ok(finalA.equals(readFileSync(join(runB, "model.safetensors"))), "resumed model differs");
});
