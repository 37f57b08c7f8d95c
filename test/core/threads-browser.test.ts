// The browser side of the kernel thread pool, emulated in Node: with no node:worker_threads in reach, the pool
// starts its workers as a page would (a blob: URL, `new Worker(url)`, the init data by postMessage, the program on
// `self.onmessage`), here backed by worker threads; and the notes where a page cannot have threads.
import assert from "node:assert/strict";
import { resolveObjectURL } from "node:buffer";
import { test } from "node:test";
import { Worker as NodeWorker } from "node:worker_threads";
import { Engine } from "../../src/core/engine.js";
import type { ThreadedKernels } from "../../src/core/kernels/index.js";
import { Rng } from "../../src/core/rng.js";

/** A Web Worker made of a Node worker thread: `self.onmessage` receives what `postMessage` sends. */
class EmulatedWebWorker {
  private readonly ready: Promise<NodeWorker>;
  constructor(url: string) {
    const blob = resolveObjectURL(url);
    assert.ok(blob !== undefined, `no blob behind ${url}`);
    this.ready = blob.text().then((program) => {
      const shim = `const { parentPort } = process.getBuiltinModule("node:worker_threads");
globalThis.self = { set onmessage(f) { parentPort.once("message", (data) => f({ data })); } };\n`;
      const w = new NodeWorker(shim + program, { eval: true });
      w.unref();
      return w;
    });
  }
  postMessage(data: unknown): void {
    void this.ready.then((w) => w.postMessage(data));
  }
  addEventListener(): void {}
  terminate(): void {
    void this.ready.then((w) => w.terminate());
  }
}

/** Run `fn` in a page-like global: no node:worker_threads, and `extra` set on globalThis. */
async function asPage<T>(extra: Record<string, unknown>, fn: () => Promise<T> | T): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const proc = process as unknown as { getBuiltinModule: (id: string) => unknown };
  const original = proc.getBuiltinModule;
  const saved = Object.keys(extra).map((k) => [k, g[k]] as const);
  proc.getBuiltinModule = (id: string) => (id === "node:worker_threads" ? undefined : original(id));
  Object.assign(g, extra);
  try {
    return await fn();
  } finally {
    proc.getBuiltinModule = original;
    for (const [k, v] of saved) g[k] = v;
  }
}

test("a cross-origin isolated worker context starts Web Workers from a blob URL; same bits as one thread", async () => {
  const m = 128;
  const product = (e: Engine) =>
    e.arena.scoped(() => {
      const rng = new Rng(5);
      const a = e.arena.alloc(m * m);
      for (let i = 0; i < m * m; i++) e.arena.view[a + i] = rng.normal();
      const c = e.arena.alloc(m * m);
      e.kernels.matmul(a, a, c, m, m, m, false, true, false);
      return e.arena.view.slice(c, c + m * m);
    });
  const got = await asPage({ Worker: EmulatedWebWorker, crossOriginIsolated: true }, async () => {
    const e = new Engine({ threads: 2 });
    assert.equal(e.threadsNote, null);
    await e.ready();
    const pool = (e.kernels as ThreadedKernels).threadPool();
    pool.callerWorks = false; // every row computed by the emulated Web Worker
    const out = product(e);
    assert.equal((e.kernels as ThreadedKernels).splitProducts, 1);
    e.close();
    return out;
  });
  assert.deepEqual(got, product(new Engine({ threads: 1 })));
});

test("a page that is not cross-origin isolated, and a page's main thread: one thread and a note", async () => {
  await asPage({ Worker: EmulatedWebWorker, crossOriginIsolated: false }, () => {
    const e = new Engine({ threads: 2 });
    assert.equal(e.threads, 1);
    assert.match(e.threadsNote ?? "", /cross-origin isolated.*Cross-Origin-Embedder-Policy: require-corp/);
  });
  await asPage({ Worker: EmulatedWebWorker, crossOriginIsolated: true, document: {} }, () => {
    const e = new Engine({ threads: 2 });
    assert.equal(e.threads, 1);
    assert.match(e.threadsNote ?? "", /main thread may not block in Atomics.wait: run training in a Web Worker/);
  });
});

/** A Web Worker the page's policy refuses: it reports an error and never runs. */
class RefusedWebWorker {
  postMessage(): void {}
  addEventListener(_type: "error", listener: (e: { message?: string }) => void): void {
    setTimeout(() => listener({ message: "refused by the page's policy" }), 1);
  }
  terminate(): void {}
}

test("workers that fail to start: ready() says so; products still run, on the calling thread", async () => {
  await asPage({ Worker: RefusedWebWorker, crossOriginIsolated: true }, async () => {
    const e = new Engine({ threads: 2 });
    await assert.rejects(e.ready(), /workers failed to start \(worker 1: refused by the page's policy\)/);
    (e.kernels as ThreadedKernels).minMacsPerThread = 0; // through the pool, which has no worker left
    const m = 64;
    const a = e.arena.alloc(m * m);
    const c = e.arena.alloc(m * m);
    e.kernels.matmul(a, a, c, m, m, m, false, false, false);
    assert.equal((e.kernels as ThreadedKernels).splitProducts, 0);
  });
});
