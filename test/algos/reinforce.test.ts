import assert from "node:assert/strict";
import { test } from "node:test";
import { REINFORCE } from "../../src/algos/reinforce.js";
import type { Tensor } from "../../src/core/tensor.js";
import { Env, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/** One-step two-armed bandit: arm a pays means[a] plus uniform noise in [-0.5, 0.5]. */
class TwoArmedBandit extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private readonly obs = new Float32Array(1);
  constructor(readonly means: [number, number]) {
    super();
  }
  reset(opts?: { seed?: number }): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    return { observation: this.obs, info: {} };
  }
  step(action: number): StepResult<Float32Array> {
    const reward = this.means[action] + this.rng.uniform() - 0.5;
    return { observation: this.obs, reward, terminated: true, truncated: false, info: {} };
  }
}

test("REINFORCE's gradient estimate is unbiased on a two-armed bandit (with and without baseline)", async () => {
  const means: [number, number] = [1, 3];
  for (const baseline of [false, true]) {
    const n = 20000;
    const model = new REINFORCE(new TwoArmedBandit(means), {
      nSteps: n,
      learningRate: 0,
      baseline,
      seed: 3,
      policyKwargs: { netArch: { pi: [], vf: [] }, orthoInit: false },
    });
    const p = model.policy;
    // logits = bias only: pi = softmax([0.4, -0.2])
    for (const t of p.parameters()) t.data().fill(0);
    const bias = p.pi.layers[0].bias as Tensor;
    bias.set([0.4, -0.2]);
    await model.learn(n);
    const z = Math.exp(0.4) + Math.exp(-0.2);
    const pi = [Math.exp(0.4) / z, Math.exp(-0.2) / z];
    const j = pi[0] * means[0] + pi[1] * means[1];
    // exact gradient of J = sum_a pi_a mu_a w.r.t. logit j: pi_j (mu_j - J); the loss gradient is its negative
    for (let a = 0; a < 2; a++) {
      const exact = pi[a] * (means[a] - j);
      // the step's gradient stays in the parameter's .grad (learning rate 0: the step changed nothing)
      const estimate = -(bias.grad as Tensor).data()[a];
      // per-sample std is below ~2 here: 5 standard errors of the mean
      assert.ok(
        Math.abs(estimate - exact) < (5 * 2) / Math.sqrt(n),
        `baseline ${baseline}, arm ${a}: ${estimate} vs ${exact}`,
      );
    }
  }
});
