/**
 * A run folder as one JSON-able value (each file gzip-compressed, base64-encoded, by path relative to the folder),
 * for sending it through a queue; and back. Temporary files of atomic writes are left out. With a shared artifacts
 * folder (`--artifacts`, e.g. a network mount every machine sees), model files (*.safetensors: models and
 * checkpoints) are copied there instead and only named in the packed value, so Redis carries the small files only.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, InvalidArgumentError, TsrlError } from "../errors.js";

export type PackedFiles = Record<string, string>;

/** A run folder in transit: small files inline, model files by name in a shared artifacts folder. */
export interface PackedRun {
  files: PackedFiles;
  /** Paths (relative to the run folder) of the files put in the artifacts folder. */
  artifacts: string[];
}

/** A packed run names a file of the artifacts folder that is not there (or no artifacts folder was given). */
export class MissingArtifactError extends TsrlError {}

/** Model weights and checkpoints: what a shared artifacts folder carries. */
export const isModelFile = (rel: string): boolean => rel.endsWith(".safetensors");

let tmpCount = 0;
function copyAtomic(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}-${tmpCount++}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** The files of a folder (relative paths, '/'-separated), leaving out what `skip` says and temporary files. */
function listFolder(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p).split("\\").join("/");
      if (skip(rel) || /\.tmp-\d+-\d+$/.test(name)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  walk(dir);
  return out;
}

/** Pack a folder's files (gzip, base64), leaving out what `skip` says. */
function packFolder(dir: string, skip: (rel: string) => boolean = () => false): PackedFiles {
  const out: PackedFiles = {};
  for (const rel of listFolder(dir, skip)) out[rel] = gzipSync(readFileSync(join(dir, rel))).toString("base64");
  return out;
}

function checkRelative(rel: string): void {
  if (rel.split("/").includes("..") || rel.startsWith("/"))
    throw new InvalidArgumentError(`refusing a result file outside its run folder: ${describe(rel)}`);
}

function unpackFolder(dir: string, files: PackedFiles): void {
  for (const [rel, data] of Object.entries(files)) {
    checkRelative(rel);
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, gunzipSync(Buffer.from(data, "base64")));
  }
}

/** Pack a run folder; with `artifactsDir`, its model files are copied there (same relative paths) instead. */
export function packRun(dir: string, skip: (rel: string) => boolean, artifactsDir?: string): PackedRun {
  if (artifactsDir === undefined) return { files: packFolder(dir, skip), artifacts: [] };
  const artifacts = listFolder(dir, skip).filter(isModelFile);
  for (const rel of artifacts) copyAtomic(join(dir, rel), join(artifactsDir, rel));
  return { files: packFolder(dir, (rel) => skip(rel) || isModelFile(rel)), artifacts };
}

/** Write a packed run into `dir`, its model files copied from `artifactsDir` (a MissingArtifactError if absent). */
export function unpackRun(dir: string, packed: PackedRun, artifactsDir?: string): void {
  const sources = packed.artifacts.map((rel) => {
    checkRelative(rel);
    if (artifactsDir === undefined)
      throw new MissingArtifactError(
        `${rel} was put in the workers' shared artifacts folder, and no --artifacts folder was given here`,
      );
    const from = join(artifactsDir, rel);
    if (!existsSync(from))
      throw new MissingArtifactError(`${rel} is not in the shared artifacts folder (no file ${from})`);
    return [from, rel] as const;
  });
  unpackFolder(dir, packed.files);
  for (const [from, rel] of sources) copyAtomic(from, join(dir, rel));
}

/** Delete the model files under `artifactsDir` that `keep` does not name (older checkpoints of a run). */
export function pruneArtifacts(artifactsDir: string, keep: readonly string[]): void {
  if (!existsSync(artifactsDir)) return;
  const kept = new Set(keep);
  for (const rel of listFolder(artifactsDir, () => false)) {
    if (!kept.has(rel)) rmSync(join(artifactsDir, rel), { force: true });
  }
}
