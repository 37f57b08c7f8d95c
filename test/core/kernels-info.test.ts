// Issue 16.10: a public way to see which kernels run: kernelsInfo() and `tsrl info`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, kernelsInfo } from "../../src/index.js";
import { cli } from "../cli/run-cli.js";

test("kernelsInfo names the kernels an engine selects, the builds available, threads and the reason for fewer", () => {
  const info = kernelsInfo({ threads: 2 });
  const engine = new Engine({ threads: 2 });
  assert.equal(info.kernels, engine.kernels.name);
  assert.equal(info.threads, engine.threads);
  assert.equal(info.threadsNote, engine.threadsNote);
  // auto takes relaxed SIMD where it compiled, else SIMD, else the TypeScript fallback
  const expected = info.available.relaxedSimd ? "wasm-relaxed" : info.available.simd ? "wasm-simd" : "ts";
  assert.equal(info.kernels, expected);
  engine.close();

  const ts = kernelsInfo({ kernels: "ts", threads: 2 });
  assert.equal(ts.kernels, "ts");
  assert.equal(ts.threads, 1);
  assert.match(ts.threadsNote ?? "", /threads 2: running on one thread, because the TypeScript kernels run on one/);
});

test("tsrl info prints the kernels, the builds available and the threads", async () => {
  const r = await cli("info", "--threads", "1");
  assert.equal(r.code, 0, r.err);
  const info = kernelsInfo({ threads: 1 });
  assert.match(r.out, new RegExp(`^kernels: ${info.kernels} \\(`, "m"));
  assert.match(r.out, /^available: wasm relaxed-simd (yes|no), wasm simd (yes|no), ts fallback yes$/m);
  assert.match(r.out, /^threads: 1$/m);
  assert.match(r.out, /^threads note: none$/m);
});
