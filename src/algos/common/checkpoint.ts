/**
 * The checkpoint format: ONE safetensors file. Tensors hold every array (parameters, optimizer moments,
 * normalizer statistics, optionally the replay buffer, the env's state); the header's `__metadata__` holds one
 * entry, "tsrl", a JSON document with the algorithm, config, env id, spaces, counters, RNG states and versions.
 * A second entry, "tsrl_crc32c", is a CRC-32C over the meta text and every tensor's name, dtype, shape and bytes,
 * so a flipped bit anywhere that still parses is caught too.
 * Nothing executable is stored, and loading only parses (safetensors' strict reader, then JSON.parse) and checks.
 */
import type { RngState } from "../../core/rng.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../../core/safetensors.js";
import { CheckpointError, describe } from "../../errors.js";
import type { SpaceJSON } from "../../spaces/space.js";
import { crc32c } from "./crc32c.js";

/** Version of tsrl that wrote a checkpoint (kept equal to package.json by a test). */
export const LIBRARY_VERSION = "0.1.0";
/** Bumped on any incompatible change of the layout below; newer files are refused with a clear error. */
export const CHECKPOINT_FORMAT_VERSION = 1;
const META_KEY = "tsrl";
const CRC_KEY = "tsrl_crc32c";

export type StateTensor = SafetensorsTensor;

export interface CheckpointMeta {
  format: "tsrl-checkpoint";
  formatVersion: number;
  libraryVersion: string;
  algorithm: string;
  config: Record<string, unknown>;
  envId: string | null;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  numEnvs: number;
  counters: { numTimesteps: number; totalTimesteps: number; iterations: number; numEpisodes: number };
  rng: { train: RngState; predict: RngState };
  recentEpisodes: { returns: number[]; lengths: number[] };
  /** True when `env/last_obs`, `env/episode_returns`, `env/episode_lengths` are present. */
  hasEnvState: boolean;
  /** `{ json }` of the env's snapshot (its arrays are the `env/state/<name>` tensors), or null without one. */
  envState: unknown;
  /** The algorithm's own JSON state. */
  algorithmState: Record<string, unknown>;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  tensors: Record<string, StateTensor>;
}

export function checkpointToBytes(ckpt: Checkpoint): Uint8Array {
  const text = JSON.stringify(ckpt.meta);
  const crc = contentCrc(text, ckpt.tensors);
  return encodeSafetensors(ckpt.tensors, { [META_KEY]: text, [CRC_KEY]: crc });
}

const utf8 = new TextEncoder();

/** CRC-32C over the meta text and every tensor (sorted by name): name, dtype, shape, then the raw bytes. */
function contentCrc(metaText: string, tensors: Record<string, StateTensor>): string {
  let crc = crc32c(utf8.encode(metaText));
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name];
    crc = crc32c(utf8.encode(`\n${name}\n${t.dtype}\n${t.shape.join(",")}\n`), crc);
    crc = crc32c(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc);
  }
  return crc.toString(16).padStart(8, "0");
}

/** Decode and validate the container and the meta document. Every failure is a {@link CheckpointError}. */
export function checkpointFromBytes(bytes: Uint8Array): Checkpoint {
  // a text file, an image, a truncated download (no '{' after the size): say so instead of reporting its first
  // bytes as a header length
  if (bytes instanceof Uint8Array && (bytes.length < 10 || bytes[8] !== 0x7b)) {
    throw new CheckpointError(
      `not a tsrl model file: model files are safetensors, which start with an 8-byte size and a JSON object; these ${bytes.length} bytes do not`,
    );
  }
  const { tensors, metadata } = decodeSafetensors(bytes);
  const text = metadata[META_KEY];
  if (typeof text !== "string") {
    throw new CheckpointError(`not a tsrl checkpoint: the safetensors metadata has no "${META_KEY}" entry`);
  }
  const stored = metadata[CRC_KEY];
  if (typeof stored !== "string") throw new CheckpointError(`checkpoint has no "${CRC_KEY}" integrity entry`);
  const actual = contentCrc(text, tensors);
  if (stored !== actual) {
    throw new CheckpointError(
      `checkpoint is corrupt: content CRC-32C is ${actual}, the file records ${describe(stored)}`,
    );
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint metadata is not valid JSON: ${(e as Error).message}`);
  }
  return { meta: checkMeta(meta), tensors };
}

function fail(field: string, value: unknown, expected: string): never {
  throw new CheckpointError(`checkpoint ${field} must be ${expected}, got ${describe(value)}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkMeta(m: unknown): CheckpointMeta {
  if (!isObject(m)) fail("metadata", m, "a JSON object");
  if (m.format !== "tsrl-checkpoint") fail("format", m.format, '"tsrl-checkpoint"');
  const v = m.formatVersion;
  if (!Number.isInteger(v) || (v as number) < 1) fail("formatVersion", v, "a positive integer");
  if ((v as number) > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `checkpoint format version ${v} is newer than this tsrl (${LIBRARY_VERSION}) reads (up to ${CHECKPOINT_FORMAT_VERSION}); ` +
        `it was written by tsrl ${describe(m.libraryVersion)}: upgrade tsrl to load it`,
    );
  }
  if (typeof m.libraryVersion !== "string") fail("libraryVersion", m.libraryVersion, "a string");
  if (typeof m.algorithm !== "string" || m.algorithm === "") fail("algorithm", m.algorithm, "a non-empty string");
  if (!isObject(m.config)) fail("config", m.config, "a JSON object");
  if (m.envId !== null && typeof m.envId !== "string") fail("envId", m.envId, "a string or null");
  for (const k of ["observationSpace", "actionSpace"] as const) {
    if (!isObject(m[k]) || typeof (m[k] as { type?: unknown }).type !== "string") fail(k, m[k], "a space JSON object");
  }
  if (!Number.isInteger(m.numEnvs) || (m.numEnvs as number) < 1) fail("numEnvs", m.numEnvs, "a positive integer");
  if (!isObject(m.counters)) fail("counters", m.counters, "an object");
  if (!isObject(m.rng) || !isObject(m.rng.train) || !isObject(m.rng.predict))
    fail("rng", m.rng, "{ train, predict } RNG states");
  const rec = m.recentEpisodes;
  if (!isObject(rec) || !Array.isArray(rec.returns) || !Array.isArray(rec.lengths)) {
    fail("recentEpisodes", rec, "{ returns: number[], lengths: number[] }");
  }
  if (typeof m.hasEnvState !== "boolean") fail("hasEnvState", m.hasEnvState, "a boolean");
  if (m.envState !== null && !(isObject(m.envState) && "json" in m.envState))
    fail("envState", m.envState, "null or { json }");
  if (!isObject(m.algorithmState)) fail("algorithmState", m.algorithmState, "a JSON object");
  return m as unknown as CheckpointMeta;
}
