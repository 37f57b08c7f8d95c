// The packed W^T cache of 2-D parameters (Tensor.pack): linear and matmul multiply by it instead of transposing W
// on every call, so every way a parameter can be written must invalidate it. Each write test warms the cache with
// a forward pass, writes the weights through one public path, and checks the next forward pass equals, bit for
// bit, that of a fresh network given the same weights: a stale cache would give the old weights' output.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { ThreadedKernels } from "../../src/core/kernels/index.js";
import { linear, matmul, mean, reshape, square, stopGradient } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { constantInit, orthogonalInit } from "../../src/nn/init.js";
import { MLP } from "../../src/nn/mlp.js";
import { zeroGrad } from "../../src/nn/module.js";
import { Adam } from "../../src/nn/optim/adam.js";
import type { Optimizer } from "../../src/nn/optim/optimizer.js";
import { RMSprop } from "../../src/nn/optim/rmsprop.js";
import { SGD } from "../../src/nn/optim/sgd.js";
import { polyakUpdate } from "../../src/nn/polyak.js";
import { loadParameters, saveParameters } from "../../src/nn/serialize.js";

const BATCH = 64; // large enough that the wasm matmul packs W^T (small batches take dot products instead)

interface Net {
  e: Engine;
  mlp: MLP;
  x: Tensor;
}

/** A relu MLP 24 -> 40 -> 40 -> 16 and a persistent random batch of inputs, on a new engine. */
function net(seed: number, opts: { fuse?: boolean; threads?: number } = {}): Net {
  const e = new Engine({ threads: opts.threads ?? 1 });
  const rng = new Rng(seed);
  const mlp = new MLP(e, rng, {
    inputSize: 24,
    hiddenSizes: [40, 40],
    outputSize: 16,
    activation: "relu",
    fuseActivation: opts.fuse ?? true,
  });
  const xs = new Float32Array(BATCH * 24);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.normal();
  return { e, mlp, x: e.tensor(xs, [BATCH, 24]) };
}

function forward(n: Net): Float32Array {
  return n.e.noGradScope(() => Float32Array.from(n.mlp.forward(n.x).toArray()));
}

/** The forward pass of a fresh network (new engine, nothing cached) holding `n`'s current weights. */
function freshForward(n: Net): Float32Array {
  const f = net(99, { fuse: n.mlp.fuseActivation });
  const src = n.mlp.parameters();
  f.mlp.parameters().forEach((p, i) => {
    p.set(src[i].toArray());
  });
  f.x.set(n.x.toArray());
  return forward(f);
}

/** Warm the cache, write through `write`, and check the next forward pass against a fresh network's. */
function checkWrite(n: Net, write: () => void): void {
  const before = forward(n);
  for (const l of n.mlp.layers) assert.equal(l.weight.pack?.fresh, true, "the forward pass packed every weight");
  write();
  const after = forward(n);
  assert.notDeepEqual(after, before, "the write changed the network's output");
  assert.deepEqual(after, freshForward(n));
}

function lossStep(n: Net, opt: Optimizer): void {
  zeroGrad(n.mlp.parameters());
  n.e.scope(() => {
    n.e.backward(mean(square(n.mlp.forward(n.x))));
    opt.step();
  });
}

for (const fuse of [true, false]) {
  const kind = fuse ? "fused" : "unfused";
  test(`weight pack (${kind} layers): each optimizer's step invalidates it`, () => {
    for (const make of [
      (p: Tensor[]) => new Adam(p, { lr: 1e-2 }),
      (p: Tensor[]) => new SGD(p, { lr: 1e-1, momentum: 0.9 }),
      (p: Tensor[]) => new RMSprop(p, { lr: 1e-2 }),
    ]) {
      const n = net(1, { fuse });
      const opt = make(n.mlp.parameters());
      checkWrite(n, () => lossStep(n, opt));
      checkWrite(n, () => lossStep(n, opt)); // a second step after the cache was rebuilt
    }
  });
}

test("weight pack: polyakUpdate into a target network invalidates the target's", () => {
  const src = net(1);
  // the target on the same engine, as SAC's critic and its target
  const opts = { inputSize: 24, hiddenSizes: [40, 40], outputSize: 16, activation: "relu" } as const;
  const tgt: Net = { e: src.e, mlp: new MLP(src.e, new Rng(3), opts), x: src.x };
  checkWrite(tgt, () => polyakUpdate(src.mlp.parameters(), tgt.mlp.parameters(), 0.5));
  checkWrite(tgt, () => polyakUpdate(src.mlp.parameters(), tgt.mlp.parameters(), 1));
});

