import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { mean, sum } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { Categorical } from "../../src/distributions/categorical.js";
import { DiagGaussian } from "../../src/distributions/diag-gaussian.js";
import { Gsde } from "../../src/distributions/gsde.js";
import { MultiCategorical } from "../../src/distributions/multi-categorical.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";
import { type FisherHead, fisherParameters, fisherVectorProduct } from "../../src/nn/fisher-vector-product.js";
import { MLP } from "../../src/nn/mlp.js";
import { zeroGrad } from "../../src/nn/module.js";

const OBS = [0.5, -1.2, 0.3, 1.1, 0.4, -0.6, -0.9, 0.0, 2.0, 0.2, -0.3, 0.8, 1.5, -1.0, -0.4]; // [5, 3]
const B = 5;

function setup(head: "categorical" | "gaussian", activation: "tanh" | "relu" = "tanh") {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  const rng = new Rng(3);
  const out = head === "categorical" ? 3 : 2;
  // outputGain 1 keeps the logits away from uniform, so F is not nearly singular
  const net = new MLP(engine, rng, { inputSize: 3, hiddenSizes: [4], outputSize: out, activation, outputGain: 1 });
  let fh: FisherHead = { kind: "categorical" };
  if (head === "gaussian") {
    const logStd = engine.parameter([2]);
    logStd.set([-0.3, 0.2]);
    fh = { kind: "gaussian", logStd };
  }
  const params = fisherParameters(net, fh);
  const n = params.reduce((s, p) => s + p.size, 0);
  return { engine, net, head: fh, params, n };
}

function flatGrad(params: readonly Tensor[], n: number): Float64Array {
  const g = new Float64Array(n);
  let off = 0;
  for (const p of params) {
    g.set((p.grad as Tensor).data(), off);
    off += p.size;
  }
  return g;
}

