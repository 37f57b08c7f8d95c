// Where the PPO update phase spends its time, per kernel (a diagnostic for bench:train; not a benchmark):
//   npx tsx bench/profile-ppo.ts [CartPole-v1|Pendulum-v1]
// Wraps every kernel of the policy's backend with a timer during the update phase of a short zoo-settings run and
// prints time per minibatch by kernel, with the rest (JavaScript: losses, distributions, copies) as "other".
import type { Callback } from "../src/algos/common/callbacks.js";
import { PPO, type PPOConfig } from "../src/algos/ppo.js";
import "../src/envs/builtin.js";
import { makeVec } from "../src/envs/vector/make-vec.js";
import { zoo } from "../src/train/zoo/ppo.js";

const envId = process.argv[2] ?? "CartPole-v1";
const settings: Record<string, { nEnvs: number; steps: number; config: Partial<PPOConfig> }> = {
  "CartPole-v1": { nEnvs: 8, steps: 40_960, config: zoo.entries["CartPole-v1"].hyperparams as Partial<PPOConfig> },
  "Pendulum-v1": {
    nEnvs: 4,
    steps: 131_072,
    config: { nSteps: 1024, batchSize: 256, nEpochs: 2, gamma: 0.9, learningRate: 1e-3 },
  },
};
const s = settings[envId];
const model = new PPO(makeVec(envId, s.nEnvs, { autoresetMode: "same-step" }), { ...s.config, seed: 0 });
const k = model.policy.engine.kernels as unknown as Record<string, unknown>;
const spent = new Map<string, number>();
const byShape = new Map<string, number>();
let inUpdate = false;
for (const name of new Set([...Object.getOwnPropertyNames(Object.getPrototypeOf(k)), ...Object.keys(k)])) {
  const f = k[name];
  if (typeof f !== "function" || name === "constructor") continue;
  const bound = (f as (...a: unknown[]) => unknown).bind(k);
  k[name] = (...args: unknown[]) => {
    if (!inUpdate) return bound(...args);
    const t = performance.now();
    const r = bound(...args);
    const dt = performance.now() - t;
    spent.set(name, (spent.get(name) ?? 0) + dt);
    if (process.env.BY_SHAPE && name.startsWith("matmul")) {
      const key = `${name} ${args.slice(3, 6).join("x")}${args[6] ? " tA" : ""}${args[7] ? " tB" : ""}`;
      byShape.set(key, (byShape.get(key) ?? 0) + dt);
    } else if (process.env.BY_SHAPE && name.startsWith("linear")) {
      const key = `${name} ${args.slice(4, 7).join("x")} ${args[7]}`;
      byShape.set(key, (byShape.get(key) ?? 0) + dt);
    }
    return r;
  };
}
let updateMs = 0;
let mark = 0;
let warm = false;
const stop = () => {
  if (mark > 0 && warm) updateMs += performance.now() - mark;
  if (mark > 0) warm = true;
  if (!warm) {
    spent.clear();
    byShape.clear();
  }
  mark = 0;
  inUpdate = false;
};
const timer: Callback = {
  onRolloutEnd: () => {
    mark = performance.now();
    inUpdate = true;
    return true;
  },
  onRolloutStart: () => {
    stop();
    return true;
  },
  onTrainingEnd: stop,
};
await model.learn(s.steps, { callbacks: timer });
const c = model.config;
const rollouts = s.steps / (c.nSteps * s.nEnvs) - 1; // the first update phase is warm-up
const minibatches = rollouts * c.nEpochs * Math.ceil((c.nSteps * s.nEnvs) / c.batchSize);
const us = (ms: number) => ((ms * 1000) / minibatches).toFixed(1);
let kernelMs = 0;
for (const [name, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
  kernelMs += ms;
  console.log(`${name.padEnd(16)} ${us(ms).padStart(8)} us/minibatch`);
}
for (const [name, ms] of [...byShape].sort((a, b) => b[1] - a[1]))
  console.log(`  ${name.padEnd(22)} ${us(ms).padStart(8)} us`);
console.log(`${"other (JS)".padEnd(16)} ${us(updateMs - kernelMs).padStart(8)} us/minibatch`);
console.log(`${"total".padEnd(16)} ${us(updateMs).padStart(8)} us/minibatch over ${minibatches} minibatches`);
