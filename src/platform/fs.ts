/**
 * The little file-system access tsrl needs below src/train/, behind a module that is only ever reached through
 * a dynamic `import()`, so code that imports the algorithms still runs in a browser.
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { CheckpointError } from "../errors.js";

let tempCounter = 0;

/**
 * Write `data` to `path` atomically: into a temporary file in the same folder, flushed to disk, then renamed over
 * `path`. A crash mid-write leaves the previous file intact. Creates missing parent folders.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${++tempCounter}`;
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Read a whole file as bytes; a missing file is a {@link CheckpointError} naming the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CheckpointError(`no checkpoint file at ${JSON.stringify(path)}`);
    if (code === "EISDIR") throw new CheckpointError(`${JSON.stringify(path)} is a folder, expected a checkpoint file`);
    throw e;
  }
}
