/**
 * The little file-system access tsrl needs below src/train/ (`save(path)`, `load(path)`). Node's modules are fetched
 * when called (see node-builtin.ts), so the algorithms that import this still bundle and run in a browser, where
 * `toBytes`/`fromBytes` serve instead.
 */
import { CheckpointError } from "../errors.js";
import { nodeBuiltin } from "./node-builtin.js";

type FsPromises = typeof import("node:fs/promises");
type Path = typeof import("node:path");

const fsp = (): FsPromises => nodeBuiltin<FsPromises>("node:fs/promises", "reading or writing a file by path");

let tempCounter = 0;

/**
 * Write `data` to `path` atomically: into a temporary file in the same folder, flushed to disk, then renamed over
 * `path`. A crash mid-write leaves the previous file intact. Creates missing parent folders.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { mkdir, open, rename, rm } = fsp();
  await mkdir(nodeBuiltin<Path>("node:path", "writing a file by path").dirname(path), { recursive: true });
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
  const { readFile } = fsp();
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
