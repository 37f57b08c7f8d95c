import assert from "node:assert/strict";
import { test } from "node:test";
import { A2C } from "../../src/algos/a2c.js";
import type { EnvStateSnapshot } from "../../src/algos/common/algorithm.js";
import type { OnPolicyAlgorithm, OnPolicyConfig } from "../../src/algos/common/on-policy.js";
import { PPO } from "../../src/algos/ppo.js";
import { REINFORCE } from "../../src/algos/reinforce.js";
import { TRPO } from "../../src/algos/trpo.js";
import { Rng } from "../../src/core/rng.js";
import { Env, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/** A noisy 1-D walk whose whole state can be saved, so a resumed run can be compared bit for bit. */
class Walk extends Env<Float32Array, number | Float32Array> {
  readonly observationSpace = new Box(-10, 10, [2]);
  readonly actionSpace: Discrete | Box;
  private readonly obs = new Float32Array(2);
  private pos = 0;
  private t = 0;
  private noise = new Rng(0);
  constructor(continuous: boolean) {
    super();
    this.actionSpace = continuous ? new Box(-1, 1, [1]) : new Discrete(2);
  }
  reset(opts?: { seed?: number }): ResetResult<Float32Array> {
    if (opts?.seed !== undefined) this.noise = new Rng(opts.seed);
    this.pos = this.noise.uniformRange(-1, 1);
    this.t = 0;
    return { observation: this.write(), info: {} };
  }
  step(action: number | Float32Array): StepResult<Float32Array> {
    const a = typeof action === "number" ? action * 2 - 1 : action[0];
    this.pos += 0.2 * a + 0.05 * this.noise.normal();
    this.t++;
    const terminated = Math.abs(this.pos) > 3;
    return {
      observation: this.write(),
      reward: 1 - Math.abs(this.pos),
      terminated,
      truncated: !terminated && this.t >= 25,
      info: {},
    };
  }
  private write(): Float32Array {
    this.obs[0] = this.pos;
    this.obs[1] = 5 + this.t; // an offset the observation normalizer has to learn
    return this.obs;
  }
  snapshot(): EnvStateSnapshot {
    const s = this.noise.getState().s;
    return { json: { pos: this.pos, t: this.t }, arrays: { rng: Float64Array.from(s) } };
  }
  prepareRestore(state: EnvStateSnapshot): () => void {
    const j = state.json as { pos: number; t: number };
    const s = Array.from(state.arrays.rng) as [number, number, number, number];
    return () => {
      this.pos = j.pos;
      this.t = j.t;
      this.noise.setState({ algorithm: "xoshiro128**", s });
    };
  }
  restore(state: EnvStateSnapshot): void {
    this.prepareRestore(state)();
  }
}

type Ctor = new (
  env: Walk,
  config: Partial<OnPolicyConfig> & Record<string, unknown>,
) => OnPolicyAlgorithm<OnPolicyConfig>;
const cases: [string, Ctor, Record<string, unknown>][] = [
  [
    "PPO",
    PPO as unknown as Ctor,
    { nSteps: 32, batchSize: 16, nEpochs: 2, learningRate: { schedule: "linear", start: 1e-3, end: 0 } },
  ],
  ["A2C", A2C as unknown as Ctor, { nSteps: 8 }],
  ["TRPO", TRPO as unknown as Ctor, { nSteps: 32, batchSize: 16, nCriticUpdates: 2 }],
  ["REINFORCE", REINFORCE as unknown as Ctor, { nSteps: 32 }],
  ["PPO with gSDE", PPO as unknown as Ctor, { nSteps: 32, batchSize: 16, nEpochs: 2, useSde: true, sdeSampleFreq: 4 }],
];

for (const [name, Cls, extra] of cases) {
  for (const continuous of extra.useSde ? [true] : [false, true]) {
    test(`${name} (${continuous ? "Box" : "Discrete"} actions): save, load and resume is bit for bit, normalizer statistics included`, async () => {
      const config = { seed: 5, normalizeObs: true, normalizeReward: true, ...extra };
      const straight = new Cls(new Walk(continuous), config);
      await straight.learn(256);
      const first = new Cls(new Walk(continuous), config);
      await first.learn(256, { callbacks: [{ onRolloutStart: (ctx) => ctx.numTimesteps < 128 }] });
      const bytes = first.toBytes();
      const loaded = (
        Cls as unknown as { fromBytes(b: Uint8Array, o: { env: Walk }): OnPolicyAlgorithm<OnPolicyConfig> }
      ).fromBytes(bytes, {
        env: new Walk(continuous),
      });
      assert.deepEqual(loaded.normalizer.getState(), first.normalizer.getState());
      const probe = new Float32Array([0.3, 9]);
      assert.deepEqual(loaded.predict(probe, { deterministic: true }), first.predict(probe, { deterministic: true }));
      await loaded.learn(loaded.totalTimesteps - loaded.numTimesteps, { resetNumTimesteps: false });
      assert.equal(loaded.numTimesteps, straight.numTimesteps);
      const params = (m: OnPolicyAlgorithm<OnPolicyConfig>) => m.policy.parameters().map((t) => Array.from(t.data()));
      assert.deepEqual(params(loaded), params(straight));
      // optimizer moments are saved per named tensor too: the two runs' checkpoints are equal tensor for tensor
      const a = loaded.getCheckpoint().tensors;
      const b = straight.getCheckpoint().tensors;
      assert.ok("policy.pi.0.weight" in a && Object.keys(a).some((k) => k.startsWith("optimizer.policy.vf.")));
      for (const k of Object.keys(b)) if (!k.startsWith("env/")) assert.deepEqual(a[k], b[k], k);
      assert.deepEqual(loaded.normalizer.getState(), straight.normalizer.getState());
    });
  }
}
