// Issue 17.4: the same run twice gives the same files byte for byte (models, checkpoints, episodes, metrics), for
// every algorithm, on a single env and on vector envs stepped in this thread and in worker threads. Files that
// hold wall-clock time (summary, TensorBoard events, the checkpoint clock) are compared without their timings.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { listAlgorithms } from "../../src/algos/common/algorithm.js";
import { trainRun, type Vectorization } from "../../src/train/run.js";

const root = mkdtempSync(join(tmpdir(), "tsrl-rerun-"));
after(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Files that hold wall-clock time: metrics.jsonl is compared without its time/fps column, the others not at all. */
const timed = (rel: string): boolean =>
  rel.startsWith("tb/") || rel.startsWith("summary.") || rel.endsWith("wall-time.json") || rel === "metrics.csv";
const withoutFps = (text: string): string => text.replace(/"time\/fps":\d+,?/g, "");

const ENV: Record<string, string> = {
  QLearning: "FrozenLake-v1",
  SARSA: "FrozenLake-v1",
  ExpectedSARSA: "FrozenLake-v1",
  // continuous actions only
  SAC: "Pendulum-v1",
  TD3: "Pendulum-v1",
  DDPG: "Pendulum-v1",
};
/** Small budgets for the fast suite (the zoo's settings take longer or need more envs). */
const HP: Record<string, Record<string, unknown>> = {
  DQN: { learningStarts: 100, bufferSize: 1000 },
  SAC: { learningStarts: 100, bufferSize: 1000, batchSize: 32 },
  TD3: { learningStarts: 100, bufferSize: 1000, batchSize: 32 },
  DDPG: { learningStarts: 100, bufferSize: 1000, batchSize: 32 },
  PPO: { nSteps: 64, batchSize: 64, nEpochs: 2 },
  TRPO: { nSteps: 128, batchSize: 64 },
};
const MODES: { nEnvs: number; vectorization: Vectorization }[] = [
  { nEnvs: 1, vectorization: "sync" },
  { nEnvs: 2, vectorization: "sync" },
  { nEnvs: 2, vectorization: "async" },
];

for (const algo of listAlgorithms()) {
  for (const mode of MODES) {
    test(`${algo}, ${mode.nEnvs} env(s) ${mode.vectorization}: two runs of one seed write identical files`, async () => {
      const dirs: string[] = [];
      for (const k of [0, 1]) {
        const s = await trainRun({
          algo,
          env: ENV[algo] ?? "CartPole-v1",
          steps: 600,
          seed: 5,
          nEnvs: mode.nEnvs,
          vectorization: mode.vectorization,
          hp: HP[algo] ?? {},
          out: join(root, `${algo}-${mode.nEnvs}-${mode.vectorization}-${k}`),
          evalCount: 2,
          evalEpisodes: 1,
          finalEvalEpisodes: 1,
          checkpointCount: 2,
          progress: "none",
          log: () => {},
        });
        dirs.push(s.runDir);
      }
      const [a, b] = dirs.map((d) =>
        files(d)
          .map((f) => relative(d, f))
          .filter((f) => !f.startsWith("tb/")),
      );
      assert.deepEqual(a, b);
      assert.ok(a.some((f) => f.endsWith(".safetensors")));
      for (const rel of a.filter((f) => !timed(f))) {
        const [x, y] = dirs.map((d) => readFileSync(join(d, rel)));
        if (rel === "metrics.jsonl") assert.equal(withoutFps(String(x)), withoutFps(String(y)), rel);
        else assert.ok(x.equals(y), `${rel} differs between the two runs`);
      }
    });
  }
}
