// Property tests: every WebAssembly kernel (plain SIMD and, where the runtime has it, the relaxed-SIMD FMA build)
// agrees with the TypeScript reference on random shapes, including sizes that are not multiples of the SIMD
// width and single rows. Both kernel sets run on the same float32 arena, on the same inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Arena } from "../../src/core/arena.js";
import {
  availableWasmKernels,
  Broadcast,
  initKernels,
  type Kernels,
  selectKernels,
} from "../../src/core/kernels/index.js";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError } from "../../src/errors.js";

const arena = new Arena();
const ref = selectKernels(arena, "ts");
const variants: Kernels[] = [selectKernels(arena, "wasm-simd")];
if (availableWasmKernels().relaxed) variants.push(selectKernels(arena, "wasm-relaxed"));

const RUNS = { numRuns: 40 };
const dim = fc.integer({ min: 1, max: 37 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Allocate `n` floats filled by `gen`. */
function rand(rng: Rng, n: number, lo = -1, hi = 1): number {
  const off = arena.alloc(n);
  for (let i = 0; i < n; i++) arena.view[off + i] = rng.uniformRange(lo, hi);
  return off;
}

function read(off: number, n: number): number[] {
  return Array.from(arena.view.subarray(off, off + n));
}

function dup(off: number, n: number): number {
  const c = arena.alloc(n);
  arena.view.copyWithin(c, off, off + n);
  return c;
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    const err = Math.abs(a - e);
    assert.ok(err <= tol * (1 + Math.abs(e)), `${what}[${i}]: ${a} vs reference ${e} (|diff| ${err} > ${tol})`);
  }
}

/** Run `body` for each wasm variant inside an arena scope. */
function forEachVariant(body: (k: Kernels) => void): void {
  for (const k of variants) arena.scoped(() => body(k));
}

test("wasm SIMD kernels load in this runtime; auto prefers the relaxed (FMA) build where it exists", async () => {
  assert.equal(variants[0].name, "wasm-simd");
  await initKernels(); // the browsers' asynchronous path; harmless when the modules are already compiled
  const auto = selectKernels(new Arena(), "auto").name;
  assert.equal(auto, availableWasmKernels().relaxed ? "wasm-relaxed" : "wasm-simd");
  assert.equal(selectKernels(new Arena(), "wasm").name, auto);
});

test("matmul agrees with the reference for all transposes, accumulate, odd sizes and m = 1", () => {
  fc.assert(
    fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.boolean(), seed, (m, k, n, ta, tb, acc, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const a = rand(rng, m * k);
        const b = rand(rng, k * n);
        const c0 = rand(rng, m * n);
        const c1 = dup(c0, m * n);
        ref.matmul(a, b, c0, m, k, n, ta, tb, acc);
        w.matmul(a, b, c1, m, k, n, ta, tb, acc);
        assertClose(read(c1, m * n), read(c0, m * n), 2e-6 * (k + 1), `${w.name} matmul ${m}x${k}x${n} ${ta}${tb}`);
      });
    }),
    { numRuns: 120 },
  );
  // m = 1 (acting) with transB takes the dot-product path; large enough sizes take the 4x8 blocks
  for (const [m, k, n] of [
    [1, 64, 64],
    [1, 4, 2],
    [64, 64, 64],
    [67, 33, 70],
  ]) {
    for (const tb of [false, true]) {
      forEachVariant((w) => {
        const rng = new Rng(m * 1000 + n);
        const a = rand(rng, m * k);
        const b = rand(rng, k * n);
        const c0 = arena.alloc(m * n);
        const c1 = arena.alloc(m * n);
        ref.matmul(a, b, c0, m, k, n, false, tb, false);
        w.matmul(a, b, c1, m, k, n, false, tb, false);
        assertClose(read(c1, m * n), read(c0, m * n), 2e-6 * k, `${w.name} matmul ${m}x${k}x${n} transB=${tb}`);
      });
    }
  }
});

