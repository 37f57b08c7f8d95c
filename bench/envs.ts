// Steps per second of each classic-control env with uniformly random actions: the raw env, the env from `make`
// (PassiveEnvChecker, OrderEnforcing, TimeLimit), and a SyncVectorEnv of 16 (counting 16 env steps per call).
// Targets (issue 3): CartPole-v1 > 10M steps/s raw and > 3M through make; Gymnasium's Python CartPole runs about
// 0.2M on this kind of machine. Actions are drawn up front from a seeded Rng so the timing is the env's alone.
// Usage: npm run bench:envs [-- seconds-per-run]
import "../src/envs/builtin.js";
import { Rng } from "../src/core/rng.js";
import { AcrobotEnv } from "../src/envs/classic-control/acrobot.js";
import { CartPoleEnv } from "../src/envs/classic-control/cartpole.js";
import { MountainCarEnv } from "../src/envs/classic-control/mountain-car.js";
import { MountainCarContinuousEnv } from "../src/envs/classic-control/mountain-car-continuous.js";
import { PendulumEnv } from "../src/envs/classic-control/pendulum.js";
import type { Env } from "../src/envs/env.js";
import { make } from "../src/envs/registry.js";
import { makeVec } from "../src/envs/vector/make-vec.js";

const SECONDS = Number(process.argv[2] ?? 0.5);
const REPEATS = 3; // best of: the machine is shared, so the fastest run is the least disturbed one
const POOL = 4096; // pre-drawn actions, cycled

interface Case {
  id: string;
  raw: () => Env<Float32Array, unknown>;
  /** Discrete action count, or 0 for a one-dimensional Box action in [low, high]. */
  n: number;
  low?: number;
  high?: number;
}

const CASES: Case[] = [
  { id: "CartPole-v1", raw: () => new CartPoleEnv(), n: 2 },
  { id: "Acrobot-v1", raw: () => new AcrobotEnv(), n: 3 },
  { id: "MountainCar-v0", raw: () => new MountainCarEnv(), n: 3 },
  { id: "MountainCarContinuous-v0", raw: () => new MountainCarContinuousEnv(), n: 0, low: -1, high: 1 },
  { id: "Pendulum-v1", raw: () => new PendulumEnv(), n: 0, low: -2, high: 2 },
];

function actionPool(c: Case, rng: Rng): unknown[] {
  return Array.from({ length: POOL }, () =>
    c.n > 0 ? rng.int(c.n) : new Float32Array([rng.uniformRange(c.low as number, c.high as number)]),
  );
}

/** Steps per second of `env` over about SECONDS, resetting whenever an episode ends. */
function single(env: Env<Float32Array, unknown>, actions: unknown[]): number {
  env.reset({ seed: 0 });
  let steps = 0;
  const chunk = 100_000;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let k = 0; k < chunk; k++) {
      const r = env.step(actions[(steps + k) & (POOL - 1)]);
      if (r.terminated || r.truncated) env.reset();
    }
    steps += chunk;
    elapsed = performance.now() - t0;
  }
  return steps / (elapsed / 1000);
}