function matVec(F: Float64Array[], v: Float64Array): Float64Array {
  return Float64Array.from(F, (row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

function relErr(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(na), Math.sqrt(nb));
}

function randomVector(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** F = (1/B) Σ_b Σ_a p_b(a) ∇log p_b(a) ∇log p_b(a)ᵀ, by enumerating every action with reverse-mode gradients. */
function fisherByEnumeration(s: ReturnType<typeof setup>): Float64Array[] {
  const F = Array.from({ length: s.n }, () => new Float64Array(s.n));
  for (let b = 0; b < B; b++) {
    for (let a = 0; a < 3; a++) {
      const { p, g } = s.engine.scope(() => {
        zeroGrad(s.params);
        const d = new Categorical(s.net.forward(s.engine.tensor(OBS.slice(3 * b, 3 * b + 3), [1, 3])));
        const lp = d.logProb(new Int32Array([a]));
        const prob = Math.exp(lp.item());
        s.engine.backward(sum(lp));
        return { p: prob, g: flatGrad(s.params, s.n) };
      });
      for (let i = 0; i < s.n; i++) for (let j = 0; j < s.n; j++) F[i][j] += (p * g[i] * g[j]) / B;
    }
  }
  return F;
}

/** F = ∇²_θ mean_b KL(π_θold(·|s_b) || π_θ(·|s_b)) at θ = θold, by central differences of reverse-mode gradients. */
function fisherByKlHessian(s: ReturnType<typeof setup>): Float64Array[] {
  const obs = () => s.engine.tensor(OBS, [B, 3]);
  const dist = (x: Tensor) => {
    const o = s.net.forward(x);
    return s.head.kind === "categorical" ? new Categorical(o) : new DiagGaussian(o, s.head.logStd);
  };
  // θold's distribution parameters, frozen as constants
  const oldOut = s.engine.noGrad(() => s.engine.scope(() => s.net.forward(obs()).toArray()));
  const oldLogStd = s.head.kind === "gaussian" ? s.head.logStd.toArray() : [];
  const gradKl = (): Float64Array =>
    s.engine.scope(() => {
      zeroGrad(s.params);
      const cur = dist(obs());
      const old =
        cur instanceof Categorical
          ? new Categorical(s.engine.tensor(oldOut, [B, 3]))
          : new DiagGaussian(s.engine.tensor(oldOut, [B, 2]), s.engine.tensor(oldLogStd, [2]));
      const kl = old instanceof Categorical ? old.kl(cur as Categorical) : old.kl(cur as DiagGaussian);
      s.engine.backward(mean(kl));
      return flatGrad(s.params, s.n);
    });
  const h = 1e-5;
  const F: Float64Array[] = [];
  let idx = 0;
  for (const p of s.params) {
    for (let j = 0; j < p.size; j++) {
      const orig = p.data()[j];
      p.data()[j] = orig + h;
      const gp = gradKl();
      p.data()[j] = orig - h;
      const gm = gradKl();
      p.data()[j] = orig;
      F.push(Float64Array.from(gp, (x, k) => (x - gm[k]) / (2 * h)));
      idx++;
    }
  }
  assert.equal(idx, s.n);
  return F;
}

test("categorical 3->4->3: F v equals the enumerated E[∇log p ∇log pᵀ] and the KL Hessian to 1e-6 (float64)", () => {
  const s = setup("categorical");
  assert.equal(s.n, 31);
  const Fenum = fisherByEnumeration(s);
  const Fkl = fisherByKlHessian(s);
  const rng = new Rng(9);
  const obs = s.engine.tensor(OBS, [B, 3]);
  for (let trial = 0; trial < 4; trial++) {
    const v = randomVector(rng, s.n);
    const fv = fisherVectorProduct(s.net, s.head, obs, v);
    const e1 = relErr(fv, matVec(Fenum, v));
    const e2 = relErr(fv, matVec(Fkl, v));
    assert.ok(e1 < 1e-6, `vs enumeration: ${e1}`);
    assert.ok(e2 < 1e-6, `vs KL Hessian: ${e2}`);
  }
  // the explicit matrices agree with each other (two independent constructions of the same F)
  assert.ok(
    relErr(Float64Array.from(Fenum.flatMap((r) => [...r])), Float64Array.from(Fkl.flatMap((r) => [...r]))) < 1e-6,
  );
});

for (const activation of ["tanh", "relu"] as const) {
  test(`gaussian 3->4->2 (${activation}) with a state-independent log-std: F v equals the KL Hessian to 1e-6`, () => {
    const s = setup("gaussian", activation);
    assert.equal(s.n, 3 * 4 + 4 + 4 * 2 + 2 + 2);
    const F = fisherByKlHessian(s);
    const rng = new Rng(10);
    const obs = s.engine.tensor(OBS, [B, 3]);
    for (let trial = 0; trial < 4; trial++) {
      const v = randomVector(rng, s.n);
      const err = relErr(fisherVectorProduct(s.net, s.head, obs, v), matVec(F, v));
      assert.ok(err < 1e-6, `relative error ${err}`);
    }
    // the log-std block of F is 2 I, decoupled from the mean block
    const k = s.n - 2;
    assert.ok(Math.abs(F[k][k] - 2) < 1e-6 && Math.abs(F[k][0]) < 1e-6 && Math.abs(F[k][k + 1]) < 1e-6);
  });
}

test("damping adds damping * v; gradients and the caller's tape are left as they were; out is reused", () => {
  const s = setup("gaussian");
  const obs = s.engine.tensor(OBS, [B, 3]);
  const v = randomVector(new Rng(1), s.n);
  const before = s.params.map((p, i) => {
    const g = p.grad as Tensor;
    g.set(Array.from({ length: g.size }, (_, j) => i + j / 10));
    return g.toArray();
  });
  s.engine.scope(() => {
    const pending = sum(s.net.forward(obs)); // a graph the caller still wants to backprop
    const tape = s.engine.tapeLength;
    const out = new Float64Array(s.n);
    const plain = fisherVectorProduct(s.net, s.head, obs, v).slice();
    const damped = fisherVectorProduct(s.net, s.head, obs, v, { damping: 0.1, out });
    assert.equal(damped, out);
    for (let i = 0; i < s.n; i++) assert.ok(Math.abs(damped[i] - plain[i] - 0.1 * v[i]) < 1e-12);
    assert.equal(s.engine.tapeLength, tape, "the caller's ops stay on the tape");
    assert.deepEqual(
      s.params.map((p) => (p.grad as Tensor).toArray()),
      before,
    );
    s.engine.backward(pending);
  });
  // vᵀ F v > 0: the Fisher is positive semi-definite
  const fv = fisherVectorProduct(s.net, s.head, obs, v);
  assert.ok(fv.reduce((acc, x, i) => acc + x * v[i], 0) > 0);
});

test("float32 engine (wasm kernels when available) agrees with float64 to float32 precision", () => {
  const s64 = setup("categorical");
  const e32 = new Engine({ dtype: "float32" });
  const net32 = new MLP(e32, new Rng(0), { inputSize: 3, hiddenSizes: [4], outputSize: 3 });
  net32.parameters().forEach((p, i) => {
    p.set(s64.params[i].toArray());
  });
  const v = randomVector(new Rng(2), s64.n);
  const a = fisherVectorProduct(s64.net, s64.head, s64.engine.tensor(OBS, [B, 3]), v);
  const b = fisherVectorProduct(net32, { kind: "categorical" }, e32.tensor(OBS, [B, 3]), v);
  assert.ok(relErr(a, b) < 1e-5, `relative error ${relErr(a, b)}`);
});

test("bad input raises typed errors", () => {
  const s = setup("gaussian");
  const obs = s.engine.tensor(OBS, [B, 3]);
  const v = new Float64Array(s.n);
  assert.throws(() => fisherVectorProduct(s.net, s.head, obs, new Float64Array(s.n - 1)), ShapeError);
  assert.throws(() => fisherVectorProduct(s.net, s.head, obs, Array.from(v) as unknown as Float64Array), ShapeError);
  assert.throws(() => fisherVectorProduct(s.net, s.head, obs, v, { out: new Float64Array(3) }), ShapeError);
  assert.throws(() => fisherVectorProduct(s.net, s.head, obs, v, { damping: -1 }), InvalidArgumentError);
  assert.throws(() => fisherVectorProduct(s.net, s.head, obs, v, { damping: Number.NaN }), InvalidArgumentError);
  assert.throws(() => fisherVectorProduct(s.net, s.head, s.engine.tensor([1, 2, 3], [3]), v), ShapeError);
  const wrongStd = s.engine.parameter([3]);
  const head: FisherHead = { kind: "gaussian", logStd: wrongStd };
  assert.throws(
    () => fisherVectorProduct(s.net, head, obs, new Float64Array(s.n + 1)),
    (e) => e instanceof ShapeError && /logStd must have shape \[2\]/.test(e.message),
  );
  const other = new Engine({ dtype: "float64", kernels: "ts" });
  assert.throws(() => fisherVectorProduct(s.net, s.head, other.tensor(OBS, [B, 3]), v), /engine/);
});

/**
 * F by central differences of ∇ mean KL(π_old || π_θ) for any distribution: `dist(x)` builds π_θ, `freeze(d)` a
 * copy of it with no tape history, `kl(old, cur)` the KL.
 */
function klHessian<D>(
  engine: Engine,
  params: readonly Tensor[],
  n: number,
  dist: (x: Tensor) => D,
  freeze: (d: D) => D,
  kl: (old: D, cur: D) => Tensor,
): Float64Array[] {
  const obs = () => engine.tensor(OBS, [B, 3]);
  // θold's distribution, kept outside the scopes below
  const old = engine.noGrad(() => freeze(dist(obs())));
  const gradKl = (): Float64Array =>
    engine.scope(() => {
      zeroGrad(params);
      engine.backward(mean(kl(old, dist(obs()))));
      return flatGrad(params, n);
    });
  const h = 1e-5;
  const F: Float64Array[] = [];
  for (const p of params) {
    for (let j = 0; j < p.size; j++) {
      const orig = p.data()[j];
      p.data()[j] = orig + h;
      const gp = gradKl();
      p.data()[j] = orig - h;
      const gm = gradKl();
      p.data()[j] = orig;
      F.push(Float64Array.from(gp, (x, k) => (x - gm[k]) / (2 * h)));
    }
  }
  return F;
}

test("MultiDiscrete [2, 3] (one Categorical block per sub-space): F v equals the KL Hessian to 1e-6", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  const net = new MLP(engine, new Rng(4), { inputSize: 3, hiddenSizes: [4], outputSize: 5, outputGain: 1 });
  const head: FisherHead = { kind: "categorical", nvec: [2, 3] };
  const params = fisherParameters(net, head);
  const n = params.reduce((s, p) => s + p.size, 0);
  const F = klHessian(
    engine,
    params,
    n,
    (x) => new MultiCategorical(net.forward(x), [2, 3]),
    (d) => {
      const m = new MultiCategorical(engine.tensor(d.logits.data(), d.logits.shape), [2, 3]);
      for (const dim of m.dims) dim.probs(); // cached outside the scopes that use it
      return m;
    },
    (old, cur) => old.kl(cur),
  );
  const rng = new Rng(12);
  const obs = engine.tensor(OBS, [B, 3]);
  for (let trial = 0; trial < 4; trial++) {
    const v = randomVector(rng, n);
    const err = relErr(fisherVectorProduct(net, head, obs, v), matVec(F, v));
    assert.ok(err < 1e-6, `relative error ${err}`);
  }
  // a single Categorical over the 5 logits is a different Fisher: the blocks matter
  const v = randomVector(rng, n);
  const whole = fisherVectorProduct(net, { kind: "categorical" }, obs, v);
  assert.ok(relErr(whole, matVec(F, v)) > 1e-2);
});

test("gSDE 3->4->2 (variance from the detached latent features and a [4, 2] log-std): F v equals the KL Hessian to 1e-6", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  const net = new MLP(engine, new Rng(5), { inputSize: 3, hiddenSizes: [4], outputSize: 2, outputGain: 1 });
  const logStd = engine.parameter([4, 2]);
  logStd.set([-0.3, 0.2, 0.1, -0.5, 0.4, 0, -0.2, 0.3]);
  const gsde = new Gsde(4, 2);
  const latent = engine.noGrad(() => engine.scope(() => net.hidden(engine.tensor(OBS, [B, 3])).toArray()));
  const head: FisherHead = { kind: "gsde", logStd, latent: Float64Array.from(latent) };
  const params = fisherParameters(net, head);
  const n = params.reduce((s, p) => s + p.size, 0);
  assert.equal(n, 3 * 4 + 4 + 4 * 2 + 2 + 8);
  const F = klHessian(
    engine,
    params,
    n,
    // the variance's features are constants (detached, SB3's learnFeatures false): phi(s) at theta_old
    (x) => gsde.distribution(net.forward(x), logStd, engine.tensor(latent, [B, 4])).inner as DiagGaussian,
    (d) => new DiagGaussian(engine.tensor(d.mean.data(), d.mean.shape), engine.tensor(d.logStd.data(), d.logStd.shape)),
    (old, cur) => old.kl(cur),
  );
  const rng = new Rng(13);
  const obs = engine.tensor(OBS, [B, 3]);
  for (let trial = 0; trial < 4; trial++) {
    const v = randomVector(rng, n);
    const err = relErr(fisherVectorProduct(net, head, obs, v), matVec(F, v));
    assert.ok(err < 1e-6, `relative error ${err}`);
  }
});