test("fused dense-layer kernels agree with matmul, bias and activation kernels run in turn", () => {
  const acts = ["none", "tanh", "relu"] as const;
  fc.assert(
    fc.property(dim, dim, dim, fc.constantFrom(...acts), fc.boolean(), seed, (m, k, n, act, inPlace, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        // forward: out = act(x W^T + b), W [n, k]
        const x = rand(rng, m * k, -2, 2);
        const wt = rand(rng, n * k);
        const b = rand(rng, n);
        const o0 = arena.alloc(m * n);
        const o1 = arena.alloc(m * n);
        ref.linear(x, wt, b, o0, m, k, n, act);
        w.linear(x, wt, b, o1, m, k, n, act);
        assertClose(read(o1, m * n), read(o0, m * n), 2e-6 * (k + 2), `${w.name} linear ${m}x${k}x${n} ${act}`);
        // backward to the layer below: gx = (gy W) * act'(y), y [m, k] (possibly gx itself)
        const gy = rand(rng, m * n);
        const y = act === "tanh" ? rand(rng, m * k, -1, 1) : rand(rng, m * k);
        const g0 = inPlace ? dup(y, m * k) : arena.alloc(m * k);
        const g1 = inPlace ? dup(y, m * k) : arena.alloc(m * k);
        ref.linearInputGrad(gy, wt, inPlace ? g0 : y, g0, m, n, k, act);
        w.linearInputGrad(gy, wt, inPlace ? g1 : y, g1, m, n, k, act);
        assertClose(
          read(g1, m * k),
          read(g0, m * k),
          2e-6 * (n + 1),
          `${w.name} linearInputGrad ${m}x${n}x${k} ${act}`,
        );
      });
    }),
    { numRuns: 120 },
  );
});

test("linear's relu keeps NaN and its gradient epilogues zero exactly where the activation is flat", () => {
  forEachVariant((w) => {
    // 5 rows x 9 columns takes the 4x8 tile, the single-row tile and the one-column edge
    const [m, k, n] = [5, 3, 9];
    const x = arena.alloc(m * k);
    const wt = arena.alloc(n * k);
    const b = arena.alloc(n);
    arena.view.fill(0, x, x + m * k);
    arena.view.fill(0, wt, wt + n * k);
    for (let j = 0; j < n; j++) arena.view[b + j] = j % 3 === 0 ? Number.NaN : j - 4;
    const out = arena.alloc(m * n);
    w.linear(x, wt, b, out, m, k, n, "relu");
    for (let i = 0; i < m * n; i++) {
      const j = i % n;
      const want = j % 3 === 0 ? Number.NaN : Math.max(j - 4, 0);
      assert.ok(
        Object.is(arena.view[out + i], want) || (want === 0 && arena.view[out + i] === 0),
        `${w.name} relu[${i}]`,
      );
    }
    const gy = arena.alloc(m * k);
    arena.view.fill(1, gy, gy + m * k);
    const y = arena.alloc(m * n);
    for (let i = 0; i < m * n; i++) arena.view[y + i] = i % 2 === 0 ? -0.5 : 1;
    const wk = arena.alloc(k * n);
    arena.view.fill(1, wk, wk + k * n);
    const gx = arena.alloc(m * n);
    w.linearInputGrad(gy, wk, y, gx, m, k, n, "relu");
    for (let i = 0; i < m * n; i++) assert.equal(arena.view[gx + i], i % 2 === 0 ? 0 : k, `${w.name} relu grad[${i}]`);
    w.linearInputGrad(gy, wk, y, gx, m, k, n, "tanh");
    for (let i = 0; i < m * n; i++)
      assert.equal(arena.view[gx + i], i % 2 === 0 ? k * 0.75 : 0, `${w.name} tanh grad[${i}]`);
  });
});

test("narrow A^T·B edge columns keep the scalar tile's arithmetic exactly (tuned learning results depend on it)", () => {
  // each element: s = fl(s + fl(a * b)) in order over p, then C + s; no fused multiply-add even in the relaxed build
  for (const [m, k, n] of [
    [20, 37, 3],
    [16, 8, 2],
    [7, 5, 1],
  ]) {
    for (const acc of [false, true]) {
      forEachVariant((w) => {
        const rng = new Rng(m * 100 + n);
        const a = rand(rng, k * m, -3, 3); // stored [k, m]: op(A) = A^T
        const b = rand(rng, k * n);
        const c = rand(rng, m * n);
        const before = read(c, m * n);
        w.matmul(a, b, c, m, k, n, true, false, acc);
        const v = arena.view;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(v[a + p * m + i] * v[b + p * n + j]));
            const want = acc ? Math.fround(before[i * n + j] + s) : s;
            assert.equal(v[c + i * n + j], want, `${w.name} ${m}x${k}x${n} acc=${acc} C[${i}, ${j}]`);
          }
        }
      });
    }
  }
});

