import assert from "node:assert/strict";
import { test } from "node:test";
import { type ActionSpec, ActorCriticPolicy, type PolicyOptions } from "../../src/algos/common/actor-critic-policy.js";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError } from "../../src/errors.js";

const B = 5;
const OBS = 3;
const specs: Record<string, ActionSpec> = {
  discrete: { kind: "categorical", nvec: [3], start: [0] },
  multiDiscrete: { kind: "categorical", nvec: [2, 4], start: [0, 1] },
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
  for (let i = 0; i < policy.numParams; i++) policy.params[i] += 0.3 * rng.normal();
  policy.markParamsChanged();
  const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
  policy.forward(obs, B);
  const actions = policy.sample(rng, new Float32Array(B * policy.actDim));
  const gLogProb = Array.from({ length: B }, () => rng.normal());
  const gValue = Array.from({ length: B }, () => rng.normal());
  return { policy, obs, actions, gLogProb, gValue, rng };
}

/** sum_b [gLogProb_b log pi(a_b|s_b) + gEnt H_b + gValue_b V(s_b)], evaluated in float64 */
function objective(s: ReturnType<typeof setup>, gEnt: number): number {
  s.policy.markParamsChanged();
  const v = s.policy.forward(s.obs, B);
  const lp = s.policy.logProb(s.actions);
  const h = s.policy.entropy();
  let total = 0;
  for (let b = 0; b < B; b++) total += s.gLogProb[b] * lp[b] + gEnt * h[b] + s.gValue[b] * v[b];
  return total;
}

const variants: [string, ActionSpec, PolicyOptions][] = [
  ...Object.entries(specs).map(([n, sp]): [string, ActionSpec, PolicyOptions] => [n, sp, {}]),
  ["box with gSDE", specs.box, { useSde: true }],
];

for (const [name, spec, opts] of variants) {
  for (const shared of opts.useSde ? [false] : [false, true]) {
    test(`backward matches central differences: ${name}, ${shared ? "shared" : "separate"} trunk`, () => {
      const s = setup(spec, shared ? { ...opts, netArch: [4, 3] } : opts);
      const gEnt = 0.7;
      s.policy.grads.fill(0);
      objective(s, gEnt);
      s.policy.backward(s.actions, s.gLogProb, gEnt, s.gValue);
      const analytic = Float64Array.from(s.policy.grads);
      const eps = 1e-6;
      // gSDE's phi(s) carries no gradient (SB3's learn_features=False): the check skips the parameters phi depends on
      const first = opts.useSde ? s.policy.pi.layers[s.policy.pi.layers.length - 1].wOff : 0;
      for (let i = first; i < s.policy.numParams; i++) {
        const keep = s.policy.params[i];
        s.policy.params[i] = keep + eps;
        const up = objective(s, gEnt);
        s.policy.params[i] = keep - eps;
        const down = objective(s, gEnt);
        s.policy.params[i] = keep;
        const numeric = (up - down) / (2 * eps);
        const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
        assert.ok(err < 1e-6, `param ${i}: analytic ${analytic[i]} numeric ${numeric}`);
      }
    });
  }

  test(`Fisher-vector product equals the Hessian of the mean KL: ${name}`, () => {
    const s = setup(spec, opts);
    const p = s.policy;
    p.forward(s.obs, B);
    const old = p.copyDistribution(new Float64Array(B * p.distributionSize));
    const base = p.params.slice();
    // with gSDE, directions leave phi(s) unchanged (no curvature is taken through it, as no gradient is)
    const first = opts.useSde ? p.pi.layers[p.pi.layers.length - 1].wOff : 0;
    const direction = () => Float64Array.from({ length: p.numParams }, (_, i) => (i < first ? 0 : s.rng.normal()));
    const v = direction();
    const fv = p.fisherVectorProduct(v, new Float64Array(p.actorSize), 0);
    // KL(theta_old || theta_old +- eps w) = eps^2/2 w^T F w +- O(eps^3): the symmetric sum cancels the cubic
    // term; polarization then gives u^T F v
    const kl = (w: Float64Array, eps: number) => {
      for (let i = 0; i < p.actorSize; i++) p.params[i] = base[i] + eps * w[i];
      p.markParamsChanged();
      p.forward(s.obs, B);
      const value = p.meanKl(old);
      p.params.set(base);
      p.markParamsChanged();
      return value;
    };
    const quad = (w: Float64Array) => (kl(w, 1e-4) + kl(w, -1e-4)) / 1e-8;
    for (let trial = 0; trial < 3; trial++) {
      const u = direction();
      const plus = u.map((x, i) => x + v[i]);
      const minus = u.map((x, i) => x - v[i]);
      const numeric = (quad(plus) - quad(minus)) / 4;
      let analytic = 0;
      for (let i = 0; i < p.actorSize; i++) analytic += u[i] * fv[i];
      assert.ok(Math.abs(numeric - analytic) < 1e-3 * Math.max(1, Math.abs(analytic)), `${numeric} vs ${analytic}`);
    }
  });
}

