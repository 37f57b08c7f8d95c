import assert from "node:assert/strict";
import { test } from "node:test";
import { Arena } from "../../src/core/arena.js";
import { InvalidArgumentError } from "../../src/errors.js";

test("alloc returns 16-byte aligned element offsets past the reserved head, never 0", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const a = new Arena({ dtype });
    const bpe = dtype === "float32" ? 4 : 8;
    let prevEnd = 0;
    for (const n of [1, 3, 4, 5, 0, 17, 2]) {
      const off = a.alloc(n);
      assert.ok(off > 0);
      assert.equal((off * bpe) % 16, 0, `${dtype} alloc(${n}) at ${off} is not 16-byte aligned`);
      assert.ok(off * bpe >= a.reservedBytes);
      assert.ok(off >= prevEnd, "allocations do not overlap");
      prevEnd = off + n;
    }
    assert.ok(a.view instanceof (dtype === "float32" ? Float32Array : Float64Array));
  }
});

test("mark/release frees temporaries and reuses the same memory", () => {
  const a = new Arena();
  const keep = a.alloc(10);
  const m = a.mark();
  const used = a.usedBytes;
  const t1 = a.alloc(100);
  a.alloc(7);
  assert.ok(a.usedBytes > used);
  a.release(m);
  assert.equal(a.usedBytes, used);
  assert.equal(a.alloc(100), t1, "a released block is handed out again");
  assert.ok(keep < t1);
  assert.ok(a.peakUsedBytes >= used + 100 * 4);
});

test("a loop of scoped steps keeps the arena flat", () => {
  const a = new Arena({ initialBytes: 65536 });
  a.alloc(1000); // persistent
  for (let i = 0; i < 10; i++) a.scoped(() => a.alloc(5000));
  const capacity = a.capacityBytes;
  const used = a.usedBytes;
  for (let i = 0; i < 10_000; i++) {
    a.scoped(() => {
      a.alloc(3000);
      a.scoped(() => a.alloc(2000));
    });
  }
  assert.equal(a.capacityBytes, capacity);
  assert.equal(a.usedBytes, used);
});

test("scoped releases even when the body throws", () => {
  const a = new Arena();
  const used = a.usedBytes;
  assert.throws(() =>
    a.scoped(() => {
      a.alloc(50);
      throw new Error("boom");
    }),
  );
  assert.equal(a.usedBytes, used);
});

test("growth keeps data and offsets, and refreshes the view in place", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const a = new Arena({ dtype, initialBytes: 65536 });
    const x = a.alloc(8);
    a.view.set([1, 2, 3, 4, 5, 6, 7, 8], x);
    const oldView = a.view;
    const gen = a.generation;
    const big = a.alloc(200_000);
    assert.ok(a.capacityBytes >= a.usedBytes);
    assert.equal(a.generation, gen + 1);
    assert.notEqual(a.view, oldView);
    assert.deepEqual(Array.from(a.view.subarray(x, x + 8)), [1, 2, 3, 4, 5, 6, 7, 8]);
    a.view[big + 199_999] = 42;
    assert.equal(a.view[big + 199_999], 42);
    assert.equal(a.view.length * a.bytesPerElement, a.capacityBytes);
    if (dtype === "float32") {
      assert.equal(a.view.buffer, a.memory?.buffer, "the view covers the wasm memory's current buffer");
      assert.equal(oldView.length, 0, "the old view is detached by memory.grow");
    }
  }
});

test("allocZeroed zeroes reused memory; int32View aliases the same bytes", () => {
  const a = new Arena();
  const m = a.mark();
  const t = a.alloc(4);
  a.view.set([9, 9, 9, 9], t);
  a.release(m);
  const z = a.allocZeroed(4);
  assert.equal(z, t);
  assert.deepEqual(Array.from(a.view.subarray(z, z + 4)), [0, 0, 0, 0]);
  const iv = a.int32View(z, 4);
  iv[0] = 1;
  assert.notEqual(a.view[z], 0);
});

test("bad arguments raise InvalidArgumentError", () => {
  const a = new Arena();
  assert.throws(() => a.alloc(-1), InvalidArgumentError);
  assert.throws(() => a.alloc(1.5), InvalidArgumentError);
  assert.throws(() => a.alloc(Number.NaN), InvalidArgumentError);
  const m = a.mark();
  a.alloc(4);
  const later = a.mark();
  a.release(m);
  assert.throws(() => a.release(later), InvalidArgumentError, "a mark above the current top");
  assert.throws(() => a.release(3), InvalidArgumentError);
  assert.throws(() => new Arena({ dtype: "int8" as never }), InvalidArgumentError);
  assert.throws(() => new Arena({ initialBytes: 0 }), InvalidArgumentError);
  assert.throws(() => a.alloc(2 ** 31), InvalidArgumentError, "past wasm32's 4 GiB");
});