test("matmul reference computes the textbook product", () => {
  const f64 = new Arena({ dtype: "float64" });
  const k = selectKernels(f64, "auto");
  assert.equal(k.name, "ts");
  const a = f64.alloc(6); // A [2,3]
  const b = f64.alloc(6); // B [3,2]
  const c = f64.alloc(4);
  f64.view.set([1, 2, 3, 4, 5, 6], a);
  f64.view.set([7, 8, 9, 10, 11, 12], b);
  k.matmul(a, b, c, 2, 3, 2, false, false, false);
  assert.deepEqual(Array.from(f64.view.subarray(c, c + 4)), [58, 64, 139, 154]);
  // A^T stored [3,2] as A's transpose, B^T stored [2,3]; accumulate adds a second copy
  const at = f64.alloc(6);
  const bt = f64.alloc(6);
  f64.view.set([1, 4, 2, 5, 3, 6], at);
  f64.view.set([7, 9, 11, 8, 10, 12], bt);
  k.matmul(at, bt, c, 2, 3, 2, true, true, true);
  assert.deepEqual(Array.from(f64.view.subarray(c, c + 4)), [116, 128, 278, 308]);
});

const modes = fc.constantFrom(Broadcast.Full, Broadcast.Row, Broadcast.Col, Broadcast.Scalar);
const operandSize = (mode: Broadcast, rows: number, cols: number): number =>
  mode === Broadcast.Full ? rows * cols : mode === Broadcast.Row ? cols : mode === Broadcast.Col ? rows : 1;

test("binary elementwise kernels agree under every broadcast mode, with and without accumulate", () => {
  const ops = ["add", "sub", "mul", "div", "minimum", "maximum"] as const;
  fc.assert(
    fc.property(
      fc.constantFrom(...ops),
      modes,
      modes,
      dim,
      dim,
      fc.boolean(),
      seed,
      (op, am, bm, rows, cols, acc, s) => {
        forEachVariant((w) => {
          const rng = new Rng(s);
          const a = rand(rng, operandSize(am, rows, cols));
          // keep divisors away from 0
          const b =
            op === "div" ? rand(rng, operandSize(bm, rows, cols), 0.5, 2) : rand(rng, operandSize(bm, rows, cols));
          const o0 = rand(rng, rows * cols);
          const o1 = dup(o0, rows * cols);
          ref[op](a, am, b, bm, o0, rows, cols, acc);
          w[op](a, am, b, bm, o1, rows, cols, acc);
          assertClose(read(o1, rows * cols), read(o0, rows * cols), 1e-6, `${w.name} ${op} ${am}/${bm}`);
        });
      },
    ),
    { numRuns: 150 },
  );
});

test("binary kernels may write in place over a full operand", () => {
  forEachVariant((w) => {
    const rng = new Rng(3);
    const a = rand(rng, 10);
    const b = rand(rng, 10);
    const expect = dup(a, 10);
    ref.mul(expect, Broadcast.Full, b, Broadcast.Full, expect, 2, 5, false);
    w.mul(a, Broadcast.Full, b, Broadcast.Full, a, 2, 5, false);
    assertClose(read(a, 10), read(expect, 10), 1e-7, `${w.name} in-place mul`);
  });
});

test("unary kernels may write in place", () => {
  const unary = ["neg", "exp", "log", "sqrt", "square", "tanh", "relu"] as const;
  forEachVariant((w) => {
    for (const op of unary) {
      const x = rand(new Rng(5), 11, 0.1, 3);
      const expect = arena.alloc(11);
      ref[op](x, expect, 11);
      w[op](x, x, 11);
      assertClose(read(x, 11), read(expect, 11), 4e-7, `${w.name} in-place ${op}`);
    }
  });
});

