// The on-policy algorithms train in the policy's arena (gradients, clip and a fused optimizer kernel there): this
// must compute what the float64 host path (backward into policy.grads, then textbook clip and optimizer steps written
// out below) computes, exactly with the float64 "ts" kernels and to float32 precision with the default kernels.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ActionSpec,
  ActorCriticPolicy,
  type NetArch,
  type PolicyOptions,
} from "../../src/algos/common/actor-critic-policy.js";
import { type ArenaOptimizer, KernelAdam, KernelRmsprop } from "../../src/algos/common/arena-optimizer.js";
import { Rng } from "../../src/core/rng.js";

const B = 6;
const OBS = 3;
const discrete: ActionSpec = { kind: "categorical", nvec: [3], start: [0] };
const box: ActionSpec = { kind: "gaussian", dim: 2, low: new Float32Array([-1, -1]), high: new Float32Array([1, 1]) };
const separate: NetArch = { pi: [4, 3], vf: [5] };

const cases: [string, ActionSpec, PolicyOptions][] = [
  ["categorical", discrete, { netArch: separate }],
  ["categorical, shared trunk", discrete, { netArch: [4, 3] }],
  ["gaussian", box, { netArch: separate, logStdInit: -0.3 }],
  ["gaussian with gSDE", box, { netArch: separate, logStdInit: -0.3, useSde: true }],
];

/** Two identical policies on one batch (forward done), with random weights large enough to exercise every term. */
function twin(spec: ActionSpec, options: PolicyOptions) {
  const make = () => {
    const rng = new Rng(7);
    const p = new ActorCriticPolicy(OBS, spec, rng, options);
    for (let i = 0; i < p.numParams; i++) p.params[i] += 0.3 * rng.normal();
    p.markParamsChanged();
    return p;
  };
  const host = make();
  const arena = make();
  const rng = new Rng(3);
  const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
  host.forward(obs, B);
  arena.forward(obs, B);
  const actions = host.sample(rng, new Float32Array(B * host.actDim));
  const gLogProb = Array.from({ length: B }, () => rng.normal());
  const gValue = Array.from({ length: B }, () => rng.normal());
  return { host, arena, actions, gLogProb, gValue };
}

function arenaGrads(p: ActorCriticPolicy): number[] {
  return Array.from(p.backend.arena.view.subarray(p.arenaGrads, p.arenaGrads + p.numParams));
}

for (const [name, spec, opts] of cases) {
  test(`${name}: arena backward equals the float64 backward bit for bit with the ts kernels`, () => {
    const s = twin(spec, { ...opts, kernels: "ts" });
    s.host.grads.fill(0);
    s.host.backward(s.actions, s.gLogProb, 0.05, s.gValue);
    s.arena.zeroArenaGrads();
    s.arena.backward(s.actions, s.gLogProb, 0.05, s.gValue, true);
    assert.deepEqual(arenaGrads(s.arena), Array.from(s.host.grads));
    assert.ok(s.host.grads.some((g) => g !== 0));
  });

  test(`${name}: arena backward matches the float64 backward with the default kernels`, () => {
    const s = twin(spec, opts);
    s.host.grads.fill(0);
    s.host.backward(s.actions, s.gLogProb, 0.05, s.gValue);
    s.arena.zeroArenaGrads();
    s.arena.backward(s.actions, s.gLogProb, 0.05, s.gValue, true);
    const got = arenaGrads(s.arena);
    s.host.grads.forEach((g, i) => {
      assert.ok(Math.abs(got[i] - g) <= 1e-6 * Math.max(1, Math.abs(g)), `grad ${i}: ${got[i]} vs ${g}`);
    });
  });
}

/** Scale g to global L2 norm at most maxNorm (torch's clip_grad_norm_); returns the norm before. */
function clipHost(g: Float64Array, maxNorm: number): number {
  let sq = 0;
  for (const x of g) sq += x * x;
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / (norm + 1e-6);
  return norm;
}

