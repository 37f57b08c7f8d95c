import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../../src/cli/program.js";
import { runStudy } from "../../src/study/run-study.js";
import { runResults } from "./same-results.js";

const study = {
  name: "tiny",
  envs: ["CartPole-v1"],
  seeds: 2,
  budget: 1024,
  evalCount: 2,
  evalEpisodes: 2,
  finalEvalEpisodes: 3,
  checkpointCount: 4,
  variants: [
    { name: "PPO", algo: "ppo", nEnvs: 1, hp: { nSteps: 128, batchSize: 64, nEpochs: 2 } },
    { name: "A2C", algo: "a2c", hp: { nSteps: 16 } },
  ],
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

test("a study runs every cell as an ordinary run folder on worker processes, resumes, and reports", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsrl-study-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const r = await runStudy(study, {
    out: dir,
    workers: 2,
    progress: "lines",
    progressStream: { write: (s) => lines.push(s) },
    log: () => {},
  });
  assert.deepEqual(
    r.runs.map((x) => x.run.key),
    ["PPO/CartPole-v1/s0", "PPO/CartPole-v1/s1", "A2C/CartPole-v1/s0", "A2C/CartPole-v1/s1"],
  );
  for (const x of r.runs) {
    assert.equal(x.summary.numTimesteps, 1024);
    for (const f of ["config.json", "metrics.jsonl", "episodes.csv", "model.safetensors", "summary.json", "curve.svg"])
      assert.ok(existsSync(join(x.runDir, f)), `${x.run.key}: ${f}`);
  }
  assert.match(lines.at(-1) ?? "", /study tiny: 4\/4 done, 0 running, 0 queued; 100.0% of steps/);
  // the same study, same seeds: the same bits (each run is deterministic wherever it ran)
  const ppo0 = join(dir, "runs", "PPO__CartPole-v1__s0");
  const before = runResults(ppo0);

  // a finished study is skipped entirely
  const again = await runStudy(study, { out: dir, progress: "none", log: () => {} });
  assert.equal(again.skipped, 4);

  // interrupted after its first checkpoint: resumed from it, to the same final model
  const ckpts = readdirSync(join(ppo0, "checkpoints")).sort(
    (a, b) => Number(/_(\d+)_/.exec(a)?.[1]) - Number(/_(\d+)_/.exec(b)?.[1]),
  );
  assert.ok(ckpts.length >= 2);
  for (const f of ckpts.slice(1)) rmSync(join(ppo0, "checkpoints", f));
  for (const f of ["summary.json", "model.safetensors"]) rmSync(join(ppo0, f));
  const resumed = await runStudy(study, { out: dir, workers: 1, progress: "none", log: () => {} });
  assert.equal(resumed.skipped, 3);
  assert.deepEqual(runResults(ppo0), before, "the resumed run ends where the uninterrupted one did");

  // changing a run's settings in the same folder is refused
  await assert.rejects(
    runStudy({ ...study, budget: 2048 }, { out: dir, progress: "none", log: () => {} }),
    /holds runs made with other settings \(PPO\/CartPole-v1\/s0/,
  );

  // the report through the CLI
  const c = io();
  assert.equal(await runCli(["study", "report", dir, "--reps", "200"], c.io), 0, c.err.join(""));
  const md = readFileSync(join(dir, "report.md"), "utf8");
  assert.match(md, /4 of 4 runs finished/);
  assert.match(md, /\| PPO \| 2 \| /);
  assert.match(md, /!\[CartPole-v1 learning curves\]\(report\/CartPole-v1-curves.svg\)/);
  for (const f of ["CartPole-v1-scores.svg", "CartPole-v1-curves.svg", "CartPole-v1-profile.svg"])
    assert.match(readFileSync(join(dir, "report", f), "utf8"), /^<svg /);
  // same runs, same seed: the same report
  assert.equal(await runCli(["study", "report", dir, "--reps", "200", "--out", join(dir, "again.md")], c.io), 0);
  assert.equal(readFileSync(join(dir, "again.md"), "utf8").replaceAll("again/", "report/"), md);
});

test("tsrl study: bad study files are errors naming the problem", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsrl-study-bad-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = io();
  assert.equal(await runCli(["study", join(dir, "none.json")], c.io), 1);
  assert.match(c.err.join(""), /no study file at/);
  const d = io();
  assert.equal(await runCli(["study", "report", dir], d.io), 1);
  assert.match(d.err.join(""), /is not a study folder \(no study.json\)/);
});