test("unary, scalar and copy kernels agree", () => {
  const unary = ["neg", "exp", "log", "sqrt", "square", "tanh", "relu"] as const;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 70 }), seed, (n, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        for (const op of unary) {
          const positive = op === "log" || op === "sqrt";
          const x = positive ? rand(rng, n, 0.01, 5) : rand(rng, n, -4, 4);
          const o0 = arena.alloc(n);
          const o1 = arena.alloc(n);
          ref[op](x, o0, n);
          w[op](x, o1, n);
          assertClose(read(o1, n), read(o0, n), 2e-6, `${w.name} ${op}`);
        }
        const x = rand(rng, n, -3, 3);
        const y0 = rand(rng, n);
        const y1 = dup(y0, n);
        const o0 = arena.alloc(n);
        const o1 = arena.alloc(n);
        ref.clamp(x, -0.5, 1.25, o0, n);
        w.clamp(x, -0.5, 1.25, o1, n);
        assertClose(read(o1, n), read(o0, n), 0, `${w.name} clamp`);
        ref.scale(x, -1.7, o0, n);
        w.scale(x, -1.7, o1, n);
        assertClose(read(o1, n), read(o0, n), 1e-7, `${w.name} scale`);
        ref.addScalar(x, 0.3, o0, n);
        w.addScalar(x, 0.3, o1, n);
        assertClose(read(o1, n), read(o0, n), 1e-7, `${w.name} addScalar`);
        ref.axpy(0.75, x, y0, n);
        w.axpy(0.75, x, y1, n);
        assertClose(read(y1, n), read(y0, n), 1e-6, `${w.name} axpy`);
        w.fill(o1, 2.5, n);
        assert.deepEqual(read(o1, n), new Array(n).fill(2.5));
        w.copy(x, o1, n);
        assert.deepEqual(read(o1, n), read(x, n));
      });
    }),
    RUNS,
  );
});

test("NaN propagates through relu, clamp, minimum and maximum like the reference", () => {
  forEachVariant((w) => {
    for (const n of [3, 8]) {
      const x = arena.alloc(n);
      arena.view.fill(Number.NaN, x, x + n);
      const o = arena.alloc(n);
      w.relu(x, o, n);
      assert.ok(read(o, n).every(Number.isNaN), `${w.name} relu(NaN)`);
      w.clamp(x, 0, 1, o, n);
      assert.ok(read(o, n).every(Number.isNaN), `${w.name} clamp(NaN)`);
      const one = arena.alloc(1);
      arena.view[one] = 1;
      w.minimum(x, Broadcast.Full, one, Broadcast.Scalar, o, 1, n, false);
      assert.ok(read(o, n).every(Number.isNaN), `${w.name} minimum(NaN, 1)`);
      w.maximum(one, Broadcast.Scalar, x, Broadcast.Full, o, 1, n, false);
      assert.ok(read(o, n).every(Number.isNaN), `${w.name} maximum(1, NaN)`);
    }
  });
});

test("vectorised log is within about 1 ulp over the positive floats, subnormals and special values included", () => {
  const rng = new Rng(13);
  // the mantissa range switches at sqrt(1/2): both floats beside it
  const edge = Math.fround(Math.SQRT1_2);
  const values = [
    1,
    2,
    0.5,
    edge,
    Math.fround(edge * (1 + 2 ** -23)),
    1 + 2 ** -23,
    1 - 2 ** -24,
    1e-45,
    1e-40,
    1.1754944e-38,
    3.4e38,
  ];
  for (let i = 0; i < 4001; i++) values.push(Math.exp(rng.uniformRange(-103, 88.7))); // odd count: a partial vector
  const special: [number, number][] = [
    [0, Number.NEGATIVE_INFINITY],
    [-0, Number.NEGATIVE_INFINITY],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    [-1, Number.NaN],
    [Number.NEGATIVE_INFINITY, Number.NaN],
    [Number.NaN, Number.NaN],
  ];
  const all = [...special.map(([v]) => v), ...values];
  const n = all.length;
  forEachVariant((w) => {
    const x = arena.alloc(n);
    arena.view.set(all, x);
    const out = arena.alloc(n);
    w.log(x, out, n);
    special.forEach(([v, want], i) => {
      assert.ok(Object.is(arena.view[out + i], want), `${w.name} log(${v})`);
    });
    for (let i = special.length; i < n; i++) {
      const v = arena.view[x + i];
      const want = Math.fround(Math.log(v));
      const got = arena.view[out + i];
      // one float32 ulp of the result (2^-149 near 0: log(1 +- ulp) is itself tiny)
      const ulp = Math.max(Math.abs(want) * 2 ** -23, 2 ** -149);
      assert.ok(Math.abs(got - want) <= 1.01 * ulp, `${w.name} log(${v}) = ${got}, expected ${want}`);
    }
  });
});

