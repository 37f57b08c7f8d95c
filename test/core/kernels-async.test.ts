// Browsers refuse to compile large wasm modules synchronously on the main thread. Simulate that (the synchronous
// WebAssembly.Module constructor throws) in a fresh process: selectKernels falls back to TS until initKernels()
// has compiled the modules asynchronously, and picks wasm after.
import assert from "node:assert/strict";
import { test } from "node:test";

test("without synchronous compilation, initKernels() enables the wasm kernels", async () => {
  const Original = WebAssembly.Module;
  WebAssembly.Module = function refuse(): never {
    throw new RangeError("WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB");
  } as unknown as typeof WebAssembly.Module;
  try {
    const { Arena } = await import("../../src/core/arena.js");
    const kernels = await import("../../src/core/kernels/index.js");
    // a fresh import: the loader has compiled nothing yet
    assert.equal(kernels.selectKernels(new Arena(), "auto").name, "ts");
    await kernels.initKernels();
    const k = kernels.selectKernels(new Arena(), "auto");
    assert.ok(k.name.startsWith("wasm"), `expected wasm kernels after initKernels, got ${k.name}`);
    const arena = k.arena;
    const x = arena.alloc(5);
    arena.view.set([1, 2, 3, 4, 5], x);
    const out = arena.alloc(1);
    k.sumAll(x, out, 5, false);
    assert.equal(arena.view[out], 15);
  } finally {
    WebAssembly.Module = Original;
  }
});
