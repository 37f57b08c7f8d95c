import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CheckpointError } from "../../src/errors.js";
import { readFileBytes, writeFileAtomic } from "../../src/platform/fs.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-atomic-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeFileAtomic replaces the file, creates folders and leaves no temporary files", async () => {
  const p = join(dir, "a", "b", "model.safetensors");
  await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
  await writeFileAtomic(p, "second");
  assert.equal(readFileSync(p, "utf8"), "second");
  assert.deepEqual(readdirSync(join(dir, "a", "b")), ["model.safetensors"]);
  await assert.rejects(readFileBytes(join(dir, "missing")), CheckpointError);
  await assert.rejects(readFileBytes(dir), /is a folder/);
});

test("a process killed mid-save leaves the previous file whole (old or new, never partial)", async () => {
  const target = join(dir, "ckpt.bin");
  const old = Buffer.alloc(1000, 7);
  writeFileSync(target, old);
  const size = 64 * 1024 * 1024;
  const fsModule = new URL("../../src/platform/fs.ts", import.meta.url).pathname;
  const script = `import { writeFileAtomic } from ${JSON.stringify(fsModule)};
process.stdout.write("go\\n");
await writeFileAtomic(${JSON.stringify(target)}, new Uint8Array(${size}).fill(9));
process.stdout.write("done\\n");`;
  const scriptPath = join(dir, "writer.mts");
  writeFileSync(scriptPath, script);
  let interrupted = 0;
  for (const delayMs of [0, 5, 20]) {
    writeFileSync(target, old);
    const child = spawn(process.execPath, ["--import", "tsx", scriptPath], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("go")) setTimeout(() => child.kill("SIGKILL"), delayMs);
      });
      child.on("exit", () => resolve());
    });
    if (!out.includes("done")) interrupted++;
    const now = readFileSync(target);
    const whole = now.equals(old) || (now.length === size && now.every((b) => b === 9));
    assert.ok(whole, `delay ${delayMs}: target has ${now.length} bytes, neither the old file nor the new one`);
  }
  assert.ok(existsSync(target));
  assert.ok(interrupted > 0, "no save was interrupted: the test did not exercise a crash");
});
