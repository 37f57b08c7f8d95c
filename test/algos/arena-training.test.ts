// PPO trains in the policy's arena (gradients, clip and a fused Adam kernel there): it must compute what the
// float64 path (backward into policy.grads, clipGradNormFlat, FlatAdam) computes, exactly with the float64 "ts"
// kernels and to float32 precision with the default WebAssembly kernels.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ActionSpec,
  ActorCriticPolicy,
  type NetArch,
  type PolicyOptions,
} from "../../src/algos/common/actor-critic-policy.js";
import { clipGradNormFlat, FlatAdam, KernelAdam } from "../../src/algos/common/flat-optimizer.js";
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

test("clip and KernelAdam on the arena step exactly as clipGradNormFlat and FlatAdam (ts kernels)", () => {
  const s = twin(discrete, { netArch: separate, kernels: "ts" });
  const n = s.host.numParams;
  const flat = new FlatAdam(0, n, 3e-3, 1e-5);
  const fused = new KernelAdam(s.arena.backend.kernels, s.arena.arenaParams, s.arena.arenaGrads, n, 3e-3, 1e-5);
  for (let step = 0; step < 3; step++) {
    s.host.grads.fill(0);
    s.host.backward(s.actions, s.gLogProb, 0.05, s.gValue);
    const hostNorm = clipGradNormFlat(s.host.grads, 0, n, 0.5);
    flat.step(s.host.params, s.host.grads);
    s.host.markParamsChanged();
    s.arena.zeroArenaGrads();
    s.arena.backward(s.actions, s.gLogProb, 0.05, s.gValue, true);
    assert.equal(s.arena.clipArenaGradNorm(0.5), hostNorm);
    fused.step();
    s.arena.markArenaParamsChanged();
    // params reads the arena copy back
    assert.deepEqual(Array.from(s.arena.params), Array.from(s.host.params));
    const { m, v } = fused.stateArrays();
    assert.deepEqual(Array.from(m), Array.from(flat.m));
    assert.deepEqual(Array.from(v), Array.from(flat.v));
    const obs = Float32Array.from({ length: B * OBS }, (_, i) => Math.sin(i + step));
    assert.deepEqual(Array.from(s.arena.forward(obs, B)), Array.from(s.host.forward(obs, B)));
  }
  assert.equal(fused.stepCount, 3);
});

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
