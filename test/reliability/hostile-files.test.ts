// Issue 17.7 and 17.6: hostile files are refused quickly, in bounded memory, with a typed error naming the path.
// Each hostile header is as large as the header cap allows; it is loaded the way Algorithm.load reads a file, in a
// child process of its own so that its peak memory (maxRSS) is its own.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { PPO } from "../../src/algos/index.js";
import { make } from "../../src/envs/index.js";
import { CheckpointError } from "../../src/errors.js";
import { readFileBytes } from "../../src/platform/fs.js";
import { cli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL("./hostile-header-child.ts", import.meta.url));

function runChild(
  kind: string,
): Promise<{ outcome: string; ms: number; cpuMs: number; extraMb: number; headerBytes: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", "--expose-gc", CHILD, kind, dir], { stdio: "pipe" });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind}: exit ${code}: ${err}`)),
    );
  });
}

for (const kind of ["tensors", "metadata", "shape", "string", "most-allowed"]) {
  test(`a header of ${kind} up to the cap is refused or loaded within 2 s and 256 MB`, async () => {
    const r = await runChild(kind);
    assert.ok(r.headerBytes > 1_000_000, `the hostile header is ${r.headerBytes} bytes`);
    assert.ok(r.outcome === "loaded" || r.outcome.startsWith("CheckpointError"), r.outcome);
    // 2 s of CPU time (user + system): wall time on a shared machine also counts the other processes' work
    assert.ok(r.cpuMs < 2000, `${kind}: ${r.cpuMs.toFixed(0)} ms of CPU (${r.ms.toFixed(0)} ms wall)`);
    assert.ok(r.extraMb < 256, `${kind}: ${r.extraMb.toFixed(0)} MB extra`);
  });
}

/** Every way of pointing load at something that is not a checkpoint file gives a CheckpointError naming it. */
async function refused(path: string, pattern: RegExp): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(readFileBytes(path), (e: unknown) => e instanceof CheckpointError && pattern.test(e.message));
  await assert.rejects(
    PPO.load(path, { env: make("CartPole-v1") }),
    (e: unknown) => e instanceof CheckpointError && pattern.test(e.message),
  );
  assert.ok(performance.now() - t0 < 2000);
}

test("a symlink to /dev/zero is refused at once, not read forever", async () => {
  const link = join(dir, "zero.safetensors");
  symlinkSync("/dev/zero", link);
  await refused(link, /not a regular file/);
  const r = await cli("eval", link);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: .*not a regular file/);
});

test("a FIFO is refused at once, not waited on", async () => {
  const fifo = join(dir, "pipe.safetensors");
  execFileSync("mkfifo", [fifo]);
  await refused(fifo, /not a regular file/);
});

test("a symlink loop, a name too long and a NUL in the path are CheckpointErrors naming the path", async () => {
  const a = join(dir, "loop-a");
  const b = join(dir, "loop-b");
  symlinkSync(b, a);
  symlinkSync(a, b);
  await refused(a, /symbolic link loop/);
  await refused(join(dir, `${"x".repeat(300)}.safetensors`), /too long a file name/);
  await refused(join(dir, "bad\0name.safetensors"), /NUL/);
});

test("a text file is 'not a tsrl model file', not a huge header length", async () => {
  const text = join(dir, "README.md");
  writeFileSync(text, "# tsrl\n\nDeep reinforcement learning in TypeScript.\n");
  const r = await cli("eval", text);
  assert.equal(r.code, 1);
  assert.match(r.err, /not a tsrl model file/);
  assert.doesNotMatch(r.err, /header length/);
});
