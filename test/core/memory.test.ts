import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gather, logSoftmax, mean, mulScalar, neg, square, sub } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { clipGradNorm } from "../../src/nn/clip-grad.js";
import { MLP } from "../../src/nn/mlp.js";
import { Adam } from "../../src/nn/optim/adam.js";

test("memory stays flat: 2,000 forward/backward/Adam steps inside scope() never grow the arena after warm-up", () => {
  const e = new Engine();
  const rng = new Rng(0);
  const actor = new MLP(e, rng, { inputSize: 4, hiddenSizes: [64, 64], outputSize: 2, outputGain: 0.01 });
  const critic = new MLP(e, rng, { inputSize: 4, hiddenSizes: [64, 64], outputSize: 1 });
  const params = [...actor.parameters(), ...critic.parameters()];
  const opt = new Adam(params, { lr: 3e-4, eps: 1e-5 });
  const batch = 64;
  const obs = new Float32Array(batch * 4).map(() => rng.normal());
  const actions = new Int32Array(batch).map(() => rng.int(2));
  const returns = new Float32Array(batch).map(() => rng.normal());
  const step = () =>
    e.scope(() => {
      opt.zeroGrad();
      const x = e.tensor(obs, [batch, 4]);
      const logp = gather(logSoftmax(actor.forward(x)), actions);
      const v = critic.forward(x);
      const vLoss = mean(square(sub(v, e.tensor(returns, [batch, 1]))));
      const loss = sub(mulScalar(vLoss, 0.5), mean(logp));
      e.backward(neg(neg(loss)));
      clipGradNorm(params, 0.5);
      opt.step();
      return loss.item();
    });
  for (let i = 0; i < 10; i++) step();
  const used = e.arena.usedBytes;
  const peak = e.arena.peakUsedBytes;
  const capacity = e.arena.capacityBytes;
  const tape = e.tapeLength;
  let last = 0;
  for (let i = 0; i < 2000; i++) last = step();
  assert.ok(Number.isFinite(last));
  assert.equal(e.arena.usedBytes, used, "nothing leaks out of the scope");
  assert.equal(e.arena.peakUsedBytes, peak, "the per-step high-water mark is constant");
  assert.equal(e.arena.capacityBytes, capacity, "the memory never grows");
  assert.equal(e.tapeLength, tape);
});
