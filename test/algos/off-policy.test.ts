import assert from "node:assert/strict";
import { test } from "node:test";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import { evaluatePolicy } from "../../src/algos/common/evaluate.js";
import { ReplayBuffer } from "../../src/algos/common/replay-buffer.js";
import { DDPG, SAC, type SACConfig, TD3, type TD3Config } from "../../src/algos/index.js";
import { Rng } from "../../src/core/rng.js";
import "../../src/envs/builtin.js";
import { Env, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { make } from "../../src/envs/registry.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";

/**
 * One observation ([0.5]), a Box action in [-2, 2] that changes nothing, reward 1 every step; every `len` steps the
 * episode ends, terminated or truncated. With gamma 0.5: Q(s, a) = 1 when every step terminates, 2 = 1 / (1 - gamma)
 * when truncations bootstrap. `bad` puts NaN into the reward or the observation at step 3.
 */
class ConstantEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-2, 2, [1]);
  lastAction = 0;
  private t = 0;
  private readonly obs = Float32Array.of(0.5);
  private readonly result: StepResult<Float32Array> = {
    observation: this.obs,
    reward: 1,
    terminated: false,
    truncated: false,
    info: {},
  };
  constructor(
    private readonly len: number,
    private readonly ending: "terminated" | "truncated",
    private readonly bad: "none" | "reward" | "observation" = "none",
  ) {
    super();
  }
  reset(opts?: { seed?: number }): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    return { observation: this.obs, info: {} };
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.lastAction = action[0];
    this.t++;
    const end = this.t >= this.len;
    this.result.terminated = end && this.ending === "terminated";
    this.result.truncated = end && this.ending === "truncated";
    if (this.t === 3 && this.bad === "reward") this.result.reward = Number.NaN;
    if (this.t === 3 && this.bad === "observation") this.obs[0] = Number.NaN;
    return this.result;
  }
}

const small = { gamma: 0.5, netArch: [16], bufferSize: 500, batchSize: 32, learningStarts: 32, tau: 0.05 };

function q(model: SAC | TD3, action: number): number {
  const eng = model.engine;
  return eng.scope(() =>
    eng.noGrad(() => model.critic.forwardFirst(eng.tensor([0.5], [1, 1]), eng.tensor([action], [1, 1])).item()),
  );
}

for (const [name, build] of [
  ["SAC", (env: ConstantEnv) => new SAC(env, { ...small, learningRate: 3e-3, entCoef: 0 })],
  ["TD3", (env: ConstantEnv) => new TD3(env, { ...small, learningRate: 3e-3 })],
  ["DDPG", (env: ConstantEnv) => new DDPG(env, { ...small, learningRate: 3e-3 })],
] as const) {
  test(`${name}: terminal transitions are not bootstrapped, truncated ones are`, async () => {
    const term = await build(new ConstantEnv(1, "terminated")).learn(1500);
    for (const a of [-0.5, 0.5]) assert.ok(Math.abs(q(term, a) - 1) < 0.1, `terminated: Q = ${q(term, a)}, want 1`);
    const trunc = await build(new ConstantEnv(1, "truncated")).learn(1500);
    for (const a of [-0.5, 0.5]) assert.ok(Math.abs(q(trunc, a) - 2) < 0.15, `truncated: Q = ${q(trunc, a)}, want 2`);
  });
}

test("Box actions: the buffer stores the policy's [-1, 1] actions, the env receives them rescaled, predict is env-scaled", async () => {
  const env = new ConstantEnv(5, "truncated");
  const model = new TD3(env, { ...small, learningStarts: 10 });
  await model.learn(12);
  const batch = model.buffer.sample(12, new Rng(0));
  for (let i = 0; i < 12; i++) assert.ok(Math.abs(batch.boxActions[i]) <= 1);
  // the last stored action times the env's half-range (2) is what the env received
  const stored = (model.buffer.getState().arrays.boxActions as Float32Array)[11];
  assert.ok(Math.abs(env.lastAction - 2 * stored) < 1e-6, `${env.lastAction} vs 2 * ${stored}`);
  const p = model.predict(Float32Array.of(0.5), { deterministic: true }) as Float32Array;
  const eng = model.engine;
  const mu = eng.scope(() => eng.noGrad(() => model.actor.forward(eng.tensor([0.5], [1, 1])).item()));
  assert.ok(Math.abs(p[0] - 2 * mu) < 1e-6, `predict ${p[0]} = 2 * mu(s) = ${2 * mu}`);
});

