// npm run bench:train [-- --threads N] — wall time, env steps/s and the update phase's GFLOP/s of three PPO runs (issue 5):
//   1. CartPole-v1, rl-baselines3-zoo hyperparameters (8 envs x 32 steps, 20 epochs of batch 256), 100k steps
//   2. CartPole-v1, CleanRL's ppo.py defaults (4 envs x 128 steps, 4 minibatches, 4 epochs), 500k steps
//   3. Pendulum-v1, 4 envs x 1024 steps, batch 256, 2 epochs, 64-64 networks, 300k steps (RLtools' benchmark)
// The update phase is timed between onRolloutEnd and the next onRolloutStart. Its FLOPs are those of every matmul
// the policy's kernels actually execute in it (forward, and backward for weight and input gradients: 2*m*k*n per
// call, counted by wrapping the kernel's matmul and its fused dense-layer forms), over the phase's whole wall time
// (loss, activations, Adam and all JS included). The reference is the same kernel's matmul, C = A·B at 256x64x64, measured in this run the way
// bench:core measures it (best of 20 batches of ~10 ms, before and after the runs, the higher figure kept);
// bench:core's recorded figure (bench/results/core.md) is shown beside it. Because that reference is a best-of
// figure (a burst of load from other processes only lowers some batches), the median and the best single update
// phase (one rollout's epochs, ~10 ms at the zoo settings) are reported too, beside the mean over all of them.
// Writes bench/results/train.md. Single thread; numbers measured while other work runs are noisy (the 1-minute
// load average is recorded).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { Callback } from "../src/algos/common/callbacks.js";
import { PPO, type PPOConfig } from "../src/algos/ppo.js";
import { Arena } from "../src/core/arena.js";
import { type Kernels, selectKernels } from "../src/core/kernels/index.js";
import "../src/envs/builtin.js";
import { makeVec } from "../src/envs/vector/make-vec.js";
import { zoo } from "../src/train/zoo/ppo.js";

interface Case {
  name: string;
  env: string;
  nEnvs: number;
  steps: number;
  config: Partial<PPOConfig>;
  target: string;
}

const cases: Case[] = [
  {
    name: "PPO CartPole-v1, zoo hyperparameters",
    env: "CartPole-v1",
    nEnvs: 8,
    steps: 100_000,
    config: zoo.entries["CartPole-v1"].hyperparams as Partial<PPOConfig>,
    target: "SB3 ~20 s; target <= 6.7 s",
  },
  {
    name: "PPO CartPole-v1, CleanRL defaults",
    env: "CartPole-v1",
    nEnvs: 4,
    steps: 500_000,
    config: {
      nSteps: 128,
      batchSize: 128,
      nEpochs: 4,
      learningRate: { schedule: "linear", start: 2.5e-4, end: 0 },
      gamma: 0.99,
      gaeLambda: 0.95,
      clipRange: 0.2,
      clipRangeVf: 0.2,
      entCoef: 0.01,
      vfCoef: 0.25,
      maxGradNorm: 0.5,
    },
    target: "CleanRL ~7,000 steps/s; target >= 50,000 steps/s",
  },
  {
    name: "PPO Pendulum-v1, 4 x 1024, batch 256, 2 epochs",
    env: "Pendulum-v1",
    nEnvs: 4,
    steps: 300_000,
    config: { nSteps: 1024, batchSize: 256, nEpochs: 2, gamma: 0.9, learningRate: 1e-3 },
    target: "RLtools 0.54 s (BLAS) / ~4 s; SB3 ~41 s; target < 3 s",
  },
];

/** How the run's engines were threaded, for the header. */
function threadsLabel(t: { threads?: number }): string {
  return t.threads === undefined ? "the default thread count" : `threads ${t.threads}`;
}

