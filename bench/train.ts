// npm run bench:train — wall time, env steps/s and the update phase's GFLOP/s of three PPO runs (issue 5):
//   1. CartPole-v1, rl-baselines3-zoo hyperparameters (8 envs x 32 steps, 20 epochs of batch 256), 100k steps
//   2. CartPole-v1, CleanRL's ppo.py defaults (4 envs x 128 steps, 4 minibatches, 4 epochs), 500k steps
//   3. Pendulum-v1, 4 envs x 1024 steps, batch 256, 2 epochs, 64-64 networks, 300k steps (RLtools' benchmark)
// The update phase is timed between onRolloutEnd and the next onRolloutStart; its FLOPs are counted from the
// network shapes (matmuls only: forward 2*in*out per layer and sample, backward 2*in*out for dW plus 2*in*out
// for dX on every layer but the first). For reference the kernel's own GFLOP/s on a 256x64x64 matmul is printed.
// Writes bench/results/train.md. Single thread; numbers measured while other work runs are noisy.
import { mkdirSync, writeFileSync } from "node:fs";
import type { Callback } from "../src/algos/common/callbacks.js";
import type { DenseMlp } from "../src/algos/common/dense-mlp.js";
import { PPO, type PPOConfig } from "../src/algos/ppo.js";
import { Arena } from "../src/core/arena.js";
import { selectKernels } from "../src/core/kernels/index.js";
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

/** Matmul FLOPs of one sample's forward + backward through a network. */
function trainFlops(net: DenseMlp): number {
  let f = 0;
  net.layers.forEach((l, i) => {
    const mac = 2 * l.inSize * l.outSize;
    f += mac * (i === 0 ? 2 : 3);
  });
  return f;
}

function kernelGflops(): number {
  const arena = new Arena();
  const k = selectKernels(arena);
  const [m, kk, n] = [256, 64, 64];
  const a = arena.allocZeroed(m * kk);
  const b = arena.allocZeroed(kk * n);
  const c = arena.allocZeroed(m * n);
  let it = 0;
  const t = performance.now();
  while (performance.now() - t < 1000) {
    for (let r = 0; r < 50; r++) k.matmul(a, b, c, m, kk, n, false, true, false);
    it += 50;
  }
  return (2 * m * kk * n * it) / ((performance.now() - t) / 1000) / 1e9;
}

const rows: string[] = [];
const kernel = kernelGflops();
console.log(`kernel matmul 256x64x64: ${kernel.toFixed(1)} GFLOP/s`);
for (const c of cases) {
  const env = makeVec(c.env, c.nEnvs, { autoresetMode: "same-step" });
  const model = new PPO(env, { ...c.config, seed: 0 });
  let trainMs = 0;
  let mark = 0;
  let updates = 0;
  const timer: Callback = {
    onRolloutEnd: () => {
      mark = performance.now();
      return true;
    },
    onRolloutStart: () => {
      if (mark > 0) {
        trainMs += performance.now() - mark;
        updates++;
        mark = 0;
      }
      return true;
    },
    onTrainingEnd: () => {
      if (mark > 0) {
        trainMs += performance.now() - mark;
        updates++;
      }
    },
  };
  const t0 = performance.now();
  await model.learn(c.steps, { callbacks: timer });
  const wall = (performance.now() - t0) / 1000;
  const p = model.policy;
  const samplesPerUpdate = model.buffer.size * (model.config.nEpochs as number);
  const flops = updates * samplesPerUpdate * (trainFlops(p.pi) + trainFlops(p.vf));
  const gflops = flops / (trainMs / 1000) / 1e9;
  const sps = model.numTimesteps / wall;
  const ret = model.logger.latest["rollout/ep_rew_mean"];
  console.log(
    `${c.name}: ${wall.toFixed(2)} s, ${Math.round(sps)} steps/s, update ${(trainMs / 1000).toFixed(2)} s at ` +
      `${gflops.toFixed(1)} GFLOP/s (${((100 * gflops) / kernel).toFixed(0)}% of the kernel), final ep_rew_mean ${ret?.toFixed(1)}`,
  );
  rows.push(
    `| ${c.name} | ${c.steps.toLocaleString("en-US")} | ${wall.toFixed(2)} | ${Math.round(sps).toLocaleString("en-US")} | ${(trainMs / 1000).toFixed(2)} | ${gflops.toFixed(1)} | ${((100 * gflops) / kernel).toFixed(0)}% | ${ret?.toFixed(1)} | ${c.target} |`,
  );
  await model.close();
}

const md = [
  "# bench:train (PPO speed)",
  "",
  `Measured ${new Date().toISOString()} with \`npm run bench:train\`, Node ${process.version}, one thread.`,
  `Kernel matmul 256x64x64: ${kernel.toFixed(1)} GFLOP/s (the reference for the update phase's share).`,
  "",
  "| run | steps | wall s | env steps/s | update s | update GFLOP/s | of kernel | final ep_rew_mean | reference / target |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows,
  "",
].join("\n");
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/train.md", import.meta.url), md);
console.log("wrote bench/results/train.md");
