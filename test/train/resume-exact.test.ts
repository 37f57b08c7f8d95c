// Resume is exact for the real algorithms: training N steps, saving, loading and training N more gives the same
// bits as training 2N straight. The env is the test-only DriftVectorEnv, which snapshots its complete state, so
// the test checks that each algorithm's own checkpoint state (parameters, optimizer moments, normalizers, replay
// buffer, counters, RNG streams) is complete.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import { A2C, DQN, PPO } from "../../src/algos/index.js";
import { DriftVectorEnv } from "../algos/algorithm-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-resume-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every tensor of the model's checkpoint (parameters, optimizer state, normalizers, buffers), as bytes. */
function stateBytes(m: Algorithm): Map<string, string> {
  const { tensors } = m.getCheckpoint();
  const out = new Map<string, string>();
  for (const [k, t] of Object.entries(tensors)) {
    out.set(k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("base64"));
  }
  return out;
}

type Make = () => Algorithm;

/**
 * "split": learn(half), save, load, learn(half more): equal to learn(2 half) when nothing depends on the target
 * of the learn call. "interrupted": learn(2 half) stopped at half by a callback, save, load, continue to the
 * target: equal even with schedules annealed over the run (learning rate, DQN's epsilon), which is what resuming
 * a crashed run does.
 */
async function checkResume(name: string, make: Make, half: number, mode: "split" | "interrupted"): Promise<void> {
  const straight = await make().learn(2 * half);
  const first =
    mode === "split"
      ? await make().learn(half)
      : await make().learn(2 * half, { callbacks: [{ onRolloutStart: (ctx) => ctx.numTimesteps < half }] });
  assert.ok(first.numTimesteps >= half && first.numTimesteps < straight.numTimesteps);
  const path = join(dir, `${name}.safetensors`);
  await first.save(path);
  const ctor = first.constructor as unknown as { load(p: string, o: { env: DriftVectorEnv }): Promise<Algorithm> };
  const resumed = await ctor.load(path, { env: new DriftVectorEnv(first.numEnvs) });
  await resumed.learn(straight.numTimesteps - resumed.numTimesteps, { resetNumTimesteps: false });
  assert.equal(resumed.numTimesteps, straight.numTimesteps);
  const a = stateBytes(straight);
  const b = stateBytes(resumed);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [k, v] of a) assert.equal(b.get(k), v, `${name}: tensor ${k} differs after resume`);
  const ja = straight.getCheckpoint().meta;
  const jb = resumed.getCheckpoint().meta;
  assert.deepEqual(jb.algorithmState, ja.algorithmState);
  assert.deepEqual(jb.rng, ja.rng);
  assert.deepEqual(jb.counters, ja.counters);
}

test("PPO resumes bit for bit (with observation and reward normalization)", async () => {
  const make = () =>
    new PPO(new DriftVectorEnv(2), {
      seed: 3,
      nSteps: 32,
      batchSize: 16,
      nEpochs: 2,
      normalizeObs: true,
      normalizeReward: true,
      policyKwargs: { netArch: [8] },
    });
  await checkResume("ppo-split", make, 640, "split");
  await checkResume("ppo-interrupted", make, 640, "interrupted");
});

test("DQN resumes bit for bit (replay buffer, target network, exploration schedule)", async () => {
  const make = () =>
    new DQN(new DriftVectorEnv(1), {
      seed: 5,
      bufferSize: 500,
      learningStarts: 50,
      batchSize: 16,
      trainFreq: 4,
      targetUpdateInterval: 40,
      explorationFraction: 0.5,
      learningRate: { schedule: "linear", start: 1e-3, end: 1e-4 },
      netArch: [8],
    });
  await checkResume("dqn", make, 400, "interrupted");
});

test("A2C resumes bit for bit (annealed learning rate)", async () => {
  const make = () =>
    new A2C(new DriftVectorEnv(2), {
      seed: 1,
      nSteps: 5,
      learningRate: { schedule: "linear", start: 7e-4, end: 0 },
      policyKwargs: { netArch: [8] },
    });
  await checkResume("a2c", make, 300, "interrupted");
});