test("KL of a distribution with itself is 0, Gaussian entropy and log-prob match the closed forms", () => {
  const s = setup(specs.box);
  const p = s.policy;
  p.params.fill(-0.3, p.logStdOffset, p.logStdOffset + 2);
  p.markParamsChanged();
  p.forward(s.obs, B);
  const old = p.copyDistribution(new Float64Array(B * p.distributionSize));
  assert.ok(Math.abs(p.meanKl(old)) < 1e-15);
  const h = p.entropy()[0];
  assert.ok(Math.abs(h - 2 * (-0.3 + 0.5 * (1 + Math.log(2 * Math.PI)))) < 1e-12);
  const mode = p.sample(s.rng, new Float32Array(B * 2), true);
  const lp = p.logProb(mode)[0];
  // at the mean: log N = -sum(log sigma) - log(2 pi); float32 storage of the mode costs ~1e-7
  assert.ok(Math.abs(lp - (0.6 - Math.log(2 * Math.PI))) < 1e-6);
});

test("categorical sampling follows the probabilities; deterministic picks the mode", () => {
  const rng = new Rng(5);
  const p = new ActorCriticPolicy(1, specs.discrete, rng, { netArch: { pi: [], vf: [] }, kernels: "ts" });
  // logits = bias only (zero weights): probabilities softmax([0, log 2, log 5]) = [1/8, 2/8, 5/8]
  p.params.fill(0);
  const bOff = p.pi.layers[0].bOff;
  p.params[bOff + 1] = Math.log(2);
  p.params[bOff + 2] = Math.log(5);
  p.markParamsChanged();
  const n = 40000;
  const obs = new Float32Array(n);
  p.forward(obs, n);
  const a = p.sample(rng, new Float32Array(n));
  const counts = [0, 0, 0];
  for (const x of a) counts[x]++;
  [1 / 8, 2 / 8, 5 / 8].forEach((q, j) => {
    assert.ok(Math.abs(counts[j] / n - q) < 4 * Math.sqrt((q * (1 - q)) / n), `class ${j}: ${counts[j] / n}`);
  });
  assert.ok(p.sample(rng, new Float32Array(n), true).every((x) => x === 2));
});

test("orthogonal init (nn's, as torch) gives orthonormal columns of a tall layer times the gain; env actions are clipped and shifted", () => {
  const p = new ActorCriticPolicy(8, specs.box, new Rng(2), { netArch: { pi: [16], vf: [16] } });
  const l = p.pi.layers[0]; // [16, 8]: orthonormal columns * sqrt(2)
  for (let c1 = 0; c1 < 8; c1++) {
    for (let c2 = 0; c2 < 8; c2++) {
      let dot = 0;
      for (let r = 0; r < 16; r++) dot += p.params[l.wOff + r * 8 + c1] * p.params[l.wOff + r * 8 + c2];
      assert.ok(Math.abs(dot - (c1 === c2 ? 2 : 0)) < 1e-9);
    }
  }
  const env = p.toEnvActions(new Float32Array([-3, 0.5, 2, -1]), 2, new Float32Array(4));
  assert.deepEqual(Array.from(env), [-1, 0.5, 1, -1]);
  const md = new ActorCriticPolicy(2, specs.multiDiscrete, new Rng(0));
  assert.deepEqual(Array.from(md.toEnvActions(new Float32Array([1, 3]), 1, new Int32Array(2))), [1, 4]);
  assert.throws(
    () => new ActorCriticPolicy(2, specs.discrete, new Rng(0), { netArch: { pi: [0], vf: [] } }),
    InvalidArgumentError,
  );
  assert.throws(() => p.forward(new Float32Array(3), 1), /expected at least 1 x 8 values/);
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
  const g = Array.from({ length: 16 }, () => rng.normal());
  for (const p of [exact, fast]) {
    p.forward(obs, 16);
    p.logProb(actions);
    p.grads.fill(0);
    p.backward(actions, g, 0.1, g);
  }
  const ve = exact.forward(obs, 16);
  const vf = fast.forward(obs, 16);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(ve[i] - vf[i]) < 1e-5, `value ${i}`);
  for (let i = 0; i < exact.numParams; i++) {
    assert.ok(Math.abs(exact.grads[i] - fast.grads[i]) < 1e-4 * Math.max(1, Math.abs(exact.grads[i])), `grad ${i}`);
  }
});
