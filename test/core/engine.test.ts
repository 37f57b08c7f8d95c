import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, getDefaultEngine } from "../../src/core/engine.js";
import * as op from "../../src/core/ops.js";
import type { Tensor } from "../../src/core/tensor.js";
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";

test("scope frees its tensors and tape; using a freed tensor throws", () => {
  const e = new Engine();
  const w = e.parameter([2]);
  const before = e.arena.usedBytes;
  let leaked: Tensor | null = null;
  const v = e.scope(() => {
    const t = e.tensor([1, 2], [2]);
    leaked = op.mul(t, w);
    assert.equal(e.tapeLength, 1);
    return leaked.toArray();
  });
  assert.deepEqual(v, [0, 0]);
  assert.equal(e.arena.usedBytes, before);
  assert.equal(e.tapeLength, 0);
  assert.throws(() => (leaked as unknown as Tensor).toArray(), /after the scope/);
  assert.throws(() => op.add(leaked as unknown as Tensor, w), /after the scope/);
  assert.throws(() => e.scope(() => e.parameter([3])), /outside engine.scope/);
});

test("noGradScope records nothing, frees its tensors and restores gradient mode, also when fn throws", () => {
  const e = new Engine();
  const w = e.parameter([2]);
  const before = e.arena.usedBytes;
  const v = e.noGradScope(() => {
    const y = op.mul(e.tensor([1, 2], [2]), w);
    assert.equal(y.requiresGrad, false);
    assert.equal(e.tapeLength, 0);
    assert.equal(e.isGradEnabled, false);
    return y.toArray();
  });
  assert.deepEqual(v, [0, 0]);
  assert.equal(e.arena.usedBytes, before);
  assert.equal(e.isGradEnabled, true);
  assert.throws(() => e.noGradScope(() => e.parameter([1])), /outside engine.scope/);
  assert.equal(e.isGradEnabled, true);
  assert.equal(e.arena.usedBytes, before);
});

test("parameters lie back to back with their gradients at one distance (one kernel call per network)", () => {
  const e = new Engine();
  const a = e.parameter([3, 5]);
  const b = e.parameter([3]);
  const c = e.parameter([2, 2]);
  assert.equal(b.offset, a.offset + e.arena.paddedLength(a.size));
  assert.equal(c.offset, b.offset + e.arena.paddedLength(b.size));
  const shift = (a.grad as Tensor).offset - a.offset;
  for (const p of [b, c]) assert.equal((p.grad as Tensor).offset - p.offset, shift);
  for (const p of [a, b, c]) assert.deepEqual(p.toArray(), new Array(p.size).fill(0));
});

test("nested scopes free only their own allocations, also when fn throws", () => {
  const e = new Engine();
  e.scope(() => {
    const outer = e.tensor([1], [1]);
    const mark = e.arena.usedBytes;
    assert.throws(() =>
      e.scope(() => {
        e.zeros([100]);
        throw new Error("boom");
      }),
    );
    assert.equal(e.arena.usedBytes, mark);
    assert.equal(outer.item(), 1);
  });
});

test("noGrad records nothing and its outputs do not require grad", () => {
  const e = new Engine();
  const w = e.parameter([2]);
  e.scope(() => {
    const y = e.noGrad(() => op.tanh(op.mul(w, w)));
    assert.equal(y.requiresGrad, false);
    assert.equal(e.tapeLength, 0);
    assert.throws(() => e.backward(op.sum(y)), /does not require grad/);
  });
  assert.equal(e.isGradEnabled, true);
});

test("backward accumulates into parameters; scalar seed or upstream gradient; retainGraph", () => {
  const e = new Engine({ dtype: "float64" });
  const w = e.parameter([3]);
  w.set([1, 2, 3]);
  e.scope(() => {
    const y = op.square(w); // dy/dw = 2w
    e.backward(y, e.tensor([1, 0, 2], [3]), { retainGraph: true });
    assert.deepEqual((w.grad as Tensor).toArray(), [2, 0, 12]);
    e.backward(y, e.tensor([1, 1, 1], [3]));
    assert.deepEqual((w.grad as Tensor).toArray(), [4, 4, 18]);
    assert.equal(e.tapeLength, 0, "the tape is consumed without retainGraph");
    assert.throws(() => e.backward(y), ShapeError); // not a scalar
    assert.throws(() => e.backward(op.sum(op.square(w)), e.tensor([1, 2], [2])), ShapeError);
    assert.throws(
      () => e.backward(y, new Engine({ dtype: "float64" }).zeros([3])),
      /upstream must be a Tensor of this engine/,
    );
    assert.throws(() => e.backward(y, [1, 1, 1] as unknown as Tensor), InvalidArgumentError);
  });
  // a requiresGrad leaf made inside a scope gets its gradient there
  e.scope(() => {
    const x = e.tensor([1, -1], [2], { requiresGrad: true });
    e.backward(op.sum(op.mul(x, x)));
    assert.deepEqual((x.grad as Tensor).toArray(), [2, -2]);
  });
  // a leaf of an outer scope differentiated in an inner scope: its gradient lives only as long as the inner scope
  e.scope(() => {
    const x = e.tensor([3], [1], { requiresGrad: true });
    e.scope(() => {
      e.backward(op.sum(op.square(x)));
      assert.deepEqual((x.grad as Tensor).toArray(), [6]);
    });
    assert.equal(x.grad, null);
    e.backward(op.sum(op.mulScalar(x, 2)));
    assert.deepEqual((x.grad as unknown as Tensor).toArray(), [2]);
  });
  // intermediate gradients are freed: repeated backward on a retained graph does not grow memory
  e.scope(() => {
    const loss = op.sum(op.tanh(op.mul(w, w)));
    e.backward(loss, undefined, { retainGraph: true });
    const used = e.arena.usedBytes;
    for (let i = 0; i < 5; i++) e.backward(loss, undefined, { retainGraph: true });
    assert.equal(e.arena.usedBytes, used);
  });
});

