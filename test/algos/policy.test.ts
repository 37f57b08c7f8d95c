import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ActionSpec,
  ActorCriticPolicy,
  type PolicyActions,
  type PolicyOptions,
} from "../../src/algos/common/actor-critic-policy.js";
import { add, mul, mulScalar, sum } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { InvalidArgumentError } from "../../src/errors.js";

const B = 5;
const OBS = 3;
const specs: Record<string, ActionSpec> = {
  discrete: { kind: "categorical", nvec: [3], start: [0] },
  box: { kind: "gaussian", dim: 2, low: new Float32Array([-1, -1]), high: new Float32Array([1, 1]) },
};

function setup(spec: ActionSpec, options: PolicyOptions = {}) {
  const rng = new Rng(1);
  const policy = new ActorCriticPolicy(OBS, spec, rng, {
    netArch: { pi: [4, 3], vf: [5] },
    logStdInit: -0.3,
    kernels: "ts",
    ...options,
  });
  // larger random weights than the 0.01 head gain, so the check exercises every term
  for (const p of policy.parameters()) {
    const v = p.data();
    for (let i = 0; i < v.length; i++) v[i] += 0.3 * rng.normal();
  }
  const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
  const actions = policy.makeActions(B);
  policy.engine.scope(() => policy.forward(policy.observations(obs, B), rng, actions));
  const gLogProb = Float64Array.from({ length: B }, () => rng.normal());
  const gValue = Float64Array.from({ length: B }, () => rng.normal());
  return { policy, obs, actions, gLogProb, gValue, rng };
}

/** sum_b [gLogProb_b log pi(a_b|s_b) + gEnt H_b + gValue_b V(s_b)] from evaluateActions, with its gradient when asked. */
function objective(s: ReturnType<typeof setup>, gEnt: number, withGrad: boolean): number {
  const { policy } = s;
  const e = policy.engine;
  return e.scope(() => {
    const r = policy.evaluateActions(policy.observations(s.obs, B), s.actions as PolicyActions);
    const weighted = (w: Float64Array, t: Tensor) => sum(mul(e.tensor(w, [B]), t));
    const total = add(
      add(weighted(s.gLogProb, r.logProb), mulScalar(sum(r.entropy), gEnt)),
      weighted(s.gValue, r.values),
    );
    if (withGrad) {
      for (const p of policy.parameters()) (p.grad as Tensor).data().fill(0);
      e.backward(total);
    }
    return total.item();
  });
}

const variants: [string, ActionSpec, PolicyOptions][] = [
  ["discrete", specs.discrete, {}],
  ["discrete, shared trunk", specs.discrete, { netArch: [4, 3] }],
  ["box", specs.box, {}],
  ["box, shared trunk, relu", specs.box, { netArch: [4, 3], activation: "relu" }],
  ["box with gSDE", specs.box, { useSde: true }],
];

for (const [name, spec, opts] of variants) {
  test(`float64 tape gradients of log-prob, entropy and value match central differences: ${name}`, () => {
    const s = setup(spec, opts);
    const gEnt = 0.7;
    objective(s, gEnt, true);
    // gSDE's phi(s) carries no gradient into the std (SB3's learn_features=False): skip the layers phi depends on
    const skip = new Set(opts.useSde ? s.policy.pi.layers.slice(0, -1).flatMap((l) => l.parameters()) : []);
    for (const [pname, p] of s.policy.namedParameters()) {
      if (skip.has(p)) continue;
      const analytic = Float64Array.from((p.grad as Tensor).data());
      const v = p.data();
      for (let i = 0; i < p.size; i++) {
        const keep = v[i];
        v[i] = keep + 1e-6;
        const up = objective(s, gEnt, false);
        v[i] = keep - 1e-6;
        const down = objective(s, gEnt, false);
        v[i] = keep;
        const numeric = (up - down) / 2e-6;
        const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
        assert.ok(err < 1e-6, `${pname}[${i}]: analytic ${analytic[i]} numeric ${numeric}`);
      }
    }
  });
}

test("parameters are named as a state_dict names them, in the flat order of a format-1 checkpoint", () => {
  const sep = new ActorCriticPolicy(OBS, specs.box, new Rng(0), { netArch: { pi: [4], vf: [5] } });
  assert.deepEqual(
    sep.namedParameters().map(([n, t]) => `${n}[${t.shape.join(",")}]`),
    [
      "pi.0.weight[4,3]",
      "pi.0.bias[4]",
      "pi.1.weight[2,4]",
      "pi.1.bias[2]",
      "log_std[2]",
      "vf.0.weight[5,3]",
      "vf.0.bias[5]",
      "vf.1.weight[1,5]",
      "vf.1.bias[1]",
    ],
  );
  const shared = new ActorCriticPolicy(OBS, specs.discrete, new Rng(0), { netArch: [4] });
  assert.deepEqual(
    shared.namedParameters().map(([n]) => n),
    ["shared.0.weight", "shared.0.bias", "pi.0.weight", "pi.0.bias", "vf.0.weight", "vf.0.bias"],
  );
});

