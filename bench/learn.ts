// npm run bench:learn [-- --rows ppo-cartpole,trpo-pendulum --seeds 5]
// The policy-gradient learning suite (issue 5): each row trains with tsrl's tuned defaults (src/train/zoo) for the
// row's budget on 10 seeds (0-4 tuning, 5-9 held out), then evaluates each model deterministically for 20 episodes. Writes
// bench/results/learn.md (mean, std and min over seeds of the evaluation return, seeds reaching the bar, wall time)
// and one learning-curve SVG per row (training episode return vs env steps, all seeds).
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { A2C } from "../src/algos/a2c.js";
import type { Algorithm } from "../src/algos/common/algorithm.js";
import { evaluatePolicy } from "../src/algos/common/evaluate.js";
import { DDPG } from "../src/algos/ddpg.js";
import { PPO } from "../src/algos/ppo.js";
import { REINFORCE } from "../src/algos/reinforce.js";
import { SAC } from "../src/algos/sac.js";
import { TD3 } from "../src/algos/td3.js";
import { TRPO } from "../src/algos/trpo.js";
import "../src/envs/builtin.js";
import { make } from "../src/envs/registry.js";
import { makeVec } from "../src/envs/vector/make-vec.js";
import { loadEnvFamily } from "../src/train/load-env-family.js";
import { type CurveRun, learningCurveSvg } from "../src/train/plot.js";
import { zoo as a2cZoo } from "../src/train/zoo/a2c.js";
import { zoo as ddpgZoo } from "../src/train/zoo/ddpg.js";
import { zoo as ppoZoo } from "../src/train/zoo/ppo.js";
import { zoo as reinforceZoo } from "../src/train/zoo/reinforce.js";
import { zoo as sacZoo } from "../src/train/zoo/sac.js";
import { zoo as td3Zoo } from "../src/train/zoo/td3.js";
import { zoo as trpoZoo } from "../src/train/zoo/trpo.js";
import type { AlgoZoo } from "../src/train/zoo/types.js";

export type AlgoName = "PPO" | "A2C" | "TRPO" | "REINFORCE" | "SAC" | "TD3" | "DDPG";

export interface SuiteRow {
  id: string;
  algo: AlgoName;
  env: string;
  budget: number;
  /** a seed "reaches" when its mean deterministic evaluation return is >= this */
  threshold: number;
}

/** The table: >= 4 of seeds 0-4 AND >= 4 of the held-out seeds 5-9 must reach the threshold within the budget. */
export const SUITE: readonly SuiteRow[] = [
  { id: "ppo-cartpole", algo: "PPO", env: "CartPole-v1", budget: 100_000, threshold: 475 },
  { id: "ppo-acrobot", algo: "PPO", env: "Acrobot-v1", budget: 1_000_000, threshold: -90 },
  { id: "ppo-pendulum", algo: "PPO", env: "Pendulum-v1", budget: 300_000, threshold: -250 },
  { id: "ppo-mountaincarcontinuous", algo: "PPO", env: "MountainCarContinuous-v0", budget: 50_000, threshold: 85 },
  // MuJoCo v5 (issue 12), bars from the issue; rl-baselines3-zoo at 1M: Hopper 2410, HalfCheetah 5819, Walker2d 3479,
  // Swimmer 282
  { id: "ppo-invertedpendulum", algo: "PPO", env: "InvertedPendulum-v5", budget: 1_000_000, threshold: 950 },
  {
    id: "ppo-inverteddoublependulum",
    algo: "PPO",
    env: "InvertedDoublePendulum-v5",
    budget: 1_000_000,
    threshold: 9000,
  },
  { id: "ppo-hopper", algo: "PPO", env: "Hopper-v5", budget: 1_000_000, threshold: 2000 },
  { id: "ppo-halfcheetah", algo: "PPO", env: "HalfCheetah-v5", budget: 1_000_000, threshold: 3000 },
  { id: "ppo-walker2d", algo: "PPO", env: "Walker2d-v5", budget: 1_000_000, threshold: 2500 },
  { id: "ppo-swimmer", algo: "PPO", env: "Swimmer-v5", budget: 1_000_000, threshold: 250 },
  { id: "a2c-cartpole", algo: "A2C", env: "CartPole-v1", budget: 500_000, threshold: 475 },
  { id: "a2c-acrobot", algo: "A2C", env: "Acrobot-v1", budget: 500_000, threshold: -100 },
  { id: "trpo-cartpole", algo: "TRPO", env: "CartPole-v1", budget: 100_000, threshold: 475 },
  { id: "trpo-pendulum", algo: "TRPO", env: "Pendulum-v1", budget: 200_000, threshold: -300 },
  { id: "reinforce-cartpole", algo: "REINFORCE", env: "CartPole-v1", budget: 500_000, threshold: 450 },
  // off-policy continuous control (issue 11)
  { id: "sac-pendulum", algo: "SAC", env: "Pendulum-v1", budget: 20_000, threshold: -200 },
  { id: "td3-pendulum", algo: "TD3", env: "Pendulum-v1", budget: 20_000, threshold: -200 },
  { id: "ddpg-pendulum", algo: "DDPG", env: "Pendulum-v1", budget: 20_000, threshold: -200 },
  { id: "sac-mountaincarcontinuous", algo: "SAC", env: "MountainCarContinuous-v0", budget: 50_000, threshold: 85 },
  { id: "td3-mountaincarcontinuous", algo: "TD3", env: "MountainCarContinuous-v0", budget: 300_000, threshold: 85 },
  // MuJoCo at a budget of about 20 minutes per seed on 2 cores (the zoo's results are at 1M: SAC Hopper 2326,
  // HalfCheetah 9535; TD3 Hopper 3606, HalfCheetah 9656)
  { id: "sac-hopper", algo: "SAC", env: "Hopper-v5", budget: 100_000, threshold: 1000 },
  { id: "td3-hopper", algo: "TD3", env: "Hopper-v5", budget: 100_000, threshold: 1000 },
  { id: "sac-halfcheetah", algo: "SAC", env: "HalfCheetah-v5", budget: 100_000, threshold: 3000 },
  { id: "td3-halfcheetah", algo: "TD3", env: "HalfCheetah-v5", budget: 100_000, threshold: 3000 },
];