test("vectorised exp and tanh stay accurate over the whole float range, special values included", () => {
  const xs = [0, -0, 1e-8, -1e-3, 0.3, 0.6249, 0.625, -0.7, 1, -2.5, 8.9, 9.5, 20, -20, 87, 88.5, 89, -87, -88, -100];
  const special = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
  const rng = new Rng(11);
  const values = [...xs, ...special];
  for (let i = 0; i < 2001; i++) values.push(rng.uniformRange(-12, 12)); // odd count: the partial last vector
  const n = values.length;
  forEachVariant((w) => {
    const x = arena.alloc(n);
    arena.view.set(values, x);
    const t = arena.alloc(n);
    const e = arena.alloc(n);
    w.tanh(x, t, n);
    w.exp(x, e, n);
    for (let i = 0; i < n; i++) {
      const v = arena.view[x + i];
      const tanhRef = Math.fround(Math.tanh(v));
      const expRef = Math.fround(Math.exp(v));
      const tv = arena.view[t + i];
      const ev = arena.view[e + i];
      if (Number.isNaN(v)) {
        assert.ok(Number.isNaN(tv) && Number.isNaN(ev), `${w.name}: NaN must propagate`);
        continue;
      }
      // the rational tanh approximation is a few ulp off where tanh nears +-1
      assert.ok(Math.abs(tv - tanhRef) <= 4e-7, `${w.name} tanh(${v}) = ${tv}, expected ${tanhRef}`);
      const ok = ev === expRef || Math.abs(ev - expRef) <= 3e-7 * expRef || Math.abs(ev - expRef) < 1e-44;
      assert.ok(ok, `${w.name} exp(${v}) = ${ev}, expected ${expRef}`);
    }
  });
});

test("broadcast expands every mode", () => {
  fc.assert(
    fc.property(modes, dim, dim, seed, (mode, rows, cols, s) => {
      forEachVariant((w) => {
        const src = rand(new Rng(s), operandSize(mode, rows, cols));
        const o0 = arena.alloc(rows * cols);
        const o1 = arena.alloc(rows * cols);
        ref.broadcast(src, mode, o0, rows, cols);
        w.broadcast(src, mode, o1, rows, cols);
        assert.deepEqual(read(o1, rows * cols), read(o0, rows * cols));
      });
    }),
    RUNS,
  );
});

test("where and maskedGrad agree", () => {
  fc.assert(
    fc.property(modes, modes, dim, dim, fc.boolean(), fc.boolean(), seed, (am, bm, rows, cols, neg, acc, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const n = rows * cols;
        const mask = new Uint8Array(n);
        for (let i = 0; i < n; i++) mask[i] = rng.int(3); // 0, 1 or 2 (nonzero = true)
        const a = rand(rng, operandSize(am, rows, cols));
        const b = rand(rng, operandSize(bm, rows, cols));
        const o0 = arena.alloc(n);
        const o1 = arena.alloc(n);
        ref.where(mask, a, am, b, bm, o0, rows, cols);
        w.where(mask, a, am, b, bm, o1, rows, cols);
        assert.deepEqual(read(o1, n), read(o0, n));
        const g = rand(rng, n);
        const g0 = rand(rng, n);
        const g1 = dup(g0, n);
        ref.maskedGrad(mask, neg, g, g0, n, acc);
        w.maskedGrad(mask, neg, g, g1, n, acc);
        assertClose(read(g1, n), read(g0, n), 1e-7, `${w.name} maskedGrad`);
      });
    }),
    RUNS,
  );
  forEachVariant((w) => {
    assert.throws(() => w.where(new Uint8Array(3), 0, 0, 0, 0, 0, 2, 2), InvalidArgumentError);
    assert.throws(() => w.maskedGrad(new Uint8Array(3), false, 0, 0, 4, false), InvalidArgumentError);
  });
});