/** The kernel's matmul C = A·B at 256x64x64 as bench:core times it: best of 20 batches of ~10 ms, GFLOP/s. */
function kernelGflops(): { name: string; gflops: number } {
  const arena = new Arena();
  const k = selectKernels(arena);
  const [m, kk, n] = [256, 64, 64];
  const a = arena.allocZeroed(m * kk);
  const b = arena.allocZeroed(kk * n);
  const c = arena.allocZeroed(m * n);
  const run = (iters: number) => {
    const t = performance.now();
    for (let r = 0; r < iters; r++) k.matmul(a, b, c, m, kk, n, false, false, false);
    return performance.now() - t;
  };
  run(200); // warm-up
  const iters = Math.max(1, Math.round(10 / (run(100) / 100)));
  let best = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < 20; batch++) best = Math.min(best, run(iters) / iters);
  return { name: k.name, gflops: (2 * m * kk * n) / (best / 1000) / 1e9 };
}

/** bench:core's recorded figure for the default kernels at 256x64x64, read from bench/results/core.md. */
function coreRecorded(kernelName: string): number | null {
  const file = new URL("./results/core.md", import.meta.url);
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, "utf8").split("\n");
  const header = lines
    .find((l) => l.startsWith("| benchmark"))
    ?.split("|")
    .map((x) => x.trim());
  const row = lines
    .find((l) => l.startsWith("| matmul 256x64x64"))
    ?.split("|")
    .map((x) => x.trim());
  const col = header?.indexOf(`tsrl ${kernelName}`) ?? -1;
  const v = row !== undefined && col >= 0 ? Number(row[col]) : Number.NaN;
  return Number.isFinite(v) ? v : null;
}

/**
 * Count 2*m*k*n for every matrix product these kernels run while `counting()` holds: plain matmuls and the fused
 * dense-layer kernels (linear, linearInputGrad), whose bias, activation and gradient epilogues are not counted.
 */
function countMatmulFlops(k: Kernels, counting: () => boolean): { flops: number } {
  const counter = { flops: 0 };
  const matmul = k.matmul.bind(k);
  k.matmul = (a, b, c, m, kk, n, transA, transB, acc) => {
    if (counting()) counter.flops += 2 * m * kk * n;
    matmul(a, b, c, m, kk, n, transA, transB, acc);
  };
  const linear = k.linear.bind(k);
  k.linear = (x, w, b, out, m, kk, n, act) => {
    if (counting()) counter.flops += 2 * m * kk * n;
    linear(x, w, b, out, m, kk, n, act);
  };
  const linearInputGrad = k.linearInputGrad.bind(k);
  k.linearInputGrad = (gy, w, y, gx, m, n, kk, act) => {
    if (counting()) counter.flops += 2 * m * n * kk;
    linearInputGrad(gy, w, y, gx, m, n, kk, act);
  };
  return counter;
}

// `--threads N` runs the networks on N threads (default: the library's, the machine's cores up to 8)
const threadsArg = process.argv.indexOf("--threads");
const threads = threadsArg >= 0 ? { threads: Number(process.argv[threadsArg + 1]) } : {};

