/**
 * The little file-system access tsrl needs below src/train/ (`save(path)`, `load(path)`). Node's modules are fetched
 * when called (see node-builtin.ts), so the algorithms that import this still bundle and run in a browser, where
 * `toBytes`/`fromBytes` serve instead.
 */
import type { FileHandle } from "node:fs/promises";
import { CheckpointError } from "../errors.js";
import { nodeBuiltin } from "./node-builtin.js";

type Fs = typeof import("node:fs");
type FsPromises = typeof import("node:fs/promises");
type Path = typeof import("node:path");

const fsp = (): FsPromises => nodeBuiltin<FsPromises>("node:fs/promises", "reading or writing a file by path");
const path = (): Path => nodeBuiltin<Path>("node:path", "reading or writing a file by path");

let tempCounter = 0;
const TEMP_NAME = /\.tmp-(\d+)-\d+$/;

/**
 * Write `data` to `file` atomically: into a temporary file in the same folder, flushed to disk, renamed over
 * `file`, then the folder flushed too (without that, a power cut after the rename can lose the new name).
 * A crash mid-write leaves the previous file intact; its temporary file is removed by the next write into the
 * same folder. Creates missing parent folders.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const { mkdir, open, rename, rm } = fsp();
  const dir = path().dirname(file);
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir);
  const tmp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncFolder(dir);
}

async function syncFolder(dir: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await fsp().open(dir, "r");
  } catch {
    return; // a platform that cannot open folders (Windows) has no folder fsync either
  }
  try {
    await fh.sync();
  } catch (e) {
    // some file systems refuse fsync on a folder: the rename then is as durable as they make it
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM" && code !== "EBADF") throw e;
  } finally {
    await fh.close();
  }
}

/**
 * Remove the temporary files (`<name>.tmp-<pid>-<n>`) that writers killed mid-save left in `dir`. Only files of
 * processes no longer alive are removed, so a concurrent save by a live process is never touched. Returns the
 * names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const { readdir, rm } = fsp();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await rm(path().join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, owned by another user
  }
}

/**
 * Read a whole checkpoint file as bytes. Only a regular file is read (a FIFO would block forever, /dev/zero never
 * end): it is opened without blocking, checked with fstat, and exactly its size is read. Every failure (missing,
 * a folder, a device, a symlink loop, a name too long, a NUL in the path, no permission) is a
 * {@link CheckpointError} naming the path.
 */
export async function readFileBytes(file: string, what = "checkpoint file"): Promise<Uint8Array> {
  const { constants } = nodeBuiltin<Fs>("node:fs", "reading a file by path");
  let fh: FileHandle;
  try {
    fh = await fsp().open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw pathError(file, what, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new CheckpointError(`${JSON.stringify(file)} is a folder, expected a ${what}`);
    if (!st.isFile()) {
      throw new CheckpointError(
        `${JSON.stringify(file)} is not a regular file (a device, FIFO or socket), expected a ${what}`,
      );
    }
    const out = new Uint8Array(st.size);
    let filled = 0;
    while (filled < out.length) {
      const { bytesRead } = await fh.read(out, filled, out.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled !== out.length) {
      throw new CheckpointError(`${JSON.stringify(file)} shrank while it was read (${filled} of ${out.length} bytes)`);
    }
    return out;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw pathError(file, what, e);
  } finally {
    await fh.close();
  }
}

/** A file-system error as a {@link CheckpointError} that names the path and says what went wrong in words. */
export function pathError(file: string, what: string, e: unknown): CheckpointError {
  const code = (e as NodeJS.ErrnoException).code;
  const p = JSON.stringify(file);
  const reason: Record<string, string> = {
    ENOENT: `no ${what} at ${p}`,
    EISDIR: `${p} is a folder, expected a ${what}`,
    ELOOP: `${p} is a symbolic link loop (too many levels of links), expected a ${what}`,
    ENAMETOOLONG: `${p} is too long a file name for this file system, expected a ${what}`,
    ENOTDIR: `${p} has a path component that is not a folder, expected a ${what}`,
    EACCES: `no permission to read ${p} (${what})`,
    EPERM: `no permission to read ${p} (${what})`,
    ERR_INVALID_ARG_VALUE: `${p} is not a valid path (it contains a NUL character), expected a ${what}`,
    ERR_INVALID_ARG_TYPE: `${p} is not a valid path, expected a ${what}`,
  };
  return new CheckpointError(reason[code ?? ""] ?? `cannot read ${what} ${p}: ${(e as Error).message}`);
}