test("backward helpers agree (tanh, relu, clamp, min/max with ties)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 70 }), fc.boolean(), fc.boolean(), seed, (n, acc, isMax, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const x = rand(rng, n, -2, 2);
        const y = arena.alloc(n);
        ref.tanh(x, y, n);
        const gy = rand(rng, n);
        const cases: [string, (k: Kernels, gx: number) => void][] = [
          ["tanhBackward", (k, gx) => k.tanhBackward(y, gy, gx, n, acc)],
          ["reluBackward", (k, gx) => k.reluBackward(x, gy, gx, n, acc)],
          ["clampBackward", (k, gx) => k.clampBackward(x, -1, 0.5, gy, gx, n, acc)],
        ];
        for (const [name, run] of cases) {
          const g0 = rand(rng, n);
          const g1 = dup(g0, n);
          run(ref, g0);
          run(w, g1);
          assertClose(read(g1, n), read(g0, n), 1e-6, `${w.name} ${name}`);
        }
        // b equals a on every third element: ties split the gradient in half
        const b = rand(rng, n, -2, 2);
        for (let i = 0; i < n; i += 3) arena.view[b + i] = arena.view[x + i];
        const ga0 = arena.alloc(n);
        const gb0 = arena.alloc(n);
        const ga1 = arena.alloc(n);
        const gb1 = arena.alloc(n);
        ref.minMaxBackward(x, b, gy, ga0, gb0, n, isMax);
        w.minMaxBackward(x, b, gy, ga1, gb1, n, isMax);
        assert.deepEqual(read(ga1, n), read(ga0, n));
        assert.deepEqual(read(gb1, n), read(gb0, n));
        for (let i = 0; i < n; i += 3) assert.equal(arena.view[ga0 + i], 0.5 * arena.view[gy + i]);
      });
    }),
    RUNS,
  );
});

test("reductions agree (sum all / rows / cols, max, argmax, sum of squares, dot)", () => {
  fc.assert(
    fc.property(dim, fc.integer({ min: 1, max: 70 }), fc.boolean(), seed, (rows, cols, acc, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const n = rows * cols;
        const x = rand(rng, n);
        const y = rand(rng, n);
        const pairs: [string, number, (k: Kernels, out: number) => void][] = [
          ["sumAll", 1, (k, o) => k.sumAll(x, o, n, acc)],
          ["sumRows", rows, (k, o) => k.sumRows(x, o, rows, cols, acc)],
          ["sumCols", cols, (k, o) => k.sumCols(x, o, rows, cols, acc)],
          ["maxRows", rows, (k, o) => k.maxRows(x, o, rows, cols)],
        ];
        for (const [name, len, run] of pairs) {
          const o0 = rand(rng, len);
          const o1 = dup(o0, len);
          run(ref, o0);
          run(w, o1);
          assertClose(read(o1, len), read(o0, len), 1e-6 * Math.sqrt(n), `${w.name} ${name}`);
        }
        const am0 = new Int32Array(rows);
        const am1 = new Int32Array(rows);
        ref.argmaxRows(x, am0, rows, cols);
        w.argmaxRows(x, am1, rows, cols);
        assert.deepEqual(am1, am0);
        const tol = 1e-6 * n;
        assert.ok(Math.abs(w.sumSquares(x, n) - ref.sumSquares(x, n)) <= tol, `${w.name} sumSquares`);
        assert.ok(Math.abs(w.dot(x, y, n) - ref.dot(x, y, n)) <= tol, `${w.name} dot`);
      });
    }),
    RUNS,
  );
});

test("argmaxRows takes the first maximum", () => {
  forEachVariant((w) => {
    const x = arena.alloc(6);
    arena.view.set([1, 3, 3, 5, 5, 0], x);
    const out = new Int32Array(2);
    w.argmaxRows(x, out, 2, 3);
    assert.deepEqual(Array.from(out), [1, 0]);
  });
});

test("logSoftmax and its backward agree, and rows of exp(logSoftmax) sum to 1", () => {
  fc.assert(
    fc.property(dim, dim, fc.boolean(), seed, (rows, cols, acc, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const n = rows * cols;
        const x = rand(rng, n, -20, 20);
        const y0 = arena.alloc(n);
        const y1 = arena.alloc(n);
        ref.logSoftmax(x, y0, rows, cols);
        w.logSoftmax(x, y1, rows, cols);
        assertClose(read(y1, n), read(y0, n), 2e-6, `${w.name} logSoftmax`);
        for (let r = 0; r < rows; r++) {
          let s1 = 0;
          for (let c = 0; c < cols; c++) s1 += Math.exp(arena.view[y1 + r * cols + c]);
          assert.ok(Math.abs(s1 - 1) < 1e-5, `${w.name} softmax row ${r} sums to ${s1}`);
        }
        const gy = rand(rng, n);
        const g0 = rand(rng, n);
        const g1 = dup(g0, n);
        ref.logSoftmaxBackward(y0, gy, g0, rows, cols, acc);
        w.logSoftmaxBackward(y0, gy, g1, rows, cols, acc);
        assertClose(read(g1, n), read(g0, n), 2e-6 * cols, `${w.name} logSoftmaxBackward`);
      });
    }),
    RUNS,
  );
});

