import assert from "node:assert/strict";
import { test } from "node:test";
import "../../src/envs/index.js";
import { DQN } from "../../src/algos/dqn.js";
import { QLearning } from "../../src/algos/qlearning.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";

test("DQN on a same-step vector env stores one transition per sub-env per step, final observations included", async () => {
  const env = makeVec("CartPole-v1", 4, { autoresetMode: "same-step", seed: 3 });
  const model = new DQN(env, {
    learningStarts: 200,
    bufferSize: 10_000,
    trainFreq: 8,
    gradientSteps: -1,
    netArch: [32],
  });
  await model.learn(2000);
  assert.equal(model.numTimesteps, 2000);
  assert.equal(model.buffer.size, 2000);
  assert.ok(model.numEpisodes > 20, "episodes ended and were reset inside the vector env");
  // every stored s' is a CartPole state next to s (a reset observation as s' would jump across the state space)
  const batch = model.buffer.sample(2000, (model as unknown as { rng: import("../../src/core/rng.js").Rng }).rng);
  for (let i = 0; i < batch.size; i++) {
    // pole angle: episodes end at |angle| > 0.21 and restart within 0.05, one step moves it by well under 0.1
    const dAngle = Math.abs(batch.nextObservations[4 * i + 2] - batch.observations[4 * i + 2]);
    assert.ok(dAngle < 0.1, `pole angle jumped by ${dAngle} in one step: s' is not the final observation`);
    if (batch.terminated[i])
      assert.ok(Math.abs(batch.nextObservations[4 * i + 2]) > 0.2 || Math.abs(batch.nextObservations[4 * i]) > 2.4);
  }
  assert.ok(
    model.nUpdates >= ((2000 - 200) / 4 / 8) * 32 - 32,
    `gradientSteps -1 trains on every transition (${model.nUpdates})`,
  );
});

test("tabular agents run on vector envs too", async () => {
  const env = makeVec("CliffWalking-v1", 4, { autoresetMode: "same-step", seed: 0 });
  const agent = await new QLearning(env, {
    learningRate: 0.5,
    explorationInitialEps: 0.1,
    explorationFinalEps: 0.1,
  }).learn(40_000);
  assert.equal(agent.predict(36, { deterministic: true }), 0, "from the start the greedy path goes up");
});