test("replay buffer Box path: exact float32 actions per env, actions outside [-1, 1] rejected", () => {
  const buf = new ReplayBuffer({ bufferSize: 8, obsDim: 1, numEnvs: 2, actionDim: 2 });
  buf.add({
    observations: Float32Array.of(0, 1),
    actions: Float32Array.of(0.25, -0.5, 1, -1),
    rewards: [0, 1],
    nextObservations: Float32Array.of(10, 11),
    terminated: [0, 0],
    truncated: [0, 0],
  });
  const rng = new Rng(3);
  for (let i = 0; i < 20; i++) {
    const batch = buf.sample(2, rng);
    for (let b = 0; b < 2; b++) {
      const e = batch.observations[b];
      assert.deepEqual(Array.from(batch.boxActions.subarray(2 * b, 2 * b + 2)), e === 0 ? [0.25, -0.5] : [1, -1]);
    }
  }
  const add = (a: number) => () =>
    buf.add({
      observations: Float32Array.of(0, 1),
      actions: Float32Array.of(0, a, 0, 0),
      rewards: [0, 0],
      nextObservations: Float32Array.of(0, 1),
      terminated: [0, 0],
      truncated: [0, 0],
    });
  assert.throws(
    add(1.5),
    (e: Error) => e instanceof InvalidArgumentError && /actions\[1\] is 1.5.*\[-1, 1\]/.test(e.message),
  );
  assert.throws(
    add(Number.NaN),
    (e: Error) => e instanceof InvalidArgumentError && /actions\[1\] is NaN/.test(e.message),
  );
});

test("SAC, TD3 and DDPG reject bad input with typed errors before any training step", async () => {
  const bad: [string, () => unknown, RegExp][] = [
    ["Discrete actions", () => new SAC(make("CartPole-v1")), /SAC needs a Box action space.*use DQN, PPO or A2C/],
    ["tau", () => new TD3(make("Pendulum-v1"), { tau: 1.5 }), /config\.tau must be a number in \(0, 1\], got 1\.5/],
    ["tau NaN", () => new SAC(make("Pendulum-v1"), { tau: Number.NaN }), /config\.tau must be/],
    [
      "batch > buffer",
      () => new DDPG(make("Pendulum-v1"), { batchSize: 512, bufferSize: 100 }),
      /batchSize 512 is larger than config\.bufferSize 100/,
    ],
    [
      "unknown option",
      () => new DDPG(make("Pendulum-v1"), { nCritics: 2 } as never),
      /unknown config option "nCritics"/,
    ],
    [
      "noise",
      () => new TD3(make("Pendulum-v1"), { actionNoise: { type: "normal", sigma: -1 } }),
      /actionNoise\.sigma must hold finite numbers >= 0/,
    ],
    ["entCoef", () => new SAC(make("Pendulum-v1"), { entCoef: "often" as never }), /config\.entCoef must be "auto"/],
    ["trainFreq", () => new SAC(make("Pendulum-v1"), { trainFreq: [2, "hour" as never] }), /config\.trainFreq/],
  ];
  for (const [what, fn, re] of bad) {
    assert.throws(fn, (e: Error) => e instanceof InvalidArgumentError && re.test(e.message), what);
  }
  const model = new SAC(make("Pendulum-v1"), { learningStarts: 1000 });
  await assert.rejects(
    model.learn(500),
    (e: Error) => e instanceof InvalidArgumentError && /learningStarts 1000 is more than the 500 steps/.test(e.message),
  );
  assert.equal(model.numTimesteps, 0);
  for (const what of ["reward", "observation"] as const) {
    const m = new TD3(new ConstantEnv(10, "truncated", what), { ...small, learningStarts: 0, batchSize: 1 });
    await assert.rejects(
      m.learn(20),
      (e: Error) => e instanceof NonFiniteError && new RegExp(`${what}`).test(e.message),
      what,
    );
    assert.equal(m.nUpdates, 2, `${what}: stopped at the transition that carried it, after 2 gradient steps`);
  }
});

/** Every tensor of the model's checkpoint as hex. */
function stateBytes(m: Algorithm, includeReplayBuffer = true): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, t] of Object.entries(m.getCheckpoint({ includeReplayBuffer }).tensors)) {
    out.set(k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex"));
  }
  return out;
}

const pendulumSac: SACConfig = {
  netArch: [16],
  batchSize: 16,
  learningStarts: 50,
  trainFreq: [1, "episode"],
  gradientSteps: -1,
};
const pendulumTd3: TD3Config = {
  netArch: { pi: [16], qf: [24] },
  batchSize: 16,
  learningStarts: 50,
  actionNoise: { type: "ornstein-uhlenbeck", sigma: 0.3 },
};
/**
 * [name, build, load, half]: `learn(half)` twice must equal `learn(2 * half)`, so half ends a training phase (SB3 too
 * trains on what a phase collected when learn returns): SAC trains per episode (200 steps), the gSDE case every 5
 * steps of 2 envs; the others after each step, and their half cuts an episode.
 */
