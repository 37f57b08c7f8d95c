// DQN CartPole-v1, 50k steps, rl-baselines3-zoo hyperparameters (256-256 net, 128 gradient steps of batch 64 every
// 256 env steps). Prints wall time, env steps/s, the GFLOP/s of the gradient steps and, for reference, of the bare
// matmul kernel at the sizes those steps use; and the ratio to Stable-Baselines3's ~42 s on a CI-like machine.
import "../src/envs/builtin.js";
import { DQN } from "../src/algos/dqn.js";
import { Engine } from "../src/core/engine.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/dqn.js";

const SB3_SECONDS = 42; // SB3 2.x, PyTorch CPU, 1 thread, 2-core AMD EPYC (issue 4)
const steps = Number(process.argv[2] ?? zoo.entries["CartPole-v1"].totalTimesteps);

const model = new DQN(make("CartPole-v1"), { ...zoo.entries["CartPole-v1"].hyperparams, seed: 0 });
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
