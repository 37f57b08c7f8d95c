// The kernel thread pool: every split kernel identical bit for bit on 1, 2 and 4 threads, the threads option
// checked, one thread with a note where threads cannot run, and a worker that fails or ends reported by a typed
// error with the engine usable after.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { ThreadedKernels, WorkerError } from "../../src/core/kernels/index.js";
import type { LayerActivation } from "../../src/core/kernels/kernels.js";
import { Rng } from "../../src/core/rng.js";
import { InvalidArgumentError } from "../../src/errors.js";

/** An engine whose workers are all up, and (threads > 1) splitting every product of 32 rows or more. */
async function engine(threads: number): Promise<Engine> {
  const e = new Engine({ threads });
  await e.ready();
  if (e.kernels instanceof ThreadedKernels) e.kernels.minMacsPerThread = 0;
  return e;
}

function fillRandom(e: Engine, n: number, rng: Rng): number {
  const off = e.arena.alloc(n);
  const v = e.arena.view;
  for (let i = 0; i < n; i++) v[off + i] = rng.normal();
  return off;
}

type Call = (e: Engine, rng: Rng) => { out: number; size: number };

// shapes: rows not a multiple of 16, columns with 8/4/1-wide edges, narrow C (dot products), k not a multiple of 4;
// and C wider than tall (a small batch through a wide layer), which splits by columns of 8 with 4/1-wide edges
const SHAPES: [number, number, number][] = [
  [256, 256, 256],
  [203, 67, 131],
  [250, 130, 3],
  [97, 300, 70],
  [64, 256, 256],
  [40, 67, 203],
  [8, 30, 100],
];

const calls: [string, (m: number, k: number, n: number) => Call][] = [];
for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    for (const acc of [false, true]) {
      calls.push([
        `matmul transA=${transA} transB=${transB} accumulate=${acc}`,
        (m, k, n) => (e, rng) => {
          const a = fillRandom(e, m * k, rng);
          const b = fillRandom(e, k * n, rng);
          const c = fillRandom(e, m * n, rng);
          e.kernels.matmul(a, b, c, m, k, n, transA, transB, acc);
          return { out: c, size: m * n };
        },
      ]);
    }
  }
}
for (const act of ["none", "relu", "tanh"] as LayerActivation[]) {
  calls.push([
    `linear ${act}`,
    (m, k, n) => (e, rng) => {
      const x = fillRandom(e, m * k, rng);
      const w = fillRandom(e, n * k, rng);
      const b = fillRandom(e, n, rng);
      const out = e.arena.alloc(m * n);
      e.kernels.linear(x, w, b, out, m, k, n, act);
      return { out, size: m * n };
    },
  ]);
  calls.push([
    `linearInputGrad ${act}`,
    (m, k, n) => (e, rng) => {
      const gy = fillRandom(e, m * n, rng);
      const w = fillRandom(e, n * k, rng);
      const y = fillRandom(e, m * k, rng);
      const gx = e.arena.alloc(m * k);
      e.kernels.linearInputGrad(gy, w, y, gx, m, n, k, act);
      return { out: gx, size: m * k };
    },
  ]);
}

test("every split kernel gives the same bits on 1, 2 and 4 threads, and large products do split", async () => {
  const engines = [await engine(1), await engine(2), await engine(4), await engine(4)];
  assert.ok(!(engines[0].kernels instanceof ThreadedKernels));
  // the last engine's calling thread leaves every chunk to its 3 workers: rows surely computed on worker threads
  (engines[3].kernels as ThreadedKernels).threadPool().callerWorks = false;
  for (const [name, make] of calls) {
    for (const [m, k, n] of SHAPES) {
      const results = engines.map((e) =>
        e.arena.scoped(() => {
          const { out, size } = make(m, k, n)(e, new Rng(7));
          return e.arena.view.slice(out, out + size);
        }),
      );
      for (let t = 1; t < engines.length; t++) {
        const same = results[0].every((x, i) => Object.is(x, results[t][i]));
        assert.ok(same, `${name} ${m}x${k}x${n}: engine ${t} (${engines[t].threads} threads) differs from 1 thread`);
      }
    }
  }
  const products = calls.length * SHAPES.length;
  const splits = engines.slice(1).map((e) => (e.kernels as ThreadedKernels).splitProducts);
  // workers that wake late take no chunk on a busy machine; without the calling thread they take all
  assert.ok(splits[0] + splits[1] > 0, `workers took part in ${splits.join(", ")} of ${products} products`);
  assert.equal(splits[2], products);
  for (const e of engines) e.close();
});

test("Adam's step splits by ranges of elements and gives the same bits on 1, 2 and 4 threads", async () => {
  const engines = [await engine(1), await engine(2), await engine(4)];
  // the 4-thread engine leaves every chunk to its workers: elements surely computed on worker threads
  (engines[2].kernels as ThreadedKernels).threadPool().callerWorks = false;
  const n = 100_003; // three parts of at least 2^15 elements, and a scalar tail of 3
  const results = engines.map((e) =>
    e.arena.scoped(() => {
      const rng = new Rng(3);
      const [p, g, m, v] = [0, 1, 2, 3].map(() => fillRandom(e, n, rng));
      e.arena.view.subarray(v, v + n).forEach((x, i, a) => {
        a[i] = x * x; // second moments are non-negative
      });
      for (let step = 1; step <= 3; step++) e.kernels.adamStep(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, 0.01, step);
      return [p, m, v].map((o) => e.arena.view.slice(o, o + n));
    }),
  );
  for (let t = 1; t < engines.length; t++) {
    for (let q = 0; q < 3; q++) {
      assert.ok(
        results[0][q].every((x, i) => Object.is(x, results[t][q][i])),
        `adamStep ${["param", "m", "v"][q]}: ${engines[t].threads} threads differ from 1`,
      );
    }
  }
  assert.equal((engines[2].kernels as ThreadedKernels).splitProducts, 3, "the workers took every step");
  for (const e of engines) e.close();
});

