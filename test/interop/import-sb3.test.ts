import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { DQN, PPO } from "../../src/algos/index.js";
import type { Tensor } from "../../src/core/tensor.js";
import { make } from "../../src/envs/index.js";
import { Sb3ImportError } from "../../src/errors.js";
import { importSb3, readSb3Model } from "../../src/interop/import-sb3.js";

const DIR = new URL("../fixtures/sb3/", import.meta.url);
const TOL = 1e-5;

interface Recorded {
  observations: number[][];
  outputs: {
    action: (number | number[])[];
    logits?: number[][];
    mean?: number[][];
    std?: number[][];
    value?: number[];
    q_values?: number[][];
  };
}

function fixture(name: string): { zip: Uint8Array; rec: Recorded } {
  return {
    zip: new Uint8Array(readFileSync(new URL(`${name}.zip`, DIR))),
    rec: JSON.parse(readFileSync(new URL(`${name}.json`, DIR), "utf8")) as Recorded,
  };
}

function close(got: ArrayLike<number>, want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) <= TOL * Math.max(1, Math.abs(want[i])),
      `${what}[${i}]: ${got[i]} vs ${want[i]}`,
    );
  }
}

/** predict's result as a plain list (a number for a single observation, an array for a batch). */
const list = (a: number | ArrayLike<number>): number[] => (typeof a === "number" ? [a] : Array.from(a));

const logSoftmax = (row: readonly number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};

/**
 * The policy outputs SB3 recorded, read from tsrl's actor-critic policy (the one place that knows its API):
 * normalised logits or means, log-stds, state values.
 */
function onPolicyOutputs(model: Algorithm, obs: Float32Array, batch: number) {
  const policy = (model as OnPolicyAlgorithm<OnPolicyConfig>).policy;
  const engine = policy.engine;
  // the distribution's head rows: logits (Categorical) or means and log-stds (DiagGaussian)
  const out = engine.scope(() => {
    const x = policy.observations(obs, batch);
    const dist = policy.distribution(x);
    const head = "logits" in dist ? dist.logits : dist.mean;
    const logStd = "logStd" in dist ? (dist as { logStd: Tensor }).logStd.toArray() : [];
    return { values: policy.predictValues(x).toArray(), head: head.toArray(), logStd };
  });
  const h = policy.headSize;
  const d = out.logStd.length === h ? 0 : h; // a state-independent log-std [dim] is shared by every row
  return {
    values: out.values,
    head: (b: number) => out.head.slice(b * h, (b + 1) * h),
    logStd: (b: number) => out.logStd.slice(b * d, b * d + h),
  };
}

for (const name of ["ppo-CartPole-v1", "a2c-Acrobot-v1", "ppo-Pendulum-v1"]) {
  test(`${name}: imported without executing its pickles, every output matches SB3's within 1e-5`, async () => {
    const { zip, rec } = fixture(name);
    const model = await importSb3(zip);
    const B = rec.observations.length;
    const obs = Float32Array.from(rec.observations.flat());
    const { values, head: headOf, logStd } = onPolicyOutputs(model, obs, B);
    close(values, rec.outputs.value ?? [], "value");
    for (let b = 0; b < B; b++) {
      const head = headOf(b);
      if (rec.outputs.logits) close(logSoftmax(head), logSoftmax(rec.outputs.logits[b]), `logits row ${b}`);
      if (rec.outputs.mean) close(head, rec.outputs.mean[b], `mean row ${b}`);
      if (rec.outputs.std) close(logStd(b).map(Math.exp), rec.outputs.std[b], `std row ${b}`);
    }
    const actions = model.predict(obs, { deterministic: true });
    const want = rec.outputs.action.flat();
    if (rec.outputs.logits) assert.deepEqual(list(actions), want, "deterministic actions equal");
    else close(list(actions), want, "deterministic actions");
  });
}

test("dqn-CartPole-v1: Q-values within 1e-5 and greedy actions equal; online and target networks both imported", async () => {
  const { zip, rec } = fixture("dqn-CartPole-v1");
  const model = await importSb3(zip);
  assert.ok(model instanceof DQN);
  const obs = Float32Array.from(rec.observations.flat());
  const q = model.engine.scope(() =>
    model.qNet.forward(model.engine.tensor(obs, [rec.observations.length, 4])).toArray(),
  );
  close(q, (rec.outputs.q_values ?? []).flat(), "q_values");
  assert.deepEqual(list(model.predict(obs, { deterministic: true })), rec.outputs.action);
  const sb3 = await readSb3Model(zip);
  const target = sb3.policy.get("q_net_target.q_net.0.weight");
  const ours = model.getCheckpoint({ includeReplayBuffer: false }).tensors["q_net_target/hidden0.weight"];
  assert.deepEqual(Array.from(ours.data as Float32Array), Array.from(target?.data as Float32Array));
});

test("the data JSON gives spaces, architecture and hyperparameters; cloudpickled values are listed, not run", async () => {
  const ppo = await readSb3Model(fixture("ppo-CartPole-v1").zip);
  assert.equal(ppo.data.algorithm, "PPO");
  assert.equal(ppo.sb3Version, "2.4.1");
  assert.equal(String(ppo.data.observationSpace), String(make("CartPole-v1").observationSpace));
  assert.deepEqual(ppo.data.policy.netArch, { pi: [64, 64], vf: [64, 64] });
  assert.equal(ppo.data.hyperparameters.n_steps, 2048);
  assert.ok(ppo.data.notImported.includes("clip_range") && ppo.data.notImported.includes("lr_schedule"));
  const a2c = await readSb3Model(fixture("a2c-Acrobot-v1").zip);
  assert.equal(a2c.data.algorithm, "A2C");
  assert.equal(a2c.data.policy.optimizerClass, "RMSprop");
  assert.equal(a2c.data.policy.optimizerKwargs.eps, 1e-5);
  const dqn = await readSb3Model(fixture("dqn-CartPole-v1").zip);
  assert.equal(dqn.data.algorithm, "DQN");
  assert.equal(dqn.data.hyperparameters.target_update_interval, 10000);
});

test("an imported model keeps SB3's hyperparameters, continues training with an env, and round-trips a tsrl checkpoint", async () => {
  const { zip, rec } = fixture("ppo-CartPole-v1");
  const env = make("CartPole-v1");
  const model = (await importSb3(zip, { env, seed: 5 })) as PPO;
  assert.equal(model.config.nSteps, 2048);
  assert.equal(model.config.learningRate, 0.0003);
  const obs = Float32Array.from(rec.observations.flat());
  const before = list(model.predict(obs, { deterministic: true }));
  const bytes = model.toBytes();
  const again = PPO.fromBytes(bytes, { env: make("CartPole-v1") });
  assert.deepEqual(list(again.predict(obs, { deterministic: true })), before, "saved and loaded as tsrl");
  await model.learn(64);
  assert.equal(model.numTimesteps >= 64, true);
  const bare = await importSb3(zip);
  await assert.rejects(
    () => bare.learn(8),
    (e) => e instanceof Sb3ImportError && /pass \{ env \}/.test(e.message),
  );
});

test("an env whose spaces differ from the model's is refused naming both", async () => {
  await assert.rejects(
    () => importSb3(fixture("ppo-CartPole-v1").zip, { env: make("Acrobot-v1") }),
    (e) => e instanceof Sb3ImportError && /differ from the model's/.test(e.message),
  );
});