test("orthogonal init (nn's, as torch) gives orthonormal columns of a tall layer times the gain; env actions are clipped and shifted", () => {
  const p = new ActorCriticPolicy(8, specs.box, new Rng(2), { netArch: { pi: [16], vf: [16] }, kernels: "ts" });
  const w = p.pi.layers[0].weight.data(); // [16, 8]: orthonormal columns * sqrt(2)
  for (let c1 = 0; c1 < 8; c1++) {
    for (let c2 = 0; c2 < 8; c2++) {
      let dot = 0;
      for (let r = 0; r < 16; r++) dot += w[r * 8 + c1] * w[r * 8 + c2];
      assert.ok(Math.abs(dot - (c1 === c2 ? 2 : 0)) < 1e-9);
    }
  }
  const env = p.toEnvActions(new Float32Array([-3, 0.5, 2, -1]), 2, new Float32Array(4));
  assert.deepEqual(Array.from(env), [-1, 0.5, 1, -1]);
  const shifted: ActionSpec = { kind: "categorical", nvec: [3], start: [2] };
  const d = new ActorCriticPolicy(2, shifted, new Rng(0));
  assert.deepEqual(Array.from(d.toEnvActions(new Int32Array([1, 0]), 2, new Int32Array(2))), [3, 2]);
  assert.throws(
    () => new ActorCriticPolicy(2, specs.discrete, new Rng(0), { netArch: { pi: [0], vf: [] } }),
    InvalidArgumentError,
  );
  assert.throws(() => p.observations(new Float32Array(3), 1), /expected at least 1 x 8 values/);
});

test("an unknown activation or kernel choice is refused by name, with the valid choices", () => {
  const bad = (o: Record<string, unknown>) => () => new ActorCriticPolicy(2, specs.discrete, new Rng(0), o);
  assert.throws(bad({ activation: "bogus" }), /policyKwargs\.activation must be one of "tanh", "relu", got "bogus"/);
  assert.throws(bad({ kernels: "gpu" }), /policyKwargs\.kernels must be one of/);
  assert.throws(bad({ orthoInit: "yes" }), /orthoInit must be a boolean/);
});

test("squashOutput maps Gaussian samples into the Box by tanh; it needs finite bounds", () => {
  const spec: ActionSpec = {
    kind: "gaussian",
    dim: 2,
    low: new Float32Array([-2, 0]),
    high: new Float32Array([2, 10]),
  };
  const p = new ActorCriticPolicy(3, spec, new Rng(0), { squashOutput: true });
  const u = new Float32Array([0, 0, -40, 40, 0.5, -0.5]);
  const env = p.toEnvActions(u, 3, new Float32Array(6));
  // u = 0 -> the midpoint; |u| large -> the bounds (never past them); low + (tanh(u) + 1) (high - low) / 2 otherwise
  assert.deepEqual(Array.from(env.subarray(0, 4)), [0, 5, -2, 10]);
  assert.ok(Math.abs(env[4] - 2 * Math.tanh(0.5)) < 1e-6 && Math.abs(env[5] - 5 * (Math.tanh(-0.5) + 1)) < 1e-5);
  // without the option the same samples are clipped
  const clipped = new ActorCriticPolicy(3, spec, new Rng(0)).toEnvActions(u, 3, new Float32Array(6));
  assert.deepEqual(Array.from(clipped), [0, 0, -2, 10, 0.5, 0]);
  const unbounded: ActionSpec = {
    kind: "gaussian",
    dim: 1,
    low: new Float32Array([-Infinity]),
    high: new Float32Array([1]),
  };
  assert.throws(() => new ActorCriticPolicy(3, unbounded, new Rng(0), { squashOutput: true }), /finite bounds/);
  assert.throws(() => new ActorCriticPolicy(3, specs.discrete, new Rng(0), { squashOutput: true }), /finite bounds/);
});

test("the float32 WebAssembly kernels agree with the float64 reference kernels", () => {
  const make = (kernels: "ts" | "auto") => new ActorCriticPolicy(4, specs.box, new Rng(9), { kernels });
  const exact = make("ts");
  const fast = make("auto");
  const rng = new Rng(2);
  const obs = Float32Array.from({ length: 16 * 4 }, () => rng.normal());
  const actions = Float32Array.from({ length: 16 * 2 }, () => rng.normal());
  const run = (p: ActorCriticPolicy) =>
    p.engine.scope(() => {
      const r = p.evaluateActions(p.observations(obs, 16), actions);
      const total = add(add(sum(r.values), sum(r.logProb)), sum(r.entropy));
      p.engine.backward(total);
      return {
        values: Array.from(r.values.data()),
        grads: p.parameters().flatMap((t) => Array.from((t.grad as Tensor).data())),
      };
    });
  const e = run(exact);
  const f = run(fast);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(e.values[i] - f.values[i]) < 1e-5, `value ${i}`);
  for (let i = 0; i < e.grads.length; i++) {
    assert.ok(Math.abs(e.grads[i] - f.grads[i]) < 1e-4 * Math.max(1, Math.abs(e.grads[i])), `grad ${i}`);
  }
});