/** Textbook float64 optimizer steps on the host vector, with the state the arena optimizers report. */
function hostAdam(n: number, lr: number, eps: number) {
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  let t = 0;
  return {
    state: { m, v },
    step(p: Float64Array, g: Float64Array) {
      t++;
      // p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
      const stepSize = lr / (1 - 0.9 ** t);
      const sqrtC2 = Math.sqrt(1 - 0.999 ** t);
      for (let i = 0; i < n; i++) {
        m[i] = 0.9 * m[i] + (1 - 0.9) * g[i];
        v[i] = 0.999 * v[i] + (1 - 0.999) * g[i] * g[i];
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtC2 + eps);
      }
    },
  };
}

function hostRmsprop(n: number, lr: number, eps: number, tf: boolean) {
  const v = new Float64Array(n).fill(tf ? 1 : 0);
  return {
    state: { v },
    step(p: Float64Array, g: Float64Array) {
      for (let i = 0; i < n; i++) {
        v[i] = 0.99 * v[i] + (1 - 0.99) * g[i] * g[i];
        p[i] -= (lr * g[i]) / (tf ? Math.sqrt(v[i] + eps) : Math.sqrt(v[i]) + eps);
      }
    },
  };
}

for (const kind of ["adam", "rmsprop", "rmsprop-tf"] as const) {
  test(`clip and a ${kind} step in the arena equal the float64 host steps bit for bit (ts kernels)`, () => {
    const s = twin(discrete, { netArch: separate, kernels: "ts" });
    const n = s.host.numParams;
    const k = s.arena.backend.kernels;
    const lr = 3e-3;
    const host = kind === "adam" ? hostAdam(n, lr, 1e-5) : hostRmsprop(n, lr, 1e-5, kind === "rmsprop-tf");
    const fused: ArenaOptimizer =
      kind === "adam"
        ? new KernelAdam(k, s.arena.arenaParams, s.arena.arenaGrads, n, lr, 1e-5)
        : new KernelRmsprop(k, s.arena.arenaParams, s.arena.arenaGrads, n, lr, 0.99, 1e-5, kind === "rmsprop-tf");
    for (let step = 0; step < 3; step++) {
      s.host.grads.fill(0);
      s.host.backward(s.actions, s.gLogProb, 0.05, s.gValue);
      const hostNorm = clipHost(s.host.grads, 0.5);
      host.step(s.host.params, s.host.grads);
      s.host.markParamsChanged();
      s.arena.zeroArenaGrads();
      s.arena.backward(s.actions, s.gLogProb, 0.05, s.gValue, true);
      assert.equal(s.arena.clipArenaGradNorm(0.5), hostNorm);
      fused.step();
      s.arena.markArenaParamsChanged();
      // params reads the arena copy back
      assert.deepEqual(Array.from(s.arena.params), Array.from(s.host.params));
      const state = fused.stateArrays();
      for (const [name, arr] of Object.entries(host.state)) assert.deepEqual(Array.from(state[name]), Array.from(arr));
      const obs = Float32Array.from({ length: B * OBS }, (_, i) => Math.sin(i + step));
      assert.deepEqual(Array.from(s.arena.forward(obs, B)), Array.from(s.host.forward(obs, B)));
    }
    assert.equal(fused.stepCount, 3);
  });
}

test("writing params after arena training reaches the kernels (markParamsChanged wins over the arena copy)", () => {
  const s = twin(discrete, { netArch: separate });
  const fused = new KernelAdam(
    s.arena.backend.kernels,
    s.arena.arenaParams,
    s.arena.arenaGrads,
    s.arena.numParams,
    1e-2,
  );
  s.arena.zeroArenaGrads();
  s.arena.backward(s.actions, s.gLogProb, 0, s.gValue, true);
  fused.step();
  s.arena.markArenaParamsChanged();
  s.arena.params.set(s.host.params);
  s.arena.markParamsChanged();
  const obs = Float32Array.from({ length: B * OBS }, (_, i) => Math.cos(i));
  assert.deepEqual(Array.from(s.arena.forward(obs, B)), Array.from(s.host.forward(obs, B)));
});
