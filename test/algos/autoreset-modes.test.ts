// Issue 16.5: every algorithm takes a vector env in either autoreset mode, Gymnasium's default (next-step:
// `new PPO(new SyncVectorEnv(fns))`) included, and learns the same from both: the step that would only reset a
// finished sub-env is never taken (the algorithm resets it at once through Gymnasium's reset_mask), so no
// transition from one episode's last observation to the next one's first is trained on.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  A2C,
  type Algorithm,
  AsyncVectorEnv,
  type AutoresetMode,
  DDPG,
  DQN,
  make,
  PPO,
  QLearning,
  REINFORCE,
  SAC,
  Sarsa,
  SyncVectorEnv,
  TD3,
  TRPO,
} from "../../src/index.js";

const sync = (id: string, mode?: AutoresetMode) =>
  new SyncVectorEnv([() => make(id), () => make(id)], mode === undefined ? {} : { autoresetMode: mode });

/** What a model learned: its episodes and its greedy actions on observations of the env. */
function outcome(model: Algorithm, id: string): unknown {
  const env = make(id);
  const obs = Array.from({ length: 8 }, (_, i) => env.reset({ seed: i }).observation);
  return {
    steps: model.numTimesteps,
    episodes: model.numEpisodes,
    returns: [...model.recentEpisodes.returns],
    lengths: [...model.recentEpisodes.lengths],
    actions: obs.map((o) => {
      const a = model.predict(o as never, { deterministic: true });
      return typeof a === "number" ? a : Array.from(a);
    }),
  };
}

const cases: [string, (env: SyncVectorEnv | AsyncVectorEnv) => Algorithm, string, number][] = [
  ["PPO", (env) => new PPO(env, { nSteps: 32, batchSize: 32, seed: 3 }), "CartPole-v1", 256],
  ["A2C", (env) => new A2C(env, { nSteps: 8, seed: 3 }), "CartPole-v1", 256],
  ["TRPO", (env) => new TRPO(env, { nSteps: 32, batchSize: 32, seed: 3 }), "CartPole-v1", 256],
  ["REINFORCE", (env) => new REINFORCE(env, { seed: 3 }), "CartPole-v1", 256],
  ["DQN", (env) => new DQN(env, { learningStarts: 32, bufferSize: 512, seed: 3 }), "CartPole-v1", 256],
  ["SAC", (env) => new SAC(env, { learningStarts: 16, batchSize: 16, bufferSize: 512, seed: 3 }), "Pendulum-v1", 440],
  ["TD3", (env) => new TD3(env, { learningStarts: 16, batchSize: 16, bufferSize: 512, seed: 3 }), "Pendulum-v1", 440],
  ["DDPG", (env) => new DDPG(env, { learningStarts: 16, batchSize: 16, bufferSize: 512, seed: 3 }), "Pendulum-v1", 440],
  ["QLearning", (env) => new QLearning(env, { seed: 3 }), "FrozenLake-v1", 400],
  ["Sarsa", (env) => new Sarsa(env, { seed: 3 }), "FrozenLake-v1", 400],
];

for (const [name, build, id, steps] of cases) {
  test(`${name} learns the same on a next-step SyncVectorEnv (Gymnasium's default) as on a same-step one`, async () => {
    const next = build(sync(id));
    assert.equal(next.env.autoresetMode, "next-step");
    await next.learn(steps);
    const same = build(sync(id, "same-step"));
    await same.learn(steps);
    assert.ok(next.numEpisodes > 0, "episodes ended, so autoresets happened");
    assert.deepEqual(outcome(next, id), outcome(same, id));
  });
}

test("PPO on a next-step AsyncVectorEnv learns as on a same-step one", async () => {
  const build = cases[0][1];
  const envs = [
    new AsyncVectorEnv([{ id: "CartPole-v1" }, { id: "CartPole-v1" }]),
    new AsyncVectorEnv([{ id: "CartPole-v1" }, { id: "CartPole-v1" }], { autoresetMode: "same-step" }),
  ];
  try {
    const [next, same] = envs.map(build);
    assert.equal(next.env.autoresetMode, "next-step");
    await next.learn(256);
    await same.learn(256);
    assert.ok(next.numEpisodes > 0);
    assert.deepEqual(outcome(next, "CartPole-v1"), outcome(same, "CartPole-v1"));
  } finally {
    await Promise.all(envs.map((e) => e.close()));
  }
});

test("reset_mask resets only the sub-envs marked, after a first full reset, and is validated", async () => {
  const vec = sync("CartPole-v1");
  assert.throws(() => vec.reset({ options: { reset_mask: [true, false] } }), /needs a first reset/);
  const first = Float32Array.from(vec.reset({ seed: 1 }).observations);
  vec.step([0, 0]);
  const stepped = Float32Array.from(vec.step([0, 0]).observations);
  const r = vec.reset({ options: { reset_mask: [false, true] } });
  assert.deepEqual(r.observations.subarray(0, 4), stepped.subarray(0, 4), "sub-env 0 kept its state");
  assert.notDeepEqual(r.observations.subarray(4, 8), stepped.subarray(4, 8), "sub-env 1 restarted");
  assert.notDeepEqual(r.observations.subarray(4, 8), first.subarray(4, 8), "with the next seed of its stream");
  for (const bad of [[true], [true, "yes"], "11", null]) {
    assert.throws(
      () => vec.reset({ options: { reset_mask: bad } }),
      /options\.reset_mask must be 2 booleans \(or 0\/1\), one per sub-env/,
    );
  }
});
