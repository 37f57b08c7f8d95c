import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { gradCheck } from "../../src/core/gradcheck.js";
import { Rng } from "../../src/core/rng.js";
import { Bernoulli } from "../../src/distributions/bernoulli.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";

const LOGITS = [0.3, -1.2, 2.0, 0.5, -0.1, 3.0]; // [2, 3]
const OTHER = [1.0, 0.0, -1.0, 0.25, -2.0, 0.7];
const sig = (x: number) => 1 / (1 + Math.exp(-x));

test("logProb, entropy, KL and mode match the closed forms", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new Bernoulli(engine.tensor(LOGITS, [2, 3]));
    const o = new Bernoulli(engine.tensor(OTHER, [2, 3]));
    const a = [1, 0, 1, 0, 0, 1];
    const p = LOGITS.map(sig);
    const q = OTHER.map(sig);
    const rowSum = (f: (i: number) => number) => [0, 1].map((b) => f(3 * b) + f(3 * b + 1) + f(3 * b + 2));
    const want = {
      logProb: rowSum((i) => Math.log(a[i] ? p[i] : 1 - p[i])),
      entropy: rowSum((i) => -(p[i] * Math.log(p[i]) + (1 - p[i]) * Math.log(1 - p[i]))),
      kl: rowSum((i) => p[i] * Math.log(p[i] / q[i]) + (1 - p[i]) * Math.log((1 - p[i]) / (1 - q[i]))),
    };
    const got = { logProb: d.logProb(a).toArray(), entropy: d.entropy().toArray(), kl: d.kl(o).toArray() };
    for (const k of ["logProb", "entropy", "kl"] as const) {
      got[k].forEach((v, i) => {
        assert.ok(Math.abs(v - want[k][i]) < 1e-12, `${k}[${i}] ${v} vs ${want[k][i]}`);
      });
    }
    assert.deepEqual(d.mode(), Uint8Array.from([1, 0, 1, 1, 0, 1]));
  });
});

test("large logits keep log-probabilities and gradients finite", () => {
  const engine = new Engine();
  engine.scope(() => {
    const l = engine.tensor([200, -200], [1, 2], { requiresGrad: true });
    const d = new Bernoulli(l);
    const lp = d.logProb([0, 1]);
    assert.ok(Math.abs(lp.item() + 400) < 1e-3, `${lp.item()}`);
    engine.backward(lp);
    assert.ok((l.grad?.toArray() ?? []).every(Number.isFinite));
  });
});

test("gradients pass central finite differences in float64", () => {
  const shape = [2, 3];
  const checks = [
    gradCheck(([l]) => new Bernoulli(l).logProb([1, 0, 0, 1, 1, 0]), [{ values: LOGITS, shape }]),
    gradCheck(([l]) => new Bernoulli(l).entropy(), [{ values: LOGITS, shape }]),
    gradCheck(
      ([l, m]) => new Bernoulli(l).kl(new Bernoulli(m)),
      [
        { values: LOGITS, shape },
        { values: OTHER, shape },
      ],
    ),
  ];
  for (const r of checks) assert.ok(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
});

test("sampling follows the probabilities and is deterministic given the Rng", () => {
  const engine = new Engine();
  engine.scope(() => {
    const d = new Bernoulli(engine.tensor([Math.log(0.25 / 0.75), 0], [1, 2]));
    const rng = new Rng(11);
    const out = new Uint8Array(2);
    let ones = [0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      d.sample(rng, out);
      ones = [ones[0] + out[0], ones[1] + out[1]];
    }
    assert.ok(Math.abs(ones[0] / n - 0.25) < 0.015 && Math.abs(ones[1] / n - 0.5) < 0.015, `${ones}`);
    assert.deepEqual(d.sample(new Rng(4)), d.sample(new Rng(4)));
  });
});

test("bad input raises typed errors naming the problem", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  engine.scope(() => {
    const d = new Bernoulli(engine.tensor(LOGITS, [2, 3]));
    assert.throws(
      () => d.logProb([1, 0, 2, 0, 0, 0]),
      (e) => e instanceof InvalidArgumentError && /actions\[2\] is 2/.test(e.message),
    );
    assert.throws(() => d.logProb([1, 0]), ShapeError);
    assert.throws(() => d.sample(new Rng(0), new Uint8Array(2)), /length 6/);
    assert.throws(() => new Bernoulli(engine.tensor([0, Number.NaN], [1, 2])), NonFiniteError);
    assert.throws(() => new Bernoulli(engine.tensor([0, 1], [2])), ShapeError);
  });
});
