// The fused Adam kernel as training uses it: a fresh engine whose first tensors (the parameters) sit right after the
// arena's reserved head, many steps with new gradients, sizes that are not multiples of the SIMD width, temporaries
// and arena growth between steps. Regression guards for a DQN divergence: while the arena handed out the wasm
// module's static data (the lookup tables of pow/exp/log) as tensor memory, every step t >= 3 of the wasm Adam (whose
// bias correction used the module's pow, tables overwritten by the parameters) moved parameters several lr too far.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Arena } from "../../src/core/arena.js";
import { Engine } from "../../src/core/engine.js";
import { availableWasmKernels, type Kernels, selectKernels } from "../../src/core/kernels/index.js";
import { logSoftmax, mean, square, sub } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { MLP } from "../../src/nn/mlp.js";
import { Adam } from "../../src/nn/optim/adam.js";
import { RMSprop } from "../../src/nn/optim/rmsprop.js";
import { SGD } from "../../src/nn/optim/sgd.js";

const wasmKinds = availableWasmKernels().relaxed ? (["wasm-simd", "wasm-relaxed"] as const) : (["wasm-simd"] as const);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs reference ${expected[i]}`);
  }
}

test("nn Adam on wasm kernels tracks the TS reference step by step (fresh engine, odd sizes, arena growth)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 37 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 3, max: 8 }),
      fc.constantFrom(0, 0.01),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (sizes, steps, weightDecay, seed) => {
        for (const kind of wasmKinds) {
          const engines = [new Engine({ kernels: "ts" }), new Engine({ kernels: kind, initialBytes: 65536 })];
          const rng = new Rng(seed);
          const init = sizes.map((n) => Array.from({ length: n }, () => rng.uniformRange(-1, 1)));
          const params = engines.map((e) =>
            sizes.map((n, i) => {
              const p = e.parameter([n]);
              p.set(init[i]);
              return p;
            }),
          );
          const opts = engines.map((_, i) => new Adam(params[i], { lr: 1e-2, weightDecay }));
          for (let t = 1; t <= steps; t++) {
            const grads = sizes.map((n) =>
              Array.from({ length: n }, () => rng.normal(0, 10 ** rng.uniformRange(-3, 1))),
            );
            const lr = 1e-2 * (1 - t / (steps + 1));
            const tempSize = Math.floor(rng.uniformRange(1, 2 ** 17));
            engines.forEach((e, k) => {
              // a temporary between steps, sometimes large enough to grow the memory (detaching old views)
              e.arena.scoped(() => {
                const off = e.arena.alloc(tempSize);
                e.arena.view.fill(1e30, off, off + tempSize);
              });
              for (const [i, p] of params[k].entries()) (p.grad as Tensor).set(grads[i]);
              opts[k].lr = lr;
              opts[k].step();
            });
            for (const [i, p] of params[1].entries())
              close(p.data(), params[0][i].data(), `${kind} step ${t} param ${i}`);
          }
          const [mRef, mWasm] = opts.map((o) => o.stateTensors());
          for (const name of Object.keys(mRef)) close(mWasm[name].data(), mRef[name].data(), `${kind} ${name}`);
        }
      },
    ),
    { numRuns: 20 },
  );
});

test("training on wasm kernels leaves the arena's reserved head (the module's static data) untouched", () => {
  for (const kind of wasmKinds) {
    const e = new Engine({ kernels: kind, initialBytes: 65536 });
    const mem = e.arena.memory as WebAssembly.Memory;
    // the data segments are written at instantiation: the head now holds the module's tables
    const head = new Uint8Array(mem.buffer.slice(0, e.arena.reservedBytes));
    assert.ok(
      head.some((b) => b !== 0),
      "the module has static data to protect",
    );
    const rng = new Rng(3);
    const nets = [0, 1, 2].map(() => new MLP(e, rng, { inputSize: 5, hiddenSizes: [13, 7], outputSize: 3 }));
    const opts = [
      new Adam(nets[0].parameters(), { lr: 1e-2, weightDecay: 0.01 }),
      new RMSprop(nets[1].parameters(), { lr: 1e-2 }),
      new SGD(nets[2].parameters(), { lr: 1e-2 }),
    ];
    for (let step = 0; step < 5; step++) {
      e.scope(() => {
        const x = e.tensor(
          Array.from({ length: 33 * 5 }, () => rng.normal()),
          [33, 5],
        );
        nets.forEach((net, i) => {
          opts[i].zeroGrad();
          const logp = logSoftmax(net.forward(x));
          e.backward(mean(square(sub(logp, e.tensor([-1, -2, -3], [3])))));
          opts[i].step();
        });
      });
      // grow the memory between steps
      e.arena.scoped(() => e.arena.alloc(e.arena.capacityBytes / 4));
    }
    const now = new Uint8Array(mem.buffer, 0, e.arena.reservedBytes);
    const changed = now.findIndex((b, i) => b !== head[i]);
    assert.equal(changed, -1, `${kind}: byte ${changed} of the reserved head was overwritten`);
  }
});

test("wasm adamStep does not depend on the module's static data", () => {
  for (const kind of wasmKinds) {
    const arena = new Arena();
    const k: Kernels = selectKernels(arena, kind);
    const ref: Kernels = selectKernels(arena, "ts");
    const n = 19;
    const [p0, p1, g, m0, m1, v0, v1] = [0, 1, 2, 3, 4, 5, 6].map(() => arena.allocZeroed(n));
    // what once happened by accident: tensors written over the lookup tables
    arena.view.fill(-7.5, 1024 / 4, arena.reservedBytes / 4);
    for (let t = 1; t <= 6; t++) {
      for (let i = 0; i < n; i++) arena.view[g + i] = Math.sin(7 * t + i);
      ref.adamStep(p0, g, m0, v0, n, 1e-3, 0.9, 0.999, 1e-8, 0, t);
      k.adamStep(p1, g, m1, v1, n, 1e-3, 0.9, 0.999, 1e-8, 0, t);
      close(arena.view.subarray(p1, p1 + n), arena.view.subarray(p0, p0 + n), `${kind} step ${t}`);
    }
  }
});

test("adamStep rejects a step count below 1 (bias correction 1 - b^0 = 0)", () => {
  const arena = new Arena();
  for (const kind of ["ts", ...wasmKinds] as const) {
    const k = selectKernels(arena, kind);
    const [p, g, m, v] = [0, 1, 2, 3].map(() => arena.allocZeroed(4));
    for (const step of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => k.adamStep(p, g, m, v, 4, 1e-3, 0.9, 0.999, 1e-8, 0, step),
        (err: unknown) => err instanceof InvalidArgumentError && /step must be an integer >= 1/.test(err.message),
        `${kind} step ${step}`,
      );
    }
  }
});
