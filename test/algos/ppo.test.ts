import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeInPlace } from "../../src/algos/common/normalize-advantages.js";
import { PPO, ppoLoss } from "../../src/algos/ppo.js";
import { Engine } from "../../src/core/engine.js";
import type { Tensor } from "../../src/core/tensor.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";
import { InvalidArgumentError } from "../../src/errors.js";

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Three rows worked by hand with clipRange 0.2, vfCoef 0.5:
//   row 0: r = 2,      A = 1  -> min(2, 1.2) = 1.2 (clipped: no gradient), |r - 1| > 0.2 counts as clipped
//   row 1: r = 0.9,    A = -2 -> min(-1.8, -1.8) = -1.8, d/dlogpi = -r A / 3 = 0.6
//   row 2: r = e^-0.5, A = -1 -> min(-0.6065, -0.8) = -0.8 (clipped: no gradient), clipped
//   L_clip = -(1.2 - 1.8 - 0.8) / 3 = 1.4 / 3
//   approx KL = mean(r - 1 - log r) = (1 - ln 2 + (-0.1 - ln 0.9) + (e^-0.5 - 0.5)) / 3
//   values [1, 2, 3], returns [1.5, 2, 2]: L_vf = (0.25 + 0 + 1) / 3; dL/dV = 0.5 * 2 * err / 3
const logProb = [0, Math.log(0.9), -0.5];
const oldLogProb = [Math.log(0.5), 0, 0];
const adv = [1, -2, -1];
const values = [1, 2, 3];
const returns = [1.5, 2, 2];

/** The PPO loss on a float64 engine, with d loss / d log pi and d loss / d V read from backward(). */
function evalLoss(oldValues: number[], clipRangeVf: number | null, entCoef = 0) {
  const e = new Engine({ dtype: "float64", kernels: "ts" });
  return e.scope(() => {
    const t = (x: number[], requiresGrad = false) => e.tensor(x, [x.length], { requiresGrad });
    const lp = t(logProb, true);
    const v = t(values, true);
    const entropy = t([0.5, 1, 1.5], true);
    const l = ppoLoss(
      {
        logProb: lp,
        oldLogProb: t(oldLogProb),
        advantages: t(adv),
        values: v,
        oldValues: t(oldValues),
        returns: t(returns),
        entropy,
      },
      0.2,
      clipRangeVf,
      0.5,
      entCoef,
    );
    e.backward(l.loss);
    const grad = (x: Tensor) => Array.from((x.grad as Tensor).data());
    return {
      loss: l.loss.item(),
      policyLoss: l.policyLoss.item(),
      valueLoss: l.valueLoss.item(),
      ratio: Array.from(l.ratio.data()),
      gLp: grad(lp),
      gV: grad(v),
      gH: grad(entropy),
    };
  });
}

test("PPO clipped surrogate and value loss match the hand-computed minibatch, gradients by backward()", () => {
  const l = evalLoss(values, null);
  near(l.policyLoss, 1.4 / 3);
  near(l.valueLoss, 1.25 / 3);
  near(l.loss, 1.4 / 3 + 0.5 * (1.25 / 3));
  assert.deepEqual(
    l.gLp.map((x) => +x.toFixed(12)),
    [0, 0.6, 0],
  );
  near(l.gV[0], -1 / 6);
  near(l.gV[1], 0);
  near(l.gV[2], 1 / 3);
  near(l.ratio[0], 2);
  // L = ... - entCoef mean(H): dL/dH_b = -entCoef / B
  for (const g of evalLoss(values, null, 0.3).gH) near(g, -0.1);
});

test("PPO value clipping takes the larger of the clipped and unclipped errors", () => {
  // old values [0.8, 2.5, 3], clip 0.1:
  //   row 0: V - V_old = 0.2 -> V_clip = 0.9, err^2 = 0.36 > 0.25: clipped branch, outside the clip: no gradient
  //   row 1: -0.5 -> V_clip = 2.4, 0.16 > 0: clipped branch, no gradient
  //   row 2: 0 -> V_clip = 3, both 1: gradient 0.5 * 2 * 1 / 3
  const l = evalLoss([0.8, 2.5, 3], 0.1);
  near(l.valueLoss, (0.36 + 0.16 + 1) / 3);
  assert.deepEqual(l.gV, [0, 0, 1 / 3]);
});

test("per-minibatch advantage normalization gives zero mean and unit sample std", () => {
  const x = new Float64Array([1, 2, 3, 10]);
  normalizeInPlace(x, 4);
  const mean = x.reduce((a, b) => a + b) / 4;
  const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  near(mean, 0, 1e-12);
  near(std, 1, 1e-6);
});

test("a minibatch larger than a rollout is refused by learn, yet such a model loads onto one env for evaluation", async () => {
  const vec = () => makeVec("CartPole-v1", 4, { autoresetMode: "same-step", seed: 0 });
  const model = await new PPO(vec(), { nSteps: 16, batchSize: 64, nEpochs: 1, seed: 0 }).learn(64);
  const single = PPO.fromBytes(model.toBytes(), { env: make("CartPole-v1"), restoreEnvState: false });
  const obs = make<Float32Array, number>("CartPole-v1").reset({ seed: 0 }).observation;
  assert.deepEqual(single.predict(obs, { deterministic: true }), model.predict(obs, { deterministic: true }));
  await assert.rejects(
    single.learn(64),
    (e: unknown) =>
      e instanceof InvalidArgumentError && /batchSize must be at most nSteps \* nEnvs = 16, got 64/.test(String(e)),
  );
});

test("maxGradNorm null switches gradient clipping off (as a bound never reached does), and is checked", async () => {
  const train = async (maxGradNorm: number | null) => {
    const vec = makeVec("CartPole-v1", 2, { autoresetMode: "same-step", seed: 0 });
    return new PPO(vec, { nSteps: 16, batchSize: 16, nEpochs: 2, seed: 0, maxGradNorm }).learn(64);
  };
  const params = (m: { policy: { parameters(): Tensor[] } }) => m.policy.parameters().map((t) => Array.from(t.data()));
  const off = await train(null);
  assert.deepEqual(params(off), params(await train(1e9)));
  assert.notDeepEqual(params(off), params(await train(1e-3)), "a bound that is reached changes the result");
  const model = PPO.fromBytes(off.toBytes(), { env: make("CartPole-v1"), restoreEnvState: false });
  assert.equal(model.config.maxGradNorm, null, "null survives save and load");
  for (const bad of [Number.NaN, -1, "0.5"]) {
    assert.throws(
      () => new PPO(make("CartPole-v1"), { maxGradNorm: bad as number }),
      (e: unknown) =>
        e instanceof InvalidArgumentError &&
        /maxGradNorm \(null: no clipping\) must be a number >= 0, got/.test(String(e)),
    );
  }
});
