// The run bench:browser times, identical in Node and in Chromium: PPO on CartPole-v1 with the zoo's tuned settings
// (8 envs x 32 steps, 20 epochs of batch 256), 100k env steps, seed 0, imported by package name as a user would
// (Node gets the `node` export condition, the browser bundle the `browser` one).
import { evaluatePolicy, initKernels, make, PPO } from "tsrl";
import { makeTrainEnv, zooEntry } from "tsrl/zoo";

export interface BrowserBenchResult {
  wallS: number;
  stepsPerS: number;
  epRewMean: number;
  evalMean: number;
}

export async function runPpoCartPole(): Promise<BrowserBenchResult> {
  await initKernels();
  const zoo = zooEntry("PPO", "CartPole-v1");
  if (!zoo) throw new Error("no zoo entry for PPO on CartPole-v1");
  const { entry } = zoo;
  const model = new PPO(makeTrainEnv("CartPole-v1", entry.nEnvs ?? 1, entry.envKwargs ?? {}), {
    ...entry.hyperparams,
    seed: 0,
  });
  const t0 = performance.now();
  await model.learn(entry.totalTimesteps);
  const wallS = (performance.now() - t0) / 1000;
  const ev = evaluatePolicy(model, make("CartPole-v1"), { episodes: 20, deterministic: true, seed: 100 });
  return {
    wallS,
    stepsPerS: model.numTimesteps / wallS,
    epRewMean: model.logger.latest["rollout/ep_rew_mean"] ?? Number.NaN,
    evalMean: ev.meanReturn,
  };
}