const cases: [string, (seed: number) => Algorithm, (b: Uint8Array) => Algorithm, number][] = [
  [
    "SAC",
    (seed) => new SAC(make("Pendulum-v1"), { ...pendulumSac, seed }),
    (b) => SAC.fromBytes(b, { env: make("Pendulum-v1") }),
    400,
  ],
  [
    "SAC gSDE, 2 envs",
    (seed) =>
      new SAC(makeVec("Pendulum-v1", 2, { autoresetMode: "same-step" }), {
        ...pendulumSac,
        trainFreq: 5,
        gradientSteps: 3,
        useSde: true,
        sdeSampleFreq: 4,
        optimizeMemoryUsage: true,
        seed,
      }),
    (b) => SAC.fromBytes(b, { env: makeVec("Pendulum-v1", 2, { autoresetMode: "same-step" }) }),
    300,
  ],
  [
    "TD3",
    (seed) => new TD3(make("Pendulum-v1"), { ...pendulumTd3, seed }),
    (b) => TD3.fromBytes(b, { env: make("Pendulum-v1") }),
    300,
  ],
  [
    "DDPG",
    (seed) => new DDPG(make("Pendulum-v1"), { netArch: [16], batchSize: 16, learningStarts: 50, seed }),
    (b) => DDPG.fromBytes(b, { env: make("Pendulum-v1") }),
    300,
  ],
];

for (const [name, build, load, half] of cases) {
  test(`${name}: the same seed gives the same model bit for bit, and save/load/resume continues exactly`, async () => {
    const straight = await build(3).learn(2 * half);
    const again = await build(3).learn(2 * half);
    assert.deepEqual(stateBytes(again), stateBytes(straight), "same seed, same result");
    const other = await build(4).learn(2 * half);
    assert.notDeepEqual(stateBytes(other), stateBytes(straight), "another seed, another result");

    const first = await build(3).learn(half);
    const second = load(first.toBytes());
    await second.learn(half, { resetNumTimesteps: false });
    assert.equal(second.numTimesteps, straight.numTimesteps);
    const a = stateBytes(straight);
    const b = stateBytes(second);
    for (const [k, v] of a) assert.equal(b.get(k), v, `${name}: tensor ${k} differs after resume`);
    assert.deepEqual(second.getCheckpoint().meta.algorithmState, straight.getCheckpoint().meta.algorithmState);

    // without the replay buffer the model loads (for evaluation or fine-tuning) with an empty buffer
    const light = first.toBytes({ includeReplayBuffer: false });
    assert.ok(light.length < first.toBytes().length / 2, "the buffer is most of a full checkpoint");
    const loaded = load(light) as SAC | TD3;
    assert.equal(loaded.buffer.size, 0);
    const obs = Float32Array.of(0.1, 0.9, -0.3);
    assert.deepEqual(loaded.predict(obs, { deterministic: true }), first.predict(obs, { deterministic: true }));
  });
}

test("SAC logs actor and critic losses, the entropy coefficient and Q-values; TD3 its delayed actor loss", async () => {
  for (const model of [
    new SAC(make("Pendulum-v1"), { ...pendulumSac, trainFreq: 1, gradientSteps: 1 }),
    new TD3(make("Pendulum-v1"), pendulumTd3),
  ]) {
    const rows: Record<string, number>[] = [];
    model.logger.addSink({ write: (_step, metrics) => rows.push({ ...metrics }) });
    await model.learn(120);
    const last = rows[rows.length - 1];
    const keys = ["train/actor_loss", "train/critic_loss", "train/mean_q", "train/n_updates", "train/learning_rate"];
    if (model instanceof SAC) keys.push("train/ent_coef", "train/ent_coef_loss");
    for (const k of keys) assert.ok(Number.isFinite(last[k]), `${model.algoName} logs ${k}: ${last[k]}`);
  }
});

test("smoke test (one seed): SAC learns to swing Pendulum-v1 up within 4,000 steps", async () => {
  const cfg: SACConfig = { netArch: [64, 64], batchSize: 100, learningRate: 2e-3, seed: 0 };
  const model = new SAC(make("Pendulum-v1"), cfg);
  const score = () =>
    evaluatePolicy(model, make("Pendulum-v1"), { episodes: 5, deterministic: true, seed: 1 }).meanReturn;
  const before = score();
  await model.learn(4000);
  const after = score();
  // a random or untrained policy scores about -1200; -125 was measured for this seed (the learning suite has the bars)
  assert.ok(
    before < -900 && after > -300,
    `deterministic return ${before.toFixed(1)} before, ${after.toFixed(1)} after`,
  );
});
