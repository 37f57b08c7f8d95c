import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { Rng } from "../../src/core/rng.js";
import { DiagGaussian } from "../../src/distributions/diag-gaussian.js";
import { Gsde } from "../../src/distributions/gsde.js";
import { SquashedDiagGaussian } from "../../src/distributions/squashed-diag-gaussian.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";

const L = 3;
const A = 2;
const LOG_STD = [-0.5, 0.2, 0.1, -1.0, 0.4, -0.3]; // [L, A]
const LATENT = [0.5, -1.0, 0.25, 1.5, 0.3, -0.7]; // [2, L]
const MEAN = [0.1, -0.2, 0.3, 0.05]; // [2, A]

test("std: exp, expln (exp below 0, log1p(x) + 1 above), and one log-std per latent feature without fullStd", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const ls = engine.tensor(LOG_STD, [L, A]);
    assert.deepEqual(new Gsde(L, A).std(ls).toArray(), LOG_STD.map(Math.exp));
    const expln = new Gsde(L, A, { useExpln: true }).std(ls).toArray();
    expln.forEach((v, i) => {
      const x = LOG_STD[i];
      const want = x <= 0 ? Math.exp(x) : Math.log(1 + x + 1e-6) + 1;
      assert.ok(Math.abs(v - want) < 1e-15, `${x}: ${v} vs ${want}`);
    });
    const shared = new Gsde(L, A, { fullStd: false });
    assert.deepEqual(shared.logStdShape, [L, 1]);
    const s = shared.std(engine.tensor([0, 1, -1], [L, 1])).toArray();
    assert.deepEqual(s, [1, 1, Math.E, Math.E, Math.exp(-1), Math.exp(-1)]);
  });
});

test("distribution: N(mu, (z^2) sigma^2 + 1e-6), its log-prob and entropy; squashed variant", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const g = new Gsde(L, A);
    const d = g.distribution(
      engine.tensor(MEAN, [2, A]),
      engine.tensor(LOG_STD, [L, A]),
      engine.tensor(LATENT, [2, L]),
    );
    const varWant: number[] = [];
    for (let b = 0; b < 2; b++)
      for (let j = 0; j < A; j++) {
        let v = 1e-6;
        for (let i = 0; i < L; i++) v += LATENT[b * L + i] ** 2 * Math.exp(2 * LOG_STD[i * A + j]);
        varWant.push(v);
      }
    const ref = new DiagGaussian(
      engine.tensor(MEAN, [2, A]),
      engine.tensor(
        varWant.map((v) => 0.5 * Math.log(v)),
        [2, A],
      ),
    );
    const a = Float64Array.from([0.3, -0.1, 0.2, 0.4]);
    const close = (x: number[], y: number[]) =>
      x.forEach((v, i) => {
        assert.ok(Math.abs(v - y[i]) < 1e-12, `${v} vs ${y[i]}`);
      });
    close(d.logProb(a).toArray(), ref.logProb(a).toArray());
    close(d.entropy().toArray(), ref.entropy().toArray());
    assert.ok(d.inner instanceof DiagGaussian);
    const sq = new Gsde(L, A, { squashOutput: true }).distribution(
      engine.tensor(MEAN, [2, A]),
      engine.tensor(LOG_STD, [L, A]),
      engine.tensor(LATENT, [2, L]),
    );
    assert.ok(sq.inner instanceof SquashedDiagGaussian);
    assert.throws(() => sq.entropy(), InvalidArgumentError);
    close(Array.from(sq.mode(new Float64Array(4))), MEAN.map(Math.tanh));
  });
});

