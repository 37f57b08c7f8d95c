// One DQN learning run (worker thread): train with the zoo defaults, then evaluate greedily.
import { parentPort, workerData } from "node:worker_threads";
import "../src/envs/builtin.js";
import { evaluatePolicy } from "../src/algos/common/evaluate.js";
import { DQN } from "../src/algos/dqn.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/dqn.js";

const { envId, seed, episodes } = workerData as { envId: string; seed: number; episodes: number };
const entry = zoo.entries[envId];
const t0 = performance.now();
const model = new DQN(make(envId), { ...entry.hyperparams, seed });
await model.learn(entry.totalTimesteps);
const ev = evaluatePolicy(model, make(envId), { episodes, deterministic: true, seed: 10_000 + seed });
parentPort?.postMessage({ envId, seed, meanReturn: ev.meanReturn, seconds: (performance.now() - t0) / 1000 });