test("weight pack: Tensor.set, a write through data(), and nn/init invalidate it", () => {
  const n = net(1);
  const w = n.mlp.layers[1].weight;
  const rng = new Rng(5);
  checkWrite(n, () => w.set(w.toArray().map((v) => v * 0.5 + 0.01)));
  checkWrite(n, () => {
    const v = w.data();
    for (let i = 0; i < v.length; i += 3) v[i] = -v[i];
  });
  checkWrite(n, () => orthogonalInit(w, 1, rng));
  checkWrite(n, () => constantInit(w, 0.03));
});

test("weight pack: writes through an alias (stopGradient, reshape) invalidate the parameter's", () => {
  const n = net(1);
  const w = n.mlp.layers[0].weight;
  const alias = stopGradient(w); // persistent: made outside every scope
  const flat = reshape(w, [w.size]);
  checkWrite(n, () => alias.set(alias.toArray().map((v) => v + 0.1)));
  checkWrite(n, () => {
    flat.data()[7] += 1;
  });
  // and a product by the alias itself uses (and refreshes) the shared cache correctly
  const y = n.e.noGradScope(() => linear(n.x, alias, null).toArray());
  const yFresh = n.e.noGradScope(() => linear(n.x, n.e.tensor(w.toArray(), w.shape), null).toArray());
  assert.deepEqual(y, yFresh);
});

test("weight pack: loadParameters invalidates it; a raw arena write needs markWritten", () => {
  const n = net(1);
  const other = net(7);
  const saved = saveParameters(other.mlp);
  checkWrite(n, () => loadParameters(n.mlp, saved));
  const w = n.mlp.layers[2].weight;
  checkWrite(n, () => {
    n.e.arena.view[w.offset + 3] += 2;
    w.markWritten();
  });
});

test("weight pack: a weight is packed once per change, not once per call", () => {
  const n = net(1);
  let packs = 0;
  const k = n.e.kernels;
  const linearKernel = k.linear.bind(k);
  k.linear = (x, w, b, out, m, kk, nn, act, packedW, packedFresh) => {
    if (packedW !== undefined && packedW >= 0 && packedFresh !== true) packs++;
    linearKernel(x, w, b, out, m, kk, nn, act, packedW, packedFresh);
  };
  forward(n);
  assert.equal(packs, 3, "each of the 3 layers' weights packed once");
  forward(n);
  forward(n);
  assert.equal(packs, 3, "and reused");
  const opt = new Adam(n.mlp.parameters());
  lossStep(n, opt); // its forward reuses the packs, its step invalidates them
  assert.equal(packs, 3);
  forward(n);
  assert.equal(packs, 6);
  // acting (one row) multiplies by dot products: no pack given
  n.e.noGradScope(() => n.mlp.forward(n.e.tensor(new Float32Array(24), [24])));
  assert.equal(packs, 6);
});

test("weight pack: products by a cached pack equal the uncached ones bit for bit, split over threads or not", async () => {
  for (const threads of [1, 2]) {
    const e = new Engine({ threads });
    await e.ready();
    if (e.kernels instanceof ThreadedKernels) e.kernels.minMacsPerThread = 0; // split every product that can be
    const rng = new Rng(11);
    // rows x in -> out: by rows, by columns (a small batch through a wide layer), dot products (few rows or columns)
    for (const [m, inF, outF] of [
      [256, 67, 131],
      [64, 256, 256],
      [8, 30, 100],
      [3, 20, 40],
      [50, 20, 5],
    ]) {
      const w = e.parameter([outF, inF]);
      orthogonalInit(w, 1, rng);
      const b = e.parameter([outF]);
      b.set(Array.from({ length: outF }, () => rng.normal()));
      const xs = Array.from({ length: m * inF }, () => rng.normal());
      e.noGradScope(() => {
        const x = e.tensor(xs, [m, inF]);
        const plain = e.tensor(w.toArray(), w.shape); // not a parameter: no cache, packed per call
        // each product twice: the first packs W^T into the cache (each thread its columns when split so), the
        // second multiplies by the cache
        const products: [string, (w: Tensor) => Tensor][] = [
          ...(["relu", "tanh", "identity", undefined] as const).map((act): [string, (w: Tensor) => Tensor] => [
            `linear ${act}`,
            (w) => linear(x, w, b, act),
          ]),
          ["matmul transB", (w) => matmul(x, w, { transB: true })],
          ["matmul transA transB", (w) => matmul(e.tensor(xs, [inF, m]), w, { transA: true, transB: true })],
        ];
        for (const [name, f] of products) {
          w.markWritten();
          const want = f(plain).toArray();
          assert.deepEqual(f(w).toArray(), want, `${m}x${inF}x${outF} ${name}, packing`);
          const transA = name.includes("transA");
          assert.equal(w.pack?.fresh, e.kernels.packsB(m, outF, transA, true), "packed where the kernel packs");
          assert.deepEqual(f(w).toArray(), want, `${m}x${inF}x${outF} ${name}, packed`);
        }
      });
    }
    e.close();
  }
});
