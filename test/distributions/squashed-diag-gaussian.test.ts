import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { Rng } from "../../src/core/rng.js";
import { DiagGaussian } from "../../src/distributions/diag-gaussian.js";
import { SquashedDiagGaussian, tanhLogDetJacobian } from "../../src/distributions/squashed-diag-gaussian.js";
import { InvalidArgumentError, ShapeError } from "../../src/errors.js";

const MEAN = [0.3, -1.2, 0.8, 0.05]; // [2, 2]
const LOG_STD = [-0.5, 0.2]; // [2], state-independent
const LOG_STD_B = [-0.5, 0.2, 0.1, -1.0]; // [2, 2], state-dependent
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function gaussLogProb(u: number[], mean: number[], logStd: number[], d: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < u.length / d; b++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const ls = logStd.length === d ? logStd[j] : logStd[b * d + j];
      const z = (u[b * d + j] - mean[b * d + j]) / Math.exp(ls);
      s += -0.5 * z * z - ls - HALF_LOG_2PI;
    }
    out.push(s);
  }
  return out;
}

test("tanhLogDetJacobian is log(1 - tanh(u)^2), exact and finite where tanh saturates", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const u = [-3, -0.5, 0, 0.7, 4];
    const got = tanhLogDetJacobian(engine.tensor(u, [5])).toArray();
    got.forEach((v, i) => {
      assert.ok(Math.abs(v - Math.log(1 - Math.tanh(u[i]) ** 2)) < 1e-12, `${u[i]}: ${v}`);
    });
    // at u = 30, 1 - tanh(u)^2 is 0 in floating point; the stable form gives 2 (log 2 - 30 - softplus(-60))
    const far = tanhLogDetJacobian(engine.tensor([30, -30], [2])).toArray();
    for (const v of far) assert.ok(Math.abs(v - 2 * (Math.LN2 - 30)) < 1e-12, `${v}`);
  });
});

test("logProb is the Gaussian's at atanh(a) minus the log-det-Jacobian; mode, sample and KL", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    for (const ls of [LOG_STD, LOG_STD_B]) {
      const d = new SquashedDiagGaussian(
        engine.tensor(MEAN, [2, 2]),
        engine.tensor(ls, ls.length === 2 ? [2] : [2, 2]),
      );
      const a = Float64Array.from([0.5, -0.9, 0.1, 0.99]);
      const u = Array.from(a, Math.atanh);
      const want = gaussLogProb(u, MEAN, ls, 2).map(
        (v, b) => v - Math.log(1 - a[2 * b] ** 2) - Math.log(1 - a[2 * b + 1] ** 2),
      );
      d.logProb(a)
        .toArray()
        .forEach((v, i) => {
          assert.ok(Math.abs(v - want[i]) < 1e-9, `${v} vs ${want[i]}`);
        });
      d.mode(new Float64Array(4)).forEach((v, i) => {
        assert.ok(Math.abs(v - Math.tanh(MEAN[i])) < 1e-15);
      });
      const s = d.sample(new Rng(2), new Float64Array(4));
      const g = d.gaussian.sample(new Rng(2), new Float64Array(4));
      s.forEach((v, i) => {
        assert.equal(v, Math.tanh(g[i]));
      });
      const o = new SquashedDiagGaussian(engine.tensor([0, 0, 0, 0], [2, 2]), engine.tensor([0, 0], [2]));
      assert.deepEqual(d.kl(o).toArray(), d.gaussian.kl(o.gaussian).toArray());
    }
  });
});

test("rsampleWithLogProb: the same draws as sample, log-probability from u (exact where tanh saturates)", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new SquashedDiagGaussian(engine.tensor(MEAN, [2, 2]), engine.tensor(LOG_STD, [2]));
    const { actions, logProb } = d.rsampleWithLogProb(new Rng(9));
    const s = d.sample(new Rng(9), new Float64Array(4));
    actions.toArray().forEach((v, i) => {
      assert.ok(Math.abs(v - s[i]) < 1e-15);
    });
    const viaAtanh = d.logProb(Float64Array.from(actions.toArray())).toArray();
    logProb.toArray().forEach((v, i) => {
      assert.ok(Math.abs(v - viaAtanh[i]) < 1e-6, `${v} vs ${viaAtanh[i]}`);
    });
    // a saturated sample: u = 25 has tanh(u) = 1 in float64, yet its log-probability is finite and exact
    const far = new SquashedDiagGaussian(engine.tensor([25], [1, 1]), engine.tensor([-20], [1]));
    const lp = far.rsampleWithLogProb(new Rng(1)).logProb.item();
    assert.ok(Number.isFinite(lp) && lp > 0, `${lp}`);
  });
});

test("gradients (mean, log-std; reparameterised sample) pass central finite differences in float64", () => {
  const a = Float64Array.from([0.5, -0.9, 0.1, 0.7]);
  const checks = [
    gradCheck(
      ([m, s]) => new SquashedDiagGaussian(m, s).logProb(a),
      [
        { values: MEAN, shape: [2, 2] },
        { values: LOG_STD_B, shape: [2, 2] },
      ],
    ),
    gradCheck(
      ([m, s]) => new SquashedDiagGaussian(m, s).rsampleWithLogProb(new Rng(5)).logProb,
      [
        { values: MEAN, shape: [2, 2] },
        { values: LOG_STD, shape: [2] },
      ],
    ),
    gradCheck(
      ([m, s]) => new SquashedDiagGaussian(m, s).rsampleWithLogProb(new Rng(5)).actions,
      [
        { values: MEAN, shape: [2, 2] },
        { values: LOG_STD, shape: [2] },
      ],
    ),
    gradCheck(
      ([m, s]) => new DiagGaussian(m, s).rsample(new Rng(5)),
      [
        { values: MEAN, shape: [2, 2] },
        { values: LOG_STD_B, shape: [2, 2] },
      ],
    ),
    gradCheck(
      ([m, s, x]) => new DiagGaussian(m, s).logProb(x),
      [
        { values: MEAN, shape: [2, 2] },
        { values: LOG_STD, shape: [2] },
        { values: [0.1, 0.2, -0.3, 0.4], shape: [2, 2] },
      ],
    ),
  ];
  for (const r of checks) assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new SquashedDiagGaussian(engine.tensor(MEAN, [2, 2]), engine.tensor(LOG_STD, [2]));
    assert.throws(
      () => d.logProb(Float64Array.from([0, 1.5, 0, 0])),
      (e) => e instanceof InvalidArgumentError && /actions\[1\] is 1.5, expected a number in \[-1, 1\]/.test(e.message),
    );
    assert.throws(() => d.logProb(Float64Array.from([0, 0])), ShapeError);
    assert.throws(
      () => d.kl(new DiagGaussian(engine.tensor(MEAN, [2, 2]), engine.tensor(LOG_STD, [2])) as never),
      InvalidArgumentError,
    );
    const g = new DiagGaussian(engine.tensor(MEAN, [2, 2]), engine.tensor(LOG_STD, [2]));
    assert.throws(() => g.logProb(engine.tensor([0, 0, 0], [1, 3])), ShapeError);
  });
});
