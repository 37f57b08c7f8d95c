/**
 * A run folder as one JSON-able value (each file gzip-compressed, base64-encoded, by path relative to the folder),
 * for sending it through a queue; and back. Temporary files of atomic writes are left out.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, InvalidArgumentError } from "../errors.js";

export type PackedFiles = Record<string, string>;

/** Pack a folder's files (gzip, base64), leaving out what `skip` says. */
export function packFolder(dir: string, skip: (rel: string) => boolean = () => false): PackedFiles {
  const out: PackedFiles = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p).split("\\").join("/");
      if (skip(rel) || /\.tmp-\d+-\d+$/.test(name)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = gzipSync(readFileSync(p)).toString("base64");
    }
  };
  walk(dir);
  return out;
}

export function unpackFolder(dir: string, files: PackedFiles): void {
  for (const [rel, data] of Object.entries(files)) {
    if (rel.split("/").includes("..") || rel.startsWith("/"))
      throw new InvalidArgumentError(`refusing a result file outside its run folder: ${describe(rel)}`);
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, gunzipSync(Buffer.from(data, "base64")));
  }
}
