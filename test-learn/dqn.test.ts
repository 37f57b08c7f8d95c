import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * DQN with tsrl's zoo defaults (rl-baselines3-zoo dqn.yml) on 10 seeds per env, each run in a child process so a
 * many-core machine runs them side by side. Pass: >= 4 of seeds 0-4 (the tuning seeds) AND >= 4 of seeds 5-9 (held
 * out: no tuning used them) reach the threshold (deterministic evaluation, 20 episodes) within the zoo budget
 * (CartPole 50k steps, Acrobot 100k, MountainCar 120k).
 */
const TUNING = [0, 1, 2, 3, 4];
const HELD_OUT = [5, 6, 7, 8, 9];
const SEEDS = [...TUNING, ...HELD_OUT];
const CASES: [string, number][] = [
  ["CartPole-v1", 475],
  ["Acrobot-v1", -100],
  ["MountainCar-v0", -130],
];
const only = process.env.TSRL_DQN_ENVS?.split(",");
const { TSRL_DQN_OVERRIDES: _ignored, ...withoutOverrides } = process.env;

interface Result {
  envId: string;
  seed: number;
  meanReturn: number;
  seconds: number;
}

function run(envId: string, seed: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL("./dqn-run.ts", import.meta.url));
    execFile(
      process.execPath,
      ["--import", "tsx", script, envId, String(seed), "20"],
      // the suite always runs the zoo entry as shipped: tuning overrides in the caller's environment are dropped
      { maxBuffer: 1 << 20, env: withoutOverrides },
      (err, stdout) => {
        if (err) return reject(err);
        const r = JSON.parse(stdout.trim().split("\n").pop() as string) as Result;
        console.log(`${r.envId} seed ${r.seed}: ${r.meanReturn.toFixed(1)} (${r.seconds.toFixed(0)} s)`);
        resolve(r);
      },
    );
  });
}

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  });
  await Promise.all(lanes);
  return out;
}

test("DQN reaches the zoo returns on >= 4 of seeds 0-4 and of seeds 5-9 (CartPole 475, Acrobot -100, MountainCar -130)", async () => {
  const cases = CASES.filter(([id]) => !only || only.includes(id));
  const jobs = cases.flatMap(([id]) => SEEDS.map((s) => () => run(id, s)));
  const results = await pool(jobs, Math.max(1, availableParallelism()));
  for (const r of results)
    console.log(`${r.envId} seed ${r.seed}: ${r.meanReturn.toFixed(1)} (${r.seconds.toFixed(0)} s)`);
  for (const [id, threshold] of cases) {
    const reached = (seeds: number[]) =>
      results.filter((r) => r.envId === id && seeds.includes(r.seed) && r.meanReturn >= threshold).length;
    const [tuning, heldOut] = [reached(TUNING), reached(HELD_OUT)];
    console.log(`${id}: seeds 0-4 ${tuning}/5, seeds 5-9 (held out) ${heldOut}/5 reached ${threshold}`);
    assert.ok(
      tuning >= 4 && heldOut >= 4,
      `${id}: ${tuning}/5 tuning and ${heldOut}/5 held-out seeds reached ${threshold}`,
    );
  }
});
