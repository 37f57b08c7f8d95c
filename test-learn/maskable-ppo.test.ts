// Maskable PPO (sb3-contrib's MaskablePPO) on Taxi-v4, whose info.action_mask marks the actions that change the
// state: with the masks PPO never wastes a step on a wall or an illegal pickup/dropoff, so it learns faster than
// the same PPO ignoring them (useActionMasks: false). Both curves (mean training return of the last 100 episodes,
// per 10k steps) are printed; seeds 0-2.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PPO } from "../src/algos/ppo.js";
import "../src/envs/builtin.js";
import { makeVec } from "../src/envs/vector/make-vec.js";

const BUDGET = 150_000;

async function curve(useActionMasks: boolean, seed: number): Promise<number[]> {
  const env = makeVec("Taxi-v4", 8, { autoresetMode: "same-step" });
  const model = new PPO(env, {
    nSteps: 128,
    batchSize: 256,
    nEpochs: 4,
    entCoef: 0.01,
    learningRate: 1e-3,
    useActionMasks,
    seed,
  });
  const points: number[] = [];
  await model.learn(BUDGET, {
    callbacks: [
      {
        onRolloutEnd: ({ numTimesteps }) => {
          if (numTimesteps >= (points.length + 1) * 10_000) {
            const r = model.recentEpisodes.returns;
            points.push(r.length === 0 ? Number.NaN : r.reduce((a, b) => a + b, 0) / r.length);
          }
          return true;
        },
      },
    ],
  });
  return points;
}

test("masked PPO learns Taxi-v4 faster than unmasked PPO (area under the training curve, seeds 0-2)", async () => {
  for (const seed of [0, 1, 2]) {
    const masked = await curve(true, seed);
    const unmasked = await curve(false, seed);
    const area = (c: number[]) => c.reduce((a, b) => a + (Number.isNaN(b) ? -200 : b), 0) / c.length;
    console.log(`seed ${seed} masked   ${masked.map((v) => v.toFixed(0)).join(" ")}`);
    console.log(`seed ${seed} unmasked ${unmasked.map((v) => v.toFixed(0)).join(" ")}`);
    assert.ok(
      area(masked) > area(unmasked),
      `seed ${seed}: masked ${area(masked).toFixed(1)} vs unmasked ${area(unmasked).toFixed(1)}`,
    );
  }
});
