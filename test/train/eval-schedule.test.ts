// A resumed run's periodic evaluations fall at the steps, and draw the episodes, of a run never stopped: no
// evaluation twice, none skipped, and the best evaluation of earlier parts still counts. (Runs killed with SIGKILL
// and resumed on another worker are compared the same way, eval rows included, in test/study/queue.test.ts.)
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseJsonl } from "../../src/train/metrics-files.js";
import { resumeRun, trainRun } from "../../src/train/run.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-evalsched-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const opts = (runDir: string) => ({
  algo: "ppo",
  env: "CartPole-v1",
  seed: 2,
  steps: 3072,
  nEnvs: 1,
  hp: { nSteps: 128, batchSize: 64, nEpochs: 2 },
  evalCount: 5,
  evalEpisodes: 2,
  checkpointCount: 3,
  runDir,
  progress: "none" as const,
  log: () => {},
});

const evalRows = (runDir: string) =>
  parseJsonl(readFileSync(join(runDir, "metrics.jsonl"), "utf8"))
    .filter((r) => r["eval/mean_reward"] !== undefined)
    .map((r) => [r.step, r["eval/mean_reward"], r["eval/mean_ep_length"]]);

test("after a crash and resume, evaluations continue the schedule on the same episodes", async () => {
  const straight = await trainRun(opts(join(dir, "straight")));
  const cut = join(dir, "cut");
  // crash (an exception in training, as a kill would stop it) past the first checkpoint (1024), after an
  // evaluation (due at 615: at 640) and before the next is due: what the crashed part logged after 1024 is dropped
  await assert.rejects(
    trainRun({
      ...opts(cut),
      callbacks: [
        {
          onRolloutStart: (ctx) => {
            if (ctx.numTimesteps >= 1152) throw new Error("crash");
            return true;
          },
        },
      ],
    }),
    /crash/,
  );
  assert.ok(existsSync(join(cut, "checkpoints", "checkpoint_1024_steps.safetensors")));
  assert.ok(!existsSync(join(cut, "summary.json")));
  const resumed = await resumeRun(cut, { progress: "none", log: () => {} });
  assert.equal(resumed.parts, 2);
  const want = evalRows(straight.runDir);
  assert.ok(want.length >= 5, `evaluations: ${JSON.stringify(want)}`);
  assert.deepEqual(evalRows(cut), want);
  assert.deepEqual(resumed.bestEval, straight.bestEval);
  assert.deepEqual(resumed.finalEval, straight.finalEval);
  assert.deepEqual(
    readFileSync(join(cut, "best-model.safetensors")),
    readFileSync(join(straight.runDir, "best-model.safetensors")),
  );
});