test("gather and scatterAddRows agree and reject out-of-range indices", () => {
  fc.assert(
    fc.property(dim, dim, seed, (rows, cols, s) => {
      forEachVariant((w) => {
        const rng = new Rng(s);
        const x = rand(rng, rows * cols);
        const index = new Int32Array(rows);
        for (let r = 0; r < rows; r++) index[r] = rng.int(cols);
        const o0 = arena.alloc(rows);
        const o1 = arena.alloc(rows);
        ref.gather(x, index, o0, rows, cols);
        w.gather(x, index, o1, rows, cols);
        assert.deepEqual(read(o1, rows), read(o0, rows));
        const g0 = rand(rng, rows * cols);
        const g1 = dup(g0, rows * cols);
        ref.scatterAddRows(o0, index, g0, rows, cols);
        w.scatterAddRows(o0, index, g1, rows, cols);
        assert.deepEqual(read(g1, rows * cols), read(g0, rows * cols));
      });
    }),
    RUNS,
  );
  for (const k of [ref, ...variants]) {
    assert.throws(() => k.gather(0, Int32Array.of(0, 3), 0, 2, 3), InvalidArgumentError);
    assert.throws(() => k.gather(0, Int32Array.of(-1, 0), 0, 2, 3), InvalidArgumentError);
    assert.throws(() => k.scatterAddRows(0, Int32Array.of(0), 0, 2, 3), InvalidArgumentError);
  }
});

test("fused optimizer steps agree with the reference over several steps", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 45 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(0, 0.9),
      fc.constantFrom(0, 0.01),
      seed,
      (n, f1, f2, f3, momentum, wd, s) => {
        forEachVariant((w) => {
          const rng = new Rng(s);
          const grad = rand(rng, n);
          // two copies of (param, state...) stepped by each implementation
          const mk = (len: number, lo = -1, hi = 1) => {
            const a = rand(rng, len, lo, hi);
            return [a, dup(a, len)] as const;
          };
          const [p0, p1] = mk(n);
          const [m0, m1] = mk(n);
          const [v0, v1] = mk(n, 0, 1);
          const [b0, b1] = mk(n);
          const [a0, a1] = mk(n, -0.1, 0.1);
          for (let t = 1; t <= 3; t++) {
            ref.adamStep(p0, grad, m0, v0, n, 1e-2, 0.9, 0.999, 1e-8, wd, t);
            w.adamStep(p1, grad, m1, v1, n, 1e-2, 0.9, 0.999, 1e-8, wd, t);
          }
          assertClose(read(p1, n), read(p0, n), 1e-5, `${w.name} adam param`);
          assertClose(read(m1, n), read(m0, n), 1e-5, `${w.name} adam m`);
          assertClose(read(v1, n), read(v0, n), 1e-5, `${w.name} adam v`);
          for (let t = 1; t <= 3; t++) {
            ref.rmspropStep(p0, grad, v0, b0, a0, n, 7e-4, 0.99, 1e-5, wd, momentum, f1, f2);
            w.rmspropStep(p1, grad, v1, b1, a1, n, 7e-4, 0.99, 1e-5, wd, momentum, f1, f2);
          }
          assertClose(read(p1, n), read(p0, n), 1e-5, `${w.name} rmsprop param (centered ${f1}, tf ${f2})`);
          assertClose(read(v1, n), read(v0, n), 1e-5, `${w.name} rmsprop sq`);
          assertClose(read(b1, n), read(b0, n), 1e-4, `${w.name} rmsprop buf`);
          for (let t = 1; t <= 3; t++) {
            ref.sgdStep(p0, grad, b0, n, 0.1, momentum, 0.1, f3, wd, t === 1);
            w.sgdStep(p1, grad, b1, n, 0.1, momentum, 0.1, f3, wd, t === 1);
          }
          assertClose(read(p1, n), read(p0, n), 1e-5, `${w.name} sgd param (nesterov ${f3})`);
        });
      },
    ),
    RUNS,
  );
});

