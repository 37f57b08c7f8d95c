// npm run bench:offpolicy [-- --steps 20000 --rltools-steps 10000 --only zoo|rltools]
// Off-policy training speed (issue 11), two workloads on SAC Pendulum-v1, one thread:
//   1. rl-baselines3-zoo settings (256x256 ReLU actor and twin critics, batch 256, one gradient step per env step),
//      20k steps: wall time, env steps/s, and the GFLOP/s of the gradient steps beside the matmul kernel's own
//      GFLOP/s at the sizes those steps use (measured in this run, like bench:core's matmul rows), so the share of
//      the kernel's speed the training reaches is a like-for-like ratio on whatever machine runs it;
//   2. RLtools' SAC Pendulum example configuration (1 env, 64x64, batch 100, 10k steps, one gradient step per step),
//      an overhead-bound run where per-step costs decide.
// Reference figures (/work/shared/PEERS.md, measured on the same machine kind: 2-core AMD EPYC, one thread):
// Stable-Baselines3 2.4.1 (torch 1.13) 295 s for workload 1; RLtools 27.8 s compiled generically and 2.7 s with
// OpenBLAS for workload 2.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import "../src/envs/builtin.js";
import { evaluatePolicy } from "../src/algos/common/evaluate.js";
import { SAC } from "../src/algos/sac.js";
import { Engine } from "../src/core/engine.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/sac.js";

const lines: string[] = [];
/** Print a line and keep it for bench/results/offpolicy.md. */
function out(line: string): void {
  console.log(line);
  lines.push(line);
}

const SB3_SECONDS = 295;
const RLTOOLS_GENERIC_SECONDS = 27.8;
const RLTOOLS_BLAS_SECONDS = 2.7;

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt("--only");
const zooSteps = Number(opt("--steps") ?? 20_000);
const rltoolsSteps = Number(opt("--rltools-steps") ?? 10_000);

/** Best GFLOP/s of the matmul kernel over the three products of each dense layer of a gradient step. */
function matmulGflops(layers: [number, number][], batch: number): number {
  const eng = new Engine();
  const shapes: [number, number, number, boolean, boolean][] = [];
  for (const [i, o] of layers) {
    // forward x W^T, input gradient dY W, weight gradient dY^T x
    shapes.push([batch, i, o, false, true], [batch, o, i, false, false], [o, batch, i, true, false]);
  }
  const bufs = shapes.map(([m, k, n]) => [eng.zeros([m * k]), eng.zeros([k * n]), eng.zeros([m * n])]);
  let best = 0;
  for (let trial = 0; trial < 7; trial++) {
    let flops = 0;
    const t0 = performance.now();
    for (let r = 0; r < 20; r++) {
      shapes.forEach(([m, k, n, ta, tb], j) => {
        const [a, b, c] = bufs[j];
        eng.kernels.matmul(a.offset, b.offset, c.offset, m, k, n, ta, tb, false);
        flops += 2 * m * k * n;
      });
    }
    best = Math.max(best, flops / ((performance.now() - t0) / 1000) / 1e9);
  }
  return best;
}

/** Dense layers (in, out) of SAC's actor and twin critics on Pendulum (obs 3, action 1). */
function sacLayers(hidden: number): [number, number][] {
  return [
    [3, hidden],
    [hidden, hidden],
    [hidden, 2],
    [4, hidden],
    [hidden, hidden],
    [hidden, 1],
  ];
}

async function run(config: Record<string, unknown>, steps: number) {
  const model = new SAC(make("Pendulum-v1"), { ...config, seed: 0, logInterval: 1_000_000 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await model.learn(steps);
  const wall = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  // CPU seconds of this process: on a shared machine wall time counts other processes' turns, CPU time does not
  out(`  (learn: ${wall.toFixed(2)} s wall, ${((c1.user + c1.system) / 1e6).toFixed(2)} s CPU)`);
  const evalReturn = evaluatePolicy(model, make("Pendulum-v1"), {
    episodes: 10,
    deterministic: true,
    seed: 1,
  }).meanReturn;
  return { model, wall, evalReturn };
}

out(`Node ${process.version}; load average when starting: ${loadavg()[0].toFixed(2)}`);

if (only !== "rltools") {
  const { model, wall, evalReturn } = await run(zoo.entries["Pendulum-v1"].hyperparams, zooSteps);
  const flops = model.nUpdates * model.gradientStepFlops();
  const gradGflops = flops / model.trainSeconds / 1e9;
  const kernel = matmulGflops(sacLayers(256), 256);
  out(`kernels: ${model.engine.kernels.name}`);
  out(
    `SAC Pendulum-v1, zoo settings (256x256, batch 256), ${zooSteps} steps: wall ${wall.toFixed(1)} s, ${(zooSteps / wall).toFixed(0)} env steps/s, eval ${evalReturn.toFixed(1)}`,
  );
  out(
    `  gradient steps: ${model.nUpdates} in ${model.trainSeconds.toFixed(1)} s (${((1000 * model.trainSeconds) / model.nUpdates).toFixed(2)} ms each, ${(model.gradientStepFlops() / 1e9).toFixed(3)} GFLOP each), ${gradGflops.toFixed(1)} GFLOP/s`,
  );
  out(
    `  matmul kernel at these sizes (this run): ${kernel.toFixed(1)} GFLOP/s; the gradient steps reach ${((100 * gradGflops) / kernel).toFixed(0)}% of it`,
  );
  const sb3 = SB3_SECONDS * (zooSteps / 20_000);
  out(
    `  Stable-Baselines3 2.4.1 (torch 1.13, 1 thread): ${sb3.toFixed(0)} s for these steps, measured on the same machine kind: tsrl takes ${(wall / sb3).toFixed(2)}x its time`,
  );
}

if (only !== "zoo") {
  const cfg = { netArch: [64, 64], batchSize: 100, learningRate: 1e-3, bufferSize: 10_000, learningStarts: 100 };
  const { model, wall, evalReturn } = await run(cfg, rltoolsSteps);
  const scale = rltoolsSteps / 10_000;
  out(
    `SAC Pendulum-v1, RLtools' example configuration (64x64, batch 100, 1 env), ${rltoolsSteps} steps: wall ${wall.toFixed(2)} s, ${(rltoolsSteps / wall).toFixed(0)} env steps/s, ${((1000 * model.trainSeconds) / model.nUpdates).toFixed(3)} ms per gradient step, eval ${evalReturn.toFixed(1)}`,
  );
  out(
    `  RLtools (measured on the same machine kind, 10k steps): ${RLTOOLS_GENERIC_SECONDS} s generic, ${RLTOOLS_BLAS_SECONDS} s with OpenBLAS: tsrl takes ${(wall / (RLTOOLS_GENERIC_SECONDS * scale)).toFixed(2)}x and ${(wall / (RLTOOLS_BLAS_SECONDS * scale)).toFixed(2)}x their time`,
  );
}

writeFileSync(
  new URL("./results/offpolicy.md", import.meta.url),
  [
    "# bench:offpolicy",
    "",
    `\`npm run bench:offpolicy -- ${args.join(" ")}\`, ${new Date().toISOString()}`,
    "",
    "```",
    ...lines,
    "```",
    "",
  ].join("\n"),
);
