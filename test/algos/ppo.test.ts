import assert from "node:assert/strict";
import { test } from "node:test";
import { ActorCriticPolicy } from "../../src/algos/common/actor-critic-policy.js";
import { normalizeInPlace } from "../../src/algos/common/normalize-advantages.js";
import { PPO, ppoLossAndGrads } from "../../src/algos/ppo.js";
import "../../src/envs/builtin.js";
import { Rng } from "../../src/core/rng.js";
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

test("PPO clipped surrogate and value loss match the hand-computed minibatch", () => {
  const gLp = new Float64Array(3);
  const gV = new Float64Array(3);
  const l = ppoLossAndGrads(3, logProb, oldLogProb, adv, values, values, returns, 0.2, null, 0.5, gLp, gV);
  near(l.policyLoss, 1.4 / 3);
  near(l.valueLoss, 1.25 / 3);
  near(l.approxKl, (1 - Math.LN2 + (-0.1 - Math.log(0.9)) + (Math.exp(-0.5) - 0.5)) / 3);
  near(l.clipFraction, 2 / 3);
  assert.deepEqual(
    Array.from(gLp, (x) => +x.toFixed(12)),
    [0, 0.6, 0],
  );
  near(gV[0], -1 / 6);
  near(gV[1], 0);
  near(gV[2], 1 / 3);
});

test("PPO value clipping takes the larger of the clipped and unclipped errors", () => {
  // old values [0.8, 2.5, 3], clip 0.1:
  //   row 0: V - V_old = 0.2 -> V_clip = 0.9, err^2 = 0.36 > 0.25: clipped branch, outside the clip: no gradient
  //   row 1: -0.5 -> V_clip = 2.4, 0.16 > 0: clipped branch, no gradient
  //   row 2: 0 -> V_clip = 3, both 1: unclipped branch, gradient 0.5 * 2 * 1 / 3
  const gLp = new Float64Array(3);
  const gV = new Float64Array(3);
  const l = ppoLossAndGrads(3, logProb, oldLogProb, adv, values, [0.8, 2.5, 3], returns, 0.2, 0.1, 0.5, gLp, gV);
  near(l.valueLoss, (0.36 + 0.16 + 1) / 3);
  assert.deepEqual(Array.from(gV), [0, 0, 1 / 3]);
});

test("PPO total loss gradient through the policy matches central differences", () => {
  const rng = new Rng(4);
  const policy = new ActorCriticPolicy(3, { kind: "categorical", nvec: [3], start: [0] }, rng, {
    netArch: { pi: [5], vf: [4] },
    kernels: "ts",
  });
  for (let i = 0; i < policy.numParams; i++) policy.params[i] += 0.5 * rng.normal();
  policy.markParamsChanged();
  const B = 6;
  const obs = Float32Array.from({ length: B * 3 }, () => rng.normal());
  policy.forward(obs, B);
  const actions = policy.sample(rng, new Float32Array(B));
  const old = Float64Array.from(policy.logProb(actions), (x) => x + 0.3 * rng.normal());
  const oldV = Float64Array.from(policy.predictValues(obs, B));
  const advs = Float64Array.from({ length: B }, () => rng.normal());
  normalizeInPlace(advs, B);
  const rets = Float64Array.from({ length: B }, () => rng.normal());
  const [clip, clipVf, vfCoef, entCoef] = [0.2, 0.3, 0.5, 0.01];
  const gLp = new Float64Array(B);
  const gV = new Float64Array(B);
  const loss = () => {
    policy.markParamsChanged();
    const v = policy.forward(obs, B);
    const lp = policy.logProb(actions);
    const h = policy.entropy();
    const l = ppoLossAndGrads(B, lp, old, advs, v, oldV, rets, clip, clipVf, vfCoef, gLp, gV);
    let ent = 0;
    for (let b = 0; b < B; b++) ent += h[b];
    return l.policyLoss + vfCoef * l.valueLoss - (entCoef * ent) / B;
  };
  loss();
  policy.grads.fill(0);
  policy.backward(actions, gLp, -entCoef / B, gV);
  const analytic = Float64Array.from(policy.grads);
  for (let i = 0; i < policy.numParams; i++) {
    const keep = policy.params[i];
    policy.params[i] = keep + 1e-6;
    const up = loss();
    policy.params[i] = keep - 1e-6;
    const down = loss();
    policy.params[i] = keep;
    near(analytic[i], (up - down) / 2e-6, 1e-7);
  }
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
