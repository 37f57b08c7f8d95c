// DQN CartPole-v1, 50k steps, rl-baselines3-zoo hyperparameters (256-256 net, 128 gradient steps of batch 64 every
// 256 env steps). Prints wall time, env steps/s, the GFLOP/s of the gradient steps and, for reference, of the bare
// matmul kernel at the sizes those steps use; and the ratio to Stable-Baselines3's ~42 s on a CI-like machine.
import "../src/envs/builtin.js";
import { DQN } from "../src/algos/dqn.js";
import { Engine } from "../src/core/engine.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/dqn.js";
import { dqnCartPolePublished } from "./zoo-published.js";

const SB3_SECONDS = 42; // SB3 2.x, PyTorch CPU, 1 thread, 2-core AMD EPYC (issue 4)
const args = process.argv.slice(2);
if (args.includes("--naive")) {
  await compareNaive();
  process.exit(0);
}
const steps = Number(args[0] ?? zoo.entries["CartPole-v1"].totalTimesteps);

const model = new DQN(make("CartPole-v1"), { ...dqnCartPolePublished, seed: 0 });
const t0 = performance.now();
await model.learn(steps);
const wall = (performance.now() - t0) / 1000;
const flops = model.nUpdates * model.gradientStepFlops();

// the matmuls of one gradient step at batch 64: forward x W^T and the two backward products, per layer
const eng = new Engine();
const shapes: [number, number, number, boolean, boolean][] = [];
for (const [i, o] of [
  [4, 256],
  [256, 256],
  [256, 2],
]) {
  shapes.push([64, i, o, false, true], [64, o, i, false, false], [o, 64, i, true, false]);
}
const bufs = shapes.map(([m, k, n]) => [eng.zeros([m * k]), eng.zeros([k * n]), eng.zeros([m * n])]);
let mmFlops = 0;
const tm = performance.now();
for (let r = 0; r < 300; r++) {
  shapes.forEach(([m, k, n, ta, tb], j) => {
    const [a, b, c] = bufs[j];
    eng.kernels.matmul(a.offset, b.offset, c.offset, m, k, n, ta, tb, false);
    mmFlops += 2 * m * k * n;
  });
}
const mmGflops = mmFlops / ((performance.now() - tm) / 1000) / 1e9;

const gradGflops = flops / model.trainSeconds / 1e9;
console.log(`kernels: ${model.engine.kernels.name}`);
console.log(`DQN CartPole-v1 ${steps} steps: wall ${wall.toFixed(1)} s, ${(steps / wall).toFixed(0)} env steps/s`);
console.log(
  `gradient steps: ${model.nUpdates} in ${model.trainSeconds.toFixed(1)} s, ${(flops / 1e12).toFixed(3)} TFLOP, ${gradGflops.toFixed(1)} GFLOP/s`,
);
console.log(
  `matmul kernel at these sizes: ${mmGflops.toFixed(1)} GFLOP/s; gradient steps reach ${((100 * gradGflops) / mmGflops).toFixed(0)}% of it`,
);
console.log(
  `vs SB3 (~${SB3_SECONDS} s for 50k steps): ${((SB3_SECONDS * (steps / 50_000)) / wall).toFixed(2)}x its speed`,
);
console.log(
  `mean training return of the last 100 episodes: ${model.recentEpisodes.returns.slice(-100).reduce((a, b) => a + b, 0) / Math.min(100, model.recentEpisodes.returns.length)}`,
);

/**
 * `npm run bench:dqn -- --naive`: the naive online loop (replay and target network off: one gradient step on each
 * fresh transition, bootstrapping from the network being trained) against DQN with both, same network, optimizer,
 * learning rate, exploration and number of gradient steps (one per env step). CartPole-v1, 30k steps, 3 seeds:
 * training return per 5k-step window and the final greedy evaluation (20 episodes).
 */
async function compareNaive(): Promise<void> {
  const common = {
    learningRate: 1e-3,
    gamma: 0.99,
    netArch: [64, 64],
    explorationFraction: 0.2,
    explorationFinalEps: 0.02,
    trainFreq: 1,
    gradientSteps: 1,
  };
  const variants: [string, Record<string, unknown>][] = [
    ["naive (replay: false, targetNetwork: false)", { ...common, replay: false, targetNetwork: false }],
    [
      "replay only (targetNetwork: false)",
      { ...common, bufferSize: 50_000, batchSize: 64, learningStarts: 1000, targetNetwork: false },
    ],
    [
      "DQN (replay + target network)",
      { ...common, bufferSize: 50_000, batchSize: 64, learningStarts: 1000, targetUpdateInterval: 500 },
    ],
  ];
  const total = 30_000;
  const { evaluatePolicy } = await import("../src/algos/common/evaluate.js");
  for (const [name, cfg] of variants) {
    for (const seed of [0, 1, 2]) {
      const model = new DQN(make("CartPole-v1"), { ...cfg, seed });
      // mean return of the training episodes that end in each 5k-step window
      const sums = new Float64Array(total / 5000);
      const counts = new Float64Array(total / 5000);
      let ret = 0;
      await model.learn(total, {
        callbacks: {
          onStep(ctx): undefined {
            const r = ctx.step;
            if (r === null) return undefined;
            ret += r.rewards[0];
            if (r.terminated[0] || r.truncated[0]) {
              const w = Math.min(Math.floor((ctx.numTimesteps - 1) / 5000), sums.length - 1);
              sums[w] += ret;
              counts[w]++;
              ret = 0;
            }
            return undefined;
          },
        },
      });
      const windows = Array.from(sums, (v, i) => v / counts[i]);
      const ev = evaluatePolicy(model, make("CartPole-v1"), { episodes: 20, seed: 500 + seed });
      const meanQ = model.logger.latest["train/mean_q"];
      console.log(
        `${name} seed ${seed}: training return per 5k steps [${windows.map((w) => w.toFixed(0)).join(", ")}], greedy eval ${ev.meanReturn.toFixed(1)}, last mean Q(s,a) ${meanQ?.toExponential(2)}`,
      );
    }
  }
}