test("small products stay on the calling thread (no pool is started)", () => {
  const e = new Engine({ threads: 2 });
  const k = e.kernels as ThreadedKernels;
  e.arena.scoped(() => make64(e));
  assert.equal(k.splitProducts, 0);
  assert.equal((k as unknown as { pool: unknown }).pool, null);
});

function make64(e: Engine): void {
  const rng = new Rng(1);
  const a = fillRandom(e, 64 * 64, rng);
  const c = e.arena.alloc(64 * 64);
  e.kernels.matmul(a, a, c, 64, 64, 64, false, true, false);
}

test("threads must be an integer >= 1 (InvalidArgumentError naming the option and value)", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, "2", null]) {
    assert.throws(
      () => new Engine({ threads: bad as number }),
      (e: Error) => e instanceof InvalidArgumentError && /Engine threads must be an integer >= 1/.test(e.message),
    );
  }
});

test("where threads cannot run: one thread and a note, not a crash", () => {
  const f64 = new Engine({ dtype: "float64", threads: 4 });
  assert.equal(f64.threads, 1);
  assert.match(f64.threadsNote ?? "", /Engine threads 4: running on one thread, because the TypeScript kernels/);
  const g = globalThis as { SharedArrayBuffer?: unknown };
  const sab = g.SharedArrayBuffer;
  g.SharedArrayBuffer = undefined;
  try {
    const e = new Engine({ threads: 2 });
    assert.equal(e.threads, 1);
    assert.match(e.threadsNote ?? "", /SharedArrayBuffer is unavailable.*Cross-Origin-Opener-Policy: same-origin/);
    e.arena.scoped(() => make64(e));
  } finally {
    g.SharedArrayBuffer = sab;
  }
  assert.equal(new Engine({ threads: 1 }).threadsNote, null);
});

function product(e: Engine, m: number, k: number, n: number, c?: number): Float32Array {
  const rng = new Rng(3);
  const a = fillRandom(e, m * k, rng);
  const b = fillRandom(e, k * n, rng);
  const out = c ?? e.arena.alloc(m * n);
  e.kernels.matmul(a, b, out, m, k, n, false, false, false);
  return e.arena.view.slice(out, out + m * n) as Float32Array;
}

test("a worker whose kernel traps: WorkerError naming it, and the engine computes correctly after", async () => {
  const e = await engine(2);
  const ref = new Engine({ threads: 1 });
  const [m, k, n] = [256, 64, 64];
  // C past the end of the memory, and every chunk left to the worker
  const pool = (e.kernels as ThreadedKernels).threadPool();
  pool.callerWorks = false;
  const cBad = e.arena.capacityBytes / 4;
  assert.throws(
    () => e.arena.scoped(() => product(e, m, k, n, cBad)),
    (err: Error) => err instanceof WorkerError && /worker 1 of 1 failed: .*out of bounds/.test(err.message),
  );
  const got = e.arena.scoped(() => product(e, m, k, n));
  assert.deepEqual(
    got,
    ref.arena.scoped(() => product(ref, m, k, n)),
  );
  assert.equal((e.kernels as ThreadedKernels).splitProducts, 1, "the workers computed the second product");
  e.close();
});

test("a worker that ends: WorkerError naming it once, then the rest of the pool goes on, same results", async () => {
  const e = await engine(3);
  const ref = new Engine({ threads: 1 });
  const pool = (e.kernels as ThreadedKernels).threadPool();
  await pool.killWorker(1);
  await new Promise((r) => setTimeout(r, 20));
  const [m, k, n] = [256, 128, 128];
  assert.throws(
    () => e.arena.scoped(() => product(e, m, k, n)),
    (err: Error) =>
      err instanceof WorkerError && /worker 2 of 2 ended unexpectedly.*goes on with 1 worker/.test(err.message),
  );
  assert.equal(pool.readyWorkers, 1);
  pool.callerWorks = false; // the remaining worker computes every row
  const splits = (e.kernels as ThreadedKernels).splitProducts;
  assert.deepEqual(
    e.arena.scoped(() => product(e, m, k, n)),
    ref.arena.scoped(() => product(ref, m, k, n)),
  );
  assert.equal((e.kernels as ThreadedKernels).splitProducts, splits + 1);
  e.close();
});

test("Node's process exits when the work ends, without closing the engine (idle workers are unref'd)", () => {
  const url = new URL("../../src/core/engine.ts", import.meta.url).href;
  const code = `import { Engine } from ${JSON.stringify(url)};
const e = new Engine({ threads: 2 });
await e.ready();
const m = 256, a = e.arena.alloc(m * m), c = e.arena.alloc(m * m);
e.kernels.matmul(a, a, c, m, m, m, false, false, false);
console.log("done", e.kernels.splitProducts);`;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    encoding: "utf8",
    timeout: 60000,
  });
  assert.equal(res.signal, null, "the process had to be killed: a worker kept it alive");
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /done 1/);
});