/** Env steps per second of a SyncVectorEnv of `numEnvs` (autoreset inside). */
function vector(c: Case, numEnvs: number, rng: Rng): number {
  const vec = makeVec(c.id, numEnvs, { seed: 0 });
  const rows = 256;
  const pool = c.n > 0 ? new Int32Array(rows * numEnvs) : new Float32Array(rows * numEnvs);
  for (let i = 0; i < pool.length; i++) pool[i] = c.n > 0 ? rng.int(c.n) : rng.uniformRange(c.low ?? 0, c.high ?? 0);
  const views = Array.from({ length: rows }, (_, r) => pool.subarray(r * numEnvs, (r + 1) * numEnvs));
  vec.reset();
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let k = 0; k < 10_000; k++) vec.step(views[(calls + k) & (rows - 1)]);
    calls += 10_000;
    elapsed = performance.now() - t0;
  }
  vec.close();
  return (calls * numEnvs) / (elapsed / 1000);
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)}M`.padStart(9);
console.log(`env steps/s, random actions, best of ${REPEATS} runs of ~${SECONDS} s (node ${process.version})`);
console.log(`${"env".padEnd(26)}${"raw".padStart(9)}${"make".padStart(9)}${"sync x16".padStart(10)}`);
const rng = new Rng(0);
const best = (f: () => number) => Math.max(...Array.from({ length: REPEATS }, f));
for (const c of CASES) {
  const actions = actionPool(c, rng);
  const raw = best(() => single(c.raw(), actions));
  const made = best(() => single(make(c.id) as Env<Float32Array, unknown>, actions));
  const vec = best(() => vector(c, 16, rng));
  console.log(`${c.id.padEnd(26)}${fmt(raw)}${fmt(made)} ${fmt(vec)}`);
}

// MuJoCo (issue 12): Hopper, HalfCheetah, Ant, Humanoid v5, random actions in the action bounds: the raw env, through
// make, and AsyncVectorEnv with 2 workers (env steps, both workers counted). Gymnasium 1.3 + MuJoCo 3.14 through
// gym.make on one core of this machine kind (PEERS.md): Hopper 9.7k, HalfCheetah 26k, Ant 3.4k, Humanoid 4.1k steps/s.
const { initMujoco, HopperEnv, HalfCheetahEnv, AntEnv, HumanoidEnv } = await import("../src/mujoco.js");
const { AsyncVectorEnv } = await import("../src/envs/vector/async-vector-env.js");
await initMujoco();
const MUJOCO: [string, () => Env<Float32Array, unknown>, number][] = [
  ["Hopper-v5", () => new HopperEnv(), 9_700],
  ["HalfCheetah-v5", () => new HalfCheetahEnv(), 26_000],
  ["Ant-v5", () => new AntEnv(), 3_400],
  ["Humanoid-v5", () => new HumanoidEnv(), 4_100],
];

/** Env steps per second over about SECONDS, `chunk` steps between clock reads. */
function mujocoSingle(env: Env<Float32Array, unknown>, actions: Float32Array[]): number {
  env.reset({ seed: 0 });
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let k = 0; k < 200; k++) {
      const r = env.step(actions[(steps + k) & (actions.length - 1)]);
      if (r.terminated || r.truncated) env.reset();
    }
    steps += 200;
    elapsed = performance.now() - t0;
  }
  env.close();
  return steps / (elapsed / 1000);
}

function mujocoAsync(id: string, actions: Float32Array[]): number {
  const vec = new AsyncVectorEnv([{ id }, { id }], { seed: 0 });
  const dim = actions[0].length;
  const batch = actions.map((_, i) => {
    const b = new Float32Array(2 * dim);
    b.set(actions[i], 0);
    b.set(actions[(i + 1) & (actions.length - 1)], dim);
    return b;
  });
  vec.reset();
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let k = 0; k < 100; k++) vec.step(batch[(calls + k) & (batch.length - 1)]);
    calls += 100;
    elapsed = performance.now() - t0;
  }
  vec.close();
  return (2 * calls) / (elapsed / 1000);
}

const k = (x: number) => `${(x / 1e3).toFixed(1)}k`.padStart(9);
console.log(`\nMuJoCo v5 env steps/s, random actions, best of ${REPEATS} runs of ~${SECONDS} s`);
console.log(
  `${"env".padEnd(26)}${"raw".padStart(9)}${"make".padStart(9)}${"async x2".padStart(10)}${"gymnasium".padStart(11)}${"make/gym".padStart(10)}${"async/make".padStart(11)}`,
);
for (const [id, raw, gym] of MUJOCO) {
  const probe = raw();
  const space = probe.actionSpace as import("../src/spaces/box.js").Box;
  probe.close();
  space.seed(0);
  const actions = Array.from({ length: 1024 }, () => space.sample());
  const r = best(() => mujocoSingle(raw(), actions));
  const m = best(() => mujocoSingle(make(id) as Env<Float32Array, unknown>, actions));
  const a = best(() => mujocoAsync(id, actions));
  console.log(
    `${id.padEnd(26)}${k(r)}${k(m)} ${k(a)}${k(gym).padStart(11)}${`${(m / gym).toFixed(2)}x`.padStart(10)}${`${(a / m).toFixed(2)}x`.padStart(11)}`,
  );
}

// Where a MuJoCo step's time goes: MuJoCo's own work (mj_step x frameSkip, then mj_rnePostConstraint, as env.step
// calls them) against env.step raw and through make. The three run the same trajectory (same start state, same
// actions, no termination) in alternating short rounds, so physics costs and load changes hit all three alike; the
// ratios are our JavaScript's overhead (action checks, observation, rewards, wrappers).
console.log("\nMuJoCo step split: us per env step (best of alternating rounds) and ratio to MuJoCo's own work");
console.log(
  `${"env".padEnd(26)}${"mujoco".padStart(9)}${"raw".padStart(9)}${"make".padStart(9)}${"raw/mj".padStart(9)}${"make/mj".padStart(9)}`,
);
const mjModule = await initMujoco(); // the module loaded above (loaded once)
for (const [id] of MUJOCO) {
  const opts = id === "HalfCheetah-v5" ? {} : { terminateWhenUnhealthy: false }; // HalfCheetah never terminates
  const made = make(id, opts) as Env<Float32Array, unknown>;
  const raw = made.unwrapped as InstanceType<typeof HopperEnv>; // any MujocoEnv: model, data, frameSkip
  const bareEnv = make(id, opts).unwrapped as InstanceType<typeof HopperEnv>;
  const ctrl = bareEnv.data.ctrl as unknown as Float64Array;
  const space = raw.actionSpace as import("../src/spaces/box.js").Box;
  space.seed(0);
  const n = 200;
  const actions = Array.from({ length: n }, () => space.sample());
  const bare = () => {
    for (let t = 0; t < n; t++) {
      ctrl.set(actions[t]);
      for (let k = 0; k < bareEnv.frameSkip; k++) mjModule.mj_step(bareEnv.model, bareEnv.data);
      mjModule.mj_rnePostConstraint(bareEnv.model, bareEnv.data);
    }
  };
  const stepping = (env: Env<Float32Array, unknown>) => () => {
    for (let t = 0; t < n; t++) env.step(actions[t]);
  };
  const loops = [bare, stepping(raw), stepping(made)];
  const starts = [bareEnv, raw, made];
  const bestUs = [Infinity, Infinity, Infinity];
  const rounds = Math.max(10, Math.round(SECONDS * 20));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 3; i++) {
      starts[i].reset({ seed: 0 });
      const t0 = performance.now();
      loops[i]();
      bestUs[i] = Math.min(bestUs[i], ((performance.now() - t0) * 1000) / n);
    }
  }
  const us = (x: number) => x.toFixed(1).padStart(9);
  const ratio = (x: number) => `${(x / bestUs[0]).toFixed(2)}x`.padStart(9);
  console.log(`${id.padEnd(26)}${us(bestUs[0])}${us(bestUs[1])}${us(bestUs[2])}${ratio(bestUs[1])}${ratio(bestUs[2])}`);
  made.close();
  bareEnv.close();
}