const CLASSES = { PPO, A2C, TRPO, REINFORCE, SAC, TD3, DDPG } as const;
const ZOOS: Record<AlgoName, AlgoZoo> = {
  PPO: ppoZoo,
  A2C: a2cZoo,
  TRPO: trpoZoo,
  REINFORCE: reinforceZoo,
  SAC: sacZoo,
  TD3: td3Zoo,
  DDPG: ddpgZoo,
};

export interface SeedResult {
  seed: number;
  evalMean: number;
  curve: CurveRun;
  seconds: number;
}

/** Train one seed of a row with the zoo defaults and evaluate it (20 deterministic episodes). */
export async function runSeed(row: SuiteRow, seed: number): Promise<SeedResult> {
  const entry = ZOOS[row.algo].entries[row.env];
  if (entry === undefined) throw new Error(`no tuned ${row.algo} entry for ${row.env}`);
  await loadEnvFamily(row.env);
  const env = makeVec(row.env, entry.nEnvs ?? 1, { autoresetMode: "same-step" });
  const Cls = CLASSES[row.algo] as unknown as new (e: typeof env, c: Record<string, unknown>) => Algorithm;
  const model = new Cls(env, { ...entry.hyperparams, seed });
  const steps: number[] = [];
  const values: number[] = [];
  model.logger.addSink({
    write: (step, metrics) => {
      const r = metrics["rollout/ep_rew_mean"];
      if (Number.isFinite(r)) {
        steps.push(step);
        values.push(r);
      }
    },
  });
  const t0 = performance.now();
  await model.learn(row.budget);
  const seconds = (performance.now() - t0) / 1000;
  const evalMean = evaluatePolicy(model, make(row.env), {
    episodes: 20,
    deterministic: true,
    seed: 10_000 + seed,
  }).meanReturn;
  await model.close();
  return { seed, evalMean, curve: { steps, values }, seconds };
}

export async function runRow(row: SuiteRow, seeds: number, firstSeed = 0): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  for (let s = firstSeed; s < firstSeed + seeds; s++) {
    const r = await runSeed(row, s);
    console.log(`${row.id} seed ${s}: eval ${r.evalMean.toFixed(1)} (${r.seconds.toFixed(1)} s)`);
    out.push(r);
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const wanted = opt("--rows")?.split(",");
  // seeds 0-4 are the tuning seeds; 5-9 are held out (no tuning used them) and reported in their own column
  const seeds = Number(opt("--seeds") ?? 10);
  const rows = SUITE.filter((r) => wanted === undefined || wanted.includes(r.id));
  const outDir = new URL("./results/", import.meta.url);
  mkdirSync(outDir, { recursive: true });
  const lines: string[] = [];
  for (const row of rows) {
    const results = await runRow(row, seeds);
    const evals = results.map((r) => r.evalMean);
    const mean = evals.reduce((a, b) => a + b, 0) / evals.length;
    const std = Math.sqrt(evals.reduce((a, b) => a + (b - mean) ** 2, 0) / evals.length);
    const min = Math.min(...evals);
    const reach = (from: number, to: number) => evals.slice(from, to).filter((v) => v >= row.threshold).length;
    const tuned = reach(0, 5);
    const heldOut = reach(5, 10);
    const cell = (k: number, n: number) => (n === 0 ? "-" : `${k}/${n} ${k >= Math.ceil(0.8 * n) ? "pass" : "FAIL"}`);
    const wall = results.reduce((a, r) => a + r.seconds, 0);
    const svg = learningCurveSvg([{ label: `${row.algo} ${row.env}`, runs: results.map((r) => r.curve) }], {
      title: `${row.algo} ${row.env} (${seeds} seeds): training episode return`,
      xLabel: "env steps",
      yLabel: "episode return",
    });
    writeFileSync(new URL(`./learn-${row.id}.svg`, outDir), svg);
    lines.push(
      `| ${row.algo} | ${row.env} | ${row.budget.toLocaleString("en-US")} | >= ${row.threshold} | ${mean.toFixed(1)} | ${std.toFixed(1)} | ${min.toFixed(1)} | ${cell(tuned, Math.min(seeds, 5))} | ${cell(heldOut, Math.max(0, Math.min(seeds, 10) - 5))} | ${wall.toFixed(0)} | [curve](learn-${row.id}.svg) |`,
    );
    console.log(lines[lines.length - 1]);
  }
  const md = [
    "# bench:learn (policy-gradient learning suite)",
    "",
    `Measured ${new Date().toISOString()} with \`npm run bench:learn -- ${args.join(" ")}\`, Node ${process.version}.`,
    "Each seed trains with the tuned defaults of src/train/zoo for the budget, then 20 deterministic evaluation",
    "episodes; mean/std/min are over seeds of each seed's mean evaluation return. Wall time is the sum of training",
    "time over seeds, on a machine shared with other work.",
    "",
    "| algo | env | budget | bar | mean | std | min | seeds 0-4 reaching | seeds 5-9 reaching (held out) | wall s | curve |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...lines,
    "",
  ].join("\n");
  const file = wanted === undefined ? "learn.md" : `learn-${wanted.join("+")}.md`;
  writeFileSync(new URL(`./${file}`, outDir), md);
  console.log(`wrote bench/results/${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