test("sample is mu + z theta with the drawn matrices; per-environment matrices; resampling every sdeSampleFreq steps", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const g = new Gsde(L, A, { sdeSampleFreq: 4 });
    const ls = engine.tensor(LOG_STD, [L, A]);
    g.resetNoise(ls, new Rng(1), 2);
    const d = g.distribution(engine.tensor(MEAN, [2, A]), ls, engine.tensor(LATENT, [2, L]));
    const s = d.sample(new Float64Array(4));
    for (let b = 0; b < 2; b++) {
      const theta = g.explorationMatrices.subarray(b * L * A, (b + 1) * L * A);
      for (let j = 0; j < A; j++) {
        let want = MEAN[b * A + j];
        for (let i = 0; i < L; i++) want += LATENT[b * L + i] * theta[i * A + j];
        assert.ok(Math.abs(s[b * A + j] - want) < 1e-12);
      }
    }
    assert.deepEqual(d.sample(new Float64Array(4)), s, "the same noise until the next draw");
    // one row: the shared matrix
    const one = g
      .distribution(engine.tensor([0, 0], [1, A]), ls, engine.tensor([1, 0, 0], [1, L]))
      .sample(new Float64Array(2));
    assert.deepEqual(Array.from(one), [g.explorationMatrix[0], g.explorationMatrix[1]]);
    const rng = new Rng(2);
    const drew = [0, 1, 2, 3, 4, 5, 8].map((t) => g.onStep(t, ls, rng, 2));
    assert.deepEqual(drew, [true, false, false, false, true, false, true]);
    assert.equal(new Gsde(L, A).onStep(0, ls, rng), false, "sdeSampleFreq -1 never draws on steps");
    // the same Rng state gives the same matrices
    const h = new Gsde(L, A);
    h.resetNoise(ls, new Rng(1), 2);
    g.resetNoise(ls, new Rng(1), 2);
    assert.deepEqual(h.explorationMatrices, g.explorationMatrices);
  });
});

test("the noise over many draws has the distribution's variance (z^2) sigma^2", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const g = new Gsde(L, A);
    const ls = engine.tensor(LOG_STD, [L, A]);
    const z = engine.tensor(LATENT.slice(0, L), [1, L]);
    const d = g.distribution(engine.tensor([0, 0], [1, A]), ls, z);
    const rng = new Rng(3);
    const n = 20_000;
    const sq = [0, 0];
    const out = new Float64Array(A);
    for (let t = 0; t < n; t++) {
      g.resetNoise(ls, rng);
      d.sample(out);
      sq[0] += out[0] ** 2;
      sq[1] += out[1] ** 2;
    }
    const want = (d.inner as DiagGaussian)
      .std()
      .toArray()
      .map((s) => s * s);
    sq.forEach((v, j) => {
      assert.ok(Math.abs(v / n / want[j] - 1) < 0.04, `dim ${j}: ${v / n} vs ${want[j]}`);
    });
  });
});

test("gradients (mean, log-std, expln, latent with learnFeatures) pass central finite differences in float64", () => {
  const a = Float64Array.from([0.3, -0.1, 0.2, 0.4]);
  const inputs = [
    { values: MEAN, shape: [2, A] },
    { values: LOG_STD, shape: [L, A] },
    { values: LATENT, shape: [2, L] },
  ];
  for (const opts of [{}, { useExpln: true }, { learnFeatures: true }, { squashOutput: true }]) {
    const g = new Gsde(L, A, opts);
    const r = gradCheck(([m, s, z]) => g.distribution(m, s, z).logProb(a), inputs);
    const learns = "learnFeatures" in opts;
    for (const k of learns ? [0, 1, 2] : [0, 1]) {
      assert.ok(r.inputs[k].relError < 1e-6, `${JSON.stringify(opts)} input ${k}: ${r.inputs[k].relError}`);
    }
    // without learnFeatures the latent features are detached: no gradient reaches them
    if (!learns) assert.ok(r.inputs[2].analytic.every((v) => v === 0));
  }
  const shared = new Gsde(L, A, { fullStd: false });
  const r = gradCheck(
    ([m, s, z]) => shared.distribution(m, s, z).entropy(),
    [inputs[0], { values: [0.1, -0.2, 0.3], shape: [L, 1] }, inputs[2]],
  );
  assert.ok(r.inputs[1].relError < 1e-6, `fullStd false: ${r.inputs[1].relError}`);
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const g = new Gsde(L, A);
    assert.throws(
      () => g.std(engine.tensor([0, 0, 0], [L, 1])),
      (e) => e instanceof ShapeError && /logStd must be a Tensor of shape \[3, 2\]/.test(e.message),
    );
    assert.throws(
      () =>
        g.distribution(engine.tensor(MEAN, [2, A]), engine.tensor(LOG_STD, [L, A]), engine.tensor([0, 0, 0], [1, L])),
      /latentSde must have shape \[2, 3\]/,
    );
    assert.throws(() => new Gsde(0, A), /latentDim must be a positive integer/);
    assert.throws(() => new Gsde(L, A, { sdeSampleFreq: 0 }), /sdeSampleFreq must be -1 or a positive integer/);
    assert.throws(() => g.resetNoise(engine.tensor(LOG_STD, [L, A]), new Rng(0), 0), /nEnvs/);
  });
});
