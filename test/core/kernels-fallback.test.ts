// Where WebAssembly SIMD is missing (validate() rejects the module), selectKernels falls back to the TS reference.
// Runs in its own process (one per test file), so the module cache of the kernel loader starts empty here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";

test("without WebAssembly SIMD, auto selects the TypeScript kernels and wasm is refused", async () => {
  WebAssembly.validate = () => false;
  const { Arena } = await import("../../src/core/arena.js");
  const { availableWasmKernels, selectKernels } = await import("../../src/core/kernels/index.js");
  const arena = new Arena();
  assert.deepEqual(availableWasmKernels(), { simd: false, relaxed: false });
  const k = selectKernels(arena, "auto");
  assert.equal(k.name, "ts");
  assert.throws(() => selectKernels(arena, "wasm"), InvalidArgumentError);
  // and the fallback computes
  const x = arena.alloc(3);
  arena.view.set([1, 2, 3], x);
  const out = arena.alloc(1);
  k.sumAll(x, out, 3, false);
  assert.equal(arena.view[out], 6);
});