test("shape errors name the op and both shapes", () => {
  const e = new Engine();
  e.scope(() => {
    const a = e.zeros([2, 3]);
    assert.throws(
      () => op.add(a, e.zeros([2])),
      (err: Error) => {
        return (
          err instanceof ShapeError &&
          /add/.test(err.message) &&
          /\[2, 3\]/.test(err.message) &&
          /\[2\]/.test(err.message)
        );
      },
    );
    assert.throws(() => op.matmul(a, e.zeros([2, 3])), /matmul: inner dimensions differ: \[2, 3\] · \[2, 3\]/);
    assert.throws(() => op.linear(a, e.zeros([4, 2])), ShapeError);
    assert.throws(() => op.linear(a, e.zeros([4, 3]), e.zeros([3])), /bias/);
    assert.throws(() => op.sum(a, 2), InvalidArgumentError);
    assert.throws(() => op.reshape(a, [4, 2]), ShapeError);
    assert.throws(() => e.tensor([1, 2, 3], [2, 2]), ShapeError);
    assert.throws(() => e.tensor([1], [-1]), InvalidArgumentError);
  });
});

test("gather and where validate indices, masks and dtypes", () => {
  const e = new Engine();
  e.scope(() => {
    const x = e.zeros([2, 3]);
    assert.throws(
      () => op.gather(x, Int32Array.from([0, 3])),
      (err: Error) => {
        return err instanceof InvalidArgumentError && /index\[1\] = 3 is outside \[0, 3\)/.test(err.message);
      },
    );
    assert.throws(() => op.gather(x, Int32Array.from([0, -1])), InvalidArgumentError);
    assert.throws(
      () => op.gather(x, Float64Array.from([0, 1]) as unknown as Int32Array),
      /must be an Int32Array, got Float64Array/,
    );
    assert.throws(() => op.gather(x, Int32Array.from([0])), ShapeError);
    assert.throws(() => op.where(new Uint8Array(5), x, x), ShapeError);
    assert.throws(() => op.where([1, 0] as unknown as Uint8Array, x, x), /Uint8Array/);
    assert.throws(() => op.add(x, [1, 2, 3] as unknown as Tensor), /expected a Tensor/);
    assert.throws(() => op.clamp(x, 1, 0), InvalidArgumentError);
    assert.throws(() => op.mulScalar(x, Number.NaN), InvalidArgumentError);
  });
  const other = new Engine();
  assert.throws(() => op.add(e.zeros([1]), other.zeros([1])), /different engines/);
});

test("gather and where keep their own copy of the index/mask for backward", () => {
  const e = new Engine({ dtype: "float64" });
  const w = e.parameter([2, 2]);
  e.scope(() => {
    const idx = Int32Array.from([1, 0]);
    const y = op.gather(w, idx);
    idx[0] = 0; // reusing the buffer before backward must not change the gradient
    e.backward(op.sum(y));
  });
  assert.deepEqual((w.grad as Tensor).toArray(), [0, 1, 1, 0]);
});

test("check mode: NaN/Infinity in an op's output or gradient raises NonFiniteError naming the op", () => {
  const e = new Engine({ checkFinite: true });
  const w = e.parameter([2]);
  e.scope(() => {
    assert.throws(
      () => op.log(e.tensor([1, -1], [2])),
      (err: Error) => err instanceof NonFiniteError && /^log:/.test(err.message),
    );
    assert.throws(() => e.tensor([1, Number.NaN], [2]), NonFiniteError);
    assert.throws(() => op.div(e.tensor([1, 1], [2]), e.zeros([2])), /div: output/);
    // sqrt(0) is finite but its gradient 0.5/sqrt(0) is not
    const y = op.sum(op.sqrt(w));
    assert.throws(
      () => e.backward(y),
      (err: Error) => err instanceof NonFiniteError && /sqrt \(backward\)/.test(err.message),
    );
  });
  const quiet = new Engine();
  quiet.scope(() => assert.ok(Number.isNaN(op.log(quiet.tensor([-1], [1])).item())));
});

test("engine options are validated; the default engine is float32", () => {
  assert.throws(() => new Engine({ dtype: "int8" as "float32" }), InvalidArgumentError);
  assert.throws(() => new Engine({ kernels: "gpu" as "ts" }), InvalidArgumentError);
  assert.equal(getDefaultEngine().dtype, "float32");
  assert.equal(getDefaultEngine(), getDefaultEngine());
  const e64 = new Engine({ dtype: "float64" });
  assert.equal(e64.kernels.name, "ts");
  assert.ok(e64.arena.view instanceof Float64Array);
});

test("tensors stay correct when the arena grows (views are refreshed)", () => {
  const e = new Engine({ initialBytes: 65536 });
  const p = e.parameter([4]);
  p.set([1, 2, 3, 4]);
  e.scope(() => {
    const y = op.mulScalar(p, 2);
    e.zeros([100000]); // forces growth
    assert.deepEqual(y.toArray(), [2, 4, 6, 8]);
    assert.deepEqual(op.add(y, p).toArray(), [3, 6, 9, 12]);
  });
});
