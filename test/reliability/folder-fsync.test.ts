// Issue 17.5: the atomic write flushes the folder after the rename (without it, a power cut after the rename can
// lose the new name). The test records the file-system calls writeFileAtomic makes through Node's fs/promises
// module (the object src/platform/fs.ts fetches at call time) and checks their order.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic } from "../../src/platform/fs.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-fsync-"));
after(() => rmSync(dir, { recursive: true, force: true }));

type FsPromises = typeof import("node:fs/promises");

test("writeFileAtomic fsyncs the temporary file, renames it, then fsyncs the folder", async () => {
  const fsp = process.getBuiltinModule("node:fs/promises") as FsPromises;
  const calls: string[] = [];
  const open = fsp.open;
  const rename = fsp.rename;
  const label = (p: unknown) =>
    p === dir
      ? "<folder>"
      : String(p)
          .replace(dir, "")
          .replace(/\.tmp-\d+-\d+$/, ".tmp");
  fsp.open = (async (p: string, flags?: string | number) => {
    const fh: FileHandle = await open(p, flags);
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      calls.push(`sync ${label(p)}`);
      return sync();
    };
    calls.push(`open ${label(p)}`);
    return fh;
  }) as FsPromises["open"];
  fsp.rename = (async (from: string, to: string) => {
    calls.push(`rename ${label(from)} ${label(to)}`);
    return rename(from, to);
  }) as FsPromises["rename"];
  try {
    await writeFileAtomic(join(dir, "model.safetensors"), "bytes");
  } finally {
    fsp.open = open;
    fsp.rename = rename;
  }
  assert.equal(readFileSync(join(dir, "model.safetensors"), "utf8"), "bytes");
  assert.deepEqual(calls, [
    "open /model.safetensors.tmp",
    "sync /model.safetensors.tmp",
    "rename /model.safetensors.tmp /model.safetensors",
    "open <folder>",
    "sync <folder>",
  ]);
});
