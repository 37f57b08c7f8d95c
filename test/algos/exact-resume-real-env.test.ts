// Issue 6: "Resume is exact: training N steps, saving, loading and training N more gives bit-identical parameters
// to 2N steps straight", on the real CartPole-v1 (make's TimeLimit, OrderEnforcing and PassiveEnvChecker around the
// physics), for PPO (on a SyncVectorEnv) and DQN (on a single env). The env's snapshot travels in the checkpoint;
// without it the resumed run diverges, which the last test shows.
// Schedules are constant: annealed ones depend on the target of each learn call by design (SB3 too).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Algorithm, AnyEnv, VectorEnvLike } from "../../src/algos/common/algorithm.js";
import { DQN, PPO } from "../../src/algos/index.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";

/** N: the issue asks for 20k; CartPole runs fast enough for it with these small networks. */
const HALF = 20_000;

/** Every tensor of the model's checkpoint (parameters, optimizer moments, replay buffer, env state), as hex. */
function stateBytes(m: Algorithm): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, t] of Object.entries(m.getCheckpoint().tensors)) {
    out.set(k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex"));
  }
  return out;
}

type Build = (env: AnyEnv | VectorEnvLike) => Algorithm;
type Load = (bytes: Uint8Array, env: AnyEnv | VectorEnvLike) => Algorithm;

async function resumed(build: Build, load: Load, makeEnv: () => AnyEnv | VectorEnvLike): Promise<Algorithm> {
  const first = await build(makeEnv()).learn(HALF);
  assert.equal(first.numTimesteps, HALF, "the first half ends exactly at N (whole rollouts)");
  const bytes = first.toBytes();
  const second = load(bytes, makeEnv());
  await second.learn(HALF, { resetNumTimesteps: false });
  return second;
}

async function checkExact(name: string, build: Build, load: Load, makeEnv: () => AnyEnv | VectorEnvLike) {
  const straight = await build(makeEnv()).learn(2 * HALF);
  const second = await resumed(build, load, makeEnv);
  assert.equal(second.numTimesteps, straight.numTimesteps);
  assert.ok(straight.numEpisodes > 50, `${name}: CartPole episodes ended and reset along the way`);
  const a = stateBytes(straight);
  const b = stateBytes(second);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [k, v] of a) assert.equal(b.get(k), v, `${name}: tensor ${k} differs after resume`);
  const ma = straight.getCheckpoint().meta;
  const mb = second.getCheckpoint().meta;
  assert.deepEqual(mb.algorithmState, ma.algorithmState);
  assert.deepEqual(mb.rng, ma.rng);
  assert.deepEqual(mb.counters, ma.counters);
  assert.deepEqual(mb.recentEpisodes, ma.recentEpisodes);
  assert.deepEqual(withoutSpaceRngs(mb.envState), withoutSpaceRngs(ma.envState));
}

/** The env state without the spaces' generators: entropy-seeded in every new env, and never drawn by training. */
function withoutSpaceRngs(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(withoutSpaceRngs);
  if (json === null || typeof json !== "object") return json;
  return Object.fromEntries(
    Object.entries(json)
      .filter(([k]) => k !== "spaces")
      .map(([k, v]) => [k, withoutSpaceRngs(v)]),
  );
}

const ppo: Build = (env) =>
  new PPO(env, {
    seed: 1,
    nSteps: 250,
    batchSize: 125,
    nEpochs: 2,
    learningRate: 3e-4,
    policyKwargs: { netArch: [16] },
  });
const loadPpo: Load = (bytes, env) => PPO.fromBytes(bytes, { env });
const ppoEnv = () => makeVec("CartPole-v1", 2, { autoresetMode: "same-step" }) as unknown as VectorEnvLike;

const dqn: Build = (env) =>
  new DQN(env, {
    seed: 2,
    bufferSize: 10_000,
    learningStarts: 500,
    batchSize: 32,
    trainFreq: 4,
    targetUpdateInterval: 500,
    learningRate: 5e-4,
    // a constant epsilon: the default schedule anneals over the target of each learn call
    explorationInitialEps: 0.1,
    explorationFinalEps: 0.1,
    netArch: [16],
  });
const loadDqn: Load = (bytes, env) => DQN.fromBytes(bytes, { env });
const dqnEnv = () => make("CartPole-v1") as AnyEnv;

test("PPO on CartPole-v1 (2 sync envs): N steps, save, load, N more = 2N straight, bit for bit", async () => {
  await checkExact("PPO", ppo, loadPpo, ppoEnv);
});

test("DQN on CartPole-v1: N steps, save, load, N more = 2N straight, bit for bit (replay buffer included)", async () => {
  await checkExact("DQN", dqn, loadDqn, dqnEnv);
});

test("without the env's snapshot the resumed run is not exact (the snapshot is what makes it so)", async () => {
  const straight = await dqn(dqnEnv()).learn(2 * HALF);
  // the same env, hiding snapshot/restore: the checkpoint then keeps no env state and the env restarts
  const hidden = () => {
    const env = dqnEnv();
    return new Proxy(env, {
      get: (t, p) => (p === "snapshot" || p === "restore" ? undefined : Reflect.get(t, p, t)),
    }) as AnyEnv;
  };
  const second = await resumed(dqn, loadDqn, hidden);
  const name = Object.keys(straight.getCheckpoint().tensors).find((k) => k.startsWith("q_net/"));
  assert.ok(name !== undefined);
  assert.notEqual(stateBytes(second).get(name), stateBytes(straight).get(name), `${name} should differ`);
});

test("a model trained on one env loads into another with the same spaces when its env state is not restored", async () => {
  const model = await new PPO(make("CartPole-v1") as AnyEnv, { nSteps: 64, batchSize: 64, nEpochs: 1, seed: 3 }).learn(
    128,
  );
  const bytes = model.toBytes();
  const shorter = () => make("CartPole-v1", { maxEpisodeSteps: 50 }) as AnyEnv;
  assert.throws(() => PPO.fromBytes(bytes, { env: shorter() }), /env state/);
  const loaded = PPO.fromBytes(bytes, { env: shorter(), restoreEnvState: false });
  assert.deepEqual(stateBytes(loaded).get("policy/params"), stateBytes(model).get("policy/params"));
});