test("reference optimizer steps match hand-computed values", () => {
  const f64 = new Arena({ dtype: "float64" });
  const k = selectKernels(f64, "ts");
  const [p, g, m, v, buf] = [f64.alloc(1), f64.alloc(1), f64.alloc(1), f64.alloc(1), f64.alloc(1)];
  const set = (off: number, x: number) => {
    f64.view[off] = x;
  };
  const near = (off: number, expected: number, what: string) =>
    assert.ok(Math.abs(f64.view[off] - expected) < 1e-12, `${what}: ${f64.view[off]} vs hand-computed ${expected}`);
  // Adam, first step: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2: p -= lr * g / (|g| + eps)
  set(p, 1);
  set(g, 0.5);
  set(m, 0);
  set(v, 0);
  k.adamStep(p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0, 1);
  const p1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
  near(p, p1, "adam step 1");
  // second step, same gradient: m = 0.9*0.05 + 0.1*0.5, v = 0.999*0.00025 + 0.001*0.25, bias-corrected
  k.adamStep(p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0, 2);
  const mHat = (0.9 * 0.05 + 0.1 * 0.5) / (1 - 0.9 ** 2);
  const vHat = (0.999 * 0.00025 + 0.001 * 0.25) / (1 - 0.999 ** 2);
  near(p, p1 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8), "adam step 2");
  // Adam with L2 weight decay: g' = g + wd p
  set(p, 2);
  set(m, 0);
  set(v, 0);
  k.adamStep(p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0.25, 1);
  near(p, 2 - (0.1 * 1) / (1 + 1e-8), "adam weight decay");
  // RMSprop (PyTorch): sq = 0.01 * 4 = 0.04, p -= 0.1 * 2 / (sqrt(0.04) + 0.1)
  set(p, 1);
  set(g, 2);
  set(v, 0);
  k.rmspropStep(p, g, v, 0, 0, 1, 0.1, 0.99, 0.1, 0, 0, false, false);
  near(p, 1 - 0.2 / 0.3, "rmsprop");
  // RMSprop TF-like (sq starts at 1): sq = 0.99 + 0.04, p -= 0.1 * 2 / sqrt(1.03 + 0.1)
  set(p, 1);
  set(v, 1);
  k.rmspropStep(p, g, v, 0, 0, 1, 0.1, 0.99, 0.1, 0, 0, false, true);
  near(p, 1 - 0.2 / Math.sqrt(1.13), "rmsprop eps inside sqrt");
  // SGD momentum 0.9: step 1 buf = g, step 2 buf = 0.9 g + g
  set(p, 1);
  set(g, 1);
  k.sgdStep(p, g, buf, 1, 0.1, 0.9, 0, false, 0, true);
  k.sgdStep(p, g, buf, 1, 0.1, 0.9, 0, false, 0, false);
  near(p, 1 - 0.1 - 0.19, "sgd momentum");
  // Nesterov: step 1 g + 0.9 buf = 1.9 g
  set(p, 1);
  k.sgdStep(p, g, buf, 1, 0.1, 0.9, 0, true, 0, true);
  near(p, 1 - 0.19, "sgd nesterov");
});

test("wasm kernels keep working after the arena grows (pointers, not views)", () => {
  const small = new Arena({ initialBytes: 65536 });
  const w = selectKernels(small, "wasm");
  const x = small.alloc(4);
  small.view.set([1, 2, 3, 4], x);
  const gen = small.generation;
  const big = small.alloc(100_000); // forces growth
  assert.ok(small.generation > gen);
  w.fill(big, 1, 100_000);
  const out = small.alloc(1);
  w.sumAll(big, out, 100_000, false);
  assert.equal(small.view[out], 100_000);
  w.scale(x, 2, x, 4);
  assert.deepEqual(Array.from(small.view.subarray(x, x + 4)), [2, 4, 6, 8]);
});

test("selectKernels validates its arguments", () => {
  const f64 = new Arena({ dtype: "float64" });
  assert.equal(selectKernels(f64).name, "ts");
  assert.throws(() => selectKernels(f64, "wasm"), InvalidArgumentError);
  assert.throws(() => selectKernels(arena, "gpu" as never), InvalidArgumentError);
});
