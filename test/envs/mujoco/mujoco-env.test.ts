// The MuJoCo envs as envs: checkEnv, make/makeVec/wrappers, state round trips, typed errors for bad input, memory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  canSnapshot,
  checkEnv,
  EnvError,
  InvalidArgumentError,
  make,
  makeVec,
  NormalizeObservation,
} from "../../../src/index.js";
import { HopperEnv, initMujoco, MUJOCO_REGISTRATIONS, type MujocoEnv, registerModelFile } from "../../../src/mujoco.js";

before(async () => {
  await initMujoco();
});

for (const { id } of MUJOCO_REGISTRATIONS) {
  test(`${id}: checkEnv passes (spaces, seeding determinism, render modes)`, () => {
    const env = make(id, { disableEnvChecker: true });
    const warnings = checkEnv(env);
    assert.ok(
      warnings.every((w) => !/observation|determin/i.test(w)),
      warnings.join("\n"),
    );
    env.close();
  });
}

test("same seed, same episode bit for bit; getState/setState round trip resumes exactly", () => {
  const a = make<Float32Array, Float32Array>("Hopper-v5");
  const b = make<Float32Array, Float32Array>("Hopper-v5");
  a.reset({ seed: 3 });
  b.reset({ seed: 3 });
  a.actionSpace.seed(1);
  const action = new Float32Array(3);
  for (let i = 0; i < 10; i++) {
    a.actionSpace.sample(action);
    assert.deepEqual(a.step(action).observation, b.step(action).observation);
  }
  const rawA = a.unwrapped as MujocoEnv;
  const rawB = b.unwrapped as MujocoEnv;
  const state = rawA.getState();
  rawB.setState(state);
  assert.deepEqual(rawB.getState(), state);
  action.fill(0.3);
  assert.deepEqual(a.step(action).observation, b.step(action).observation);
  a.close();
  b.close();
});

test("bad input: typed errors naming the argument and what was expected", () => {
  const env = make<Float32Array, ArrayLike<number>>("Hopper-v5");
  const raw = env.unwrapped as MujocoEnv;
  assert.throws(() => raw.step([0, 0, 0]), /before reset/);
  env.reset({ seed: 0 });
  assert.throws(
    () => raw.step([0, 0]),
    (e: Error) => e instanceof EnvError && /array of 3 numbers/.test(e.message),
  );
  assert.throws(
    () => raw.step([0, Number.NaN, 0]),
    (e: Error) => e instanceof EnvError && /action\[1\]/.test(e.message),
  );
  assert.throws(
    () => raw.setState(new Float64Array(5)),
    (e: Error) =>
      e instanceof InvalidArgumentError && /setState: expected MuJoCo's integration state, 58 numbers/.test(e.message),
  );
  assert.throws(() => make("Hopper-v5", { frameSkip: 0 }), /frameSkip must be a positive integer, got 0/);
  assert.throws(() => make("Hopper-v5", { healthyZRange: [1, 0] }), /healthyZRange must be a range/);
  assert.throws(() => make("Hopper-v5", { ctrlCostWeigth: 1 }), /unknown option "ctrlCostWeigth"/);
  env.close();
  assert.throws(() => raw.step([0, 0, 0]), /closed/);
});

test("model files: a missing file and malformed MJCF are errors carrying MuJoCo's message", () => {
  assert.throws(
    () => make("Hopper-v5", { xmlFile: "/no/such/hopper.xml" }),
    (e: Error) => e instanceof InvalidArgumentError && /cannot read xmlFile "\/no\/such\/hopper.xml"/.test(e.message),
  );
  registerModelFile("broken.xml", "<mujoco><worldbody><body></mujoco>");
  assert.throws(
    () => make("Hopper-v5", { xmlFile: "broken.xml" }),
    (e: Error) =>
      e instanceof InvalidArgumentError && /MuJoCo cannot load xmlFile "broken.xml".*XML parse error/s.test(e.message),
  );
  registerModelFile(
    "no-hinge.xml",
    '<mujoco><worldbody><geom type="plane" size="1 1 1" bad="1"/></worldbody></mujoco>',
  );
  assert.throws(() => make("Hopper-v5", { xmlFile: "no-hinge.xml" }), /unrecognized attribute: 'bad'/);
});

test("a user's own MJCF through xmlFile (registered text, or a path in Node) builds the env with its spaces", () => {
  const path = new URL("../../../assets/mujoco/hopper.xml", import.meta.url);
  const xml = readFileSync(path, "utf8").replaceAll('ctrlrange="-1.0 1.0"', 'ctrlrange="-0.5 0.5"');
  registerModelFile("weak-hopper.xml", xml);
  const hopper = new HopperEnv({ xmlFile: "weak-hopper.xml", frameSkip: 2 });
  assert.equal(hopper.dt, 0.004);
  assert.deepEqual([...hopper.actionSpace.high], [0.5, 0.5, 0.5]);
  hopper.close();
  const fromPath = make("Hopper-v5", { xmlFile: fileURLToPath(path) });
  assert.deepEqual([...(fromPath.actionSpace as HopperEnv["actionSpace"]).high], [1, 1, 1]);
  fromPath.close();
});

test("wrappers and SyncVectorEnv work on a MuJoCo env", () => {
  const env = new NormalizeObservation(make<Float32Array, Float32Array>("HalfCheetah-v5"));
  env.reset({ seed: 0 });
  const r = env.step(new Float32Array(6).fill(0.1));
  assert.equal(r.observation.length, 17);
  env.close();
  const vec = makeVec("Swimmer-v5", 2, { seed: 0 });
  vec.reset();
  const out = vec.step(new Float32Array(4));
  assert.equal(out.observations.length, 16);
  vec.close();
});

test("snapshot/restore through make resumes bit for bit (Ant: its reward reads positions of the step before)", () => {
  const a = make<Float32Array, Float32Array>("Ant-v5");
  a.reset({ seed: 1 });
  a.actionSpace.seed(2);
  const actions = Array.from({ length: 30 }, () => a.actionSpace.sample());
  for (let t = 0; t < 20; t++) a.step(actions[t]);
  const sa: unknown = a;
  assert.ok(canSnapshot(sa));
  const snap = sa.snapshot();
  const b = make<Float32Array, Float32Array>("Ant-v5");
  const sb: unknown = b;
  assert.ok(canSnapshot(sb));
  sb.restore(snap);
  for (let t = 20; t < 30; t++) {
    const ra = a.step(actions[t]);
    const obsA = Float32Array.from(ra.observation);
    const rewardA = ra.reward;
    const rb = b.step(actions[t]);
    assert.deepEqual(rb.observation, obsA);
    assert.equal(rb.reward, rewardA);
  }
  // wrappers nest the env's arrays under a prefix
  const xposKey = Object.keys(snap.arrays).find((k) => /(^|\W)xpos$/.test(k)) as string;
  const broken = { json: snap.json, arrays: { ...snap.arrays, [xposKey]: new Float64Array(3) } };
  assert.throws(() => sb.restore(broken), /xpos/);
  a.close();
  b.close();
});