const rows: string[] = [];
const load0 = loadavg()[0];
const before = kernelGflops();
console.log(`kernel (${before.name}) matmul 256x64x64: ${before.gflops.toFixed(1)} GFLOP/s`);
interface Result {
  c: Case;
  wall: number;
  sps: number;
  trainMs: number;
  gflops: number;
  medianGflops: number;
  bestGflops: number;
  ret: number | undefined;
}
const results: Result[] = [];
for (const c of cases) {
  const env = makeVec(c.env, c.nEnvs, { autoresetMode: "same-step" });
  const model = new PPO(env, { ...c.config, seed: 0, ...threads });
  let trainMs = 0;
  let mark = 0;
  let flopsAtMark = 0;
  const phaseGflops: number[] = [];
  const counter = countMatmulFlops(model.policy.engine.kernels, () => mark > 0);
  const endUpdate = () => {
    if (mark === 0) return;
    const ms = performance.now() - mark;
    trainMs += ms;
    phaseGflops.push((counter.flops - flopsAtMark) / (ms / 1000) / 1e9);
    mark = 0;
  };
  const timer: Callback = {
    onRolloutEnd: () => {
      mark = performance.now();
      flopsAtMark = counter.flops;
      return true;
    },
    onRolloutStart: () => {
      endUpdate();
      return true;
    },
    onTrainingEnd: endUpdate,
  };
  const t0 = performance.now();
  await model.learn(c.steps, { callbacks: timer });
  const wall = (performance.now() - t0) / 1000;
  const gflops = counter.flops / (trainMs / 1000) / 1e9;
  phaseGflops.sort((a, b) => a - b);
  const bestGflops = phaseGflops[phaseGflops.length - 1];
  const medianGflops = phaseGflops[Math.floor((phaseGflops.length - 1) / 2)];
  const sps = model.numTimesteps / wall;
  const ret = model.logger.latest["rollout/ep_rew_mean"];
  console.log(
    `${c.name}: ${wall.toFixed(2)} s, ${Math.round(sps)} steps/s, update ${(trainMs / 1000).toFixed(2)} s, ` +
      `${(counter.flops / 1e9).toFixed(1)} GFLOP of matmuls at ${gflops.toFixed(1)} GFLOP/s (median update ` +
      `${medianGflops.toFixed(1)}, best ${bestGflops.toFixed(1)}), final ep_rew_mean ${ret?.toFixed(1)}`,
  );
  results.push({ c, wall, sps, trainMs, gflops, medianGflops, bestGflops, ret });
  await model.close();
}
const after = kernelGflops();
const load1 = loadavg()[0];
const kernel = Math.max(before.gflops, after.gflops);
const recorded = coreRecorded(before.name);
console.log(
  `kernel matmul 256x64x64 after the runs: ${after.gflops.toFixed(1)} GFLOP/s; reference ${kernel.toFixed(1)}`,
);
const pct = (g: number, of: number) => `${((100 * g) / of).toFixed(0)}%`;
const ofRecorded = (g: number) => (recorded === null ? "n/a" : pct(g, recorded));
const cell = (g: number) => `${g.toFixed(1)} (${pct(g, kernel)}, ${ofRecorded(g)})`;
for (const { c, wall, sps, trainMs, gflops, medianGflops, bestGflops, ret } of results) {
  rows.push(
    `| ${c.name} | ${c.steps.toLocaleString("en-US")} | ${wall.toFixed(2)} | ${Math.round(sps).toLocaleString("en-US")} | ${(trainMs / 1000).toFixed(2)} | ${cell(gflops)} | ${cell(medianGflops)} | ${cell(bestGflops)} | ${ret?.toFixed(1)} | ${c.target} |`,
  );
}

const md = [
  "# bench:train (PPO speed)",
  "",
  `Measured ${new Date().toISOString()} with \`npm run bench:train\`, Node ${process.version}, ` +
    `${threadsLabel(threads)}, ` +
    `kernels ${before.name}; 1-minute load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end ` +
    "(the machine is shared: absolute numbers move with its load).",
  `Kernel matmul C = A·B 256x64x64 in this run (best of 20 batches of ~10 ms, as bench:core): ${before.gflops.toFixed(1)} GFLOP/s ` +
    `before the runs, ${after.gflops.toFixed(1)} after; the higher, ${kernel.toFixed(1)}, is the reference. ` +
    `bench:core's recorded figure (bench/results/core.md): ${recorded === null ? "n/a" : `${recorded.toFixed(1)} GFLOP/s`}.`,
  "Update GFLOP/s: FLOPs of every matmul the update phase executes (forward; backward for weight and input " +
    "gradients; 2*m*k*n each, counted at the kernel's matmul and fused linear layers) over the phase's whole wall time (losses, activations, " +
    "Adam and all JS included): over all updates of the run; for the median update phase (one rollout's epochs), " +
    "which a burst of load from other processes on the shared machine moves little; and for the fastest, measured " +
    "the way the best-of-batches kernel reference is.",
  "",
  "GFLOP/s cells: the figure (its share of the in-run kernel reference, its share of bench:core's recorded figure).",
  "",
  "| run | steps | wall s | env steps/s | update s | update GFLOP/s, all updates | median update | best update | final ep_rew_mean | reference / target |",
  "|---|---|---|---|---|---|---|---|---|---|",
  ...rows,
  "",
].join("\n");
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/train.md", import.meta.url), md);
console.log("wrote bench/results/train.md");
