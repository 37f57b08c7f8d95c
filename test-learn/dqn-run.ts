// One DQN learning run (a child process, so runs go side by side on a many-core machine): train with the zoo
// defaults, evaluate greedily, print one JSON line. Usage: tsx test-learn/dqn-run.ts <envId> <seed> <episodes>
// TSRL_DQN_OVERRIDES='{"nStep":3}' merges options over the zoo entry (for tuning; the suite never sets it).
import "../src/envs/builtin.js";
import { evaluatePolicy } from "../src/algos/common/evaluate.js";
import { DQN } from "../src/algos/dqn.js";
import { make } from "../src/envs/registry.js";
import { zoo } from "../src/train/zoo/dqn.js";

const [envId, seedArg, episodesArg] = process.argv.slice(2);
const seed = Number(seedArg);
const entry = zoo.entries[envId];
const t0 = performance.now();
const overrides = JSON.parse(process.env.TSRL_DQN_OVERRIDES ?? "{}") as Record<string, unknown>;
const model = new DQN(make(envId), { ...entry.hyperparams, ...overrides, seed });
await model.learn(entry.totalTimesteps);
const ev = evaluatePolicy(model, make(envId), {
  episodes: Number(episodesArg),
  deterministic: true,
  seed: 10_000 + seed,
});
console.log(JSON.stringify({ envId, seed, meanReturn: ev.meanReturn, seconds: (performance.now() - t0) / 1000 }));
