// Helpers for the snapshot tests: run an env with actions from its own action space, record every result, and
// copy snapshots the way a checkpoint stores them (JSON text + array copies).
import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../../src/core/safetensors.js";
import type { Env } from "../../src/envs/env.js";
import { canSnapshot, type EnvSnapshot, type Snapshotting } from "../../src/envs/snapshot.js";

export interface Trace {
  actions: unknown[];
  observations: unknown[];
  rewards: number[];
  flags: string[];
  episodes: unknown[];
}

/** A deep copy of a value that may hold typed arrays (observations are reused by envs). */
export function copy(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return (v as Float32Array).slice();
  if (Array.isArray(v)) return v.map(copy);
  return v;
}

/**
 * `n` steps with actions sampled from the env's action space (whose generator is part of the snapshot), resetting
 * (unseeded: the env's stream continues) when an episode ends.
 */
export function run(env: Env<unknown, unknown>, n: number): Trace {
  const t: Trace = { actions: [], observations: [], rewards: [], flags: [], episodes: [] };
  for (let i = 0; i < n; i++) {
    const action = copy(env.actionSpace.sample());
    const r = env.step(action);
    t.actions.push(action);
    t.observations.push(copy(r.observation));
    t.rewards.push(r.reward);
    t.flags.push(`${r.terminated}/${r.truncated}`);
    const ep = r.info.episode as { r: number; l: number } | undefined;
    t.episodes.push(ep === undefined ? null : [ep.r, ep.l]);
    if (r.terminated || r.truncated) t.observations.push(copy(env.reset().observation));
  }
  return t;
}

/** Equal bit for bit: typed arrays byte by byte, numbers with Object.is (so -0 and NaN count). */
export function assertSameTrace(a: Trace, b: Trace, what: string): void {
  assert.deepEqual(bits(b), bits(a), what);
}

function bits(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) {
    const view = v as Uint8Array;
    return `${v.constructor.name}:${Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("hex")}`;
  }
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v;
  if (Array.isArray(v)) return v.map(bits);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, bits(x)]));
  }
  return v;
}

const DTYPES = new Map<string, "F64" | "F32" | "I32" | "U8">([
  ["Float64Array", "F64"],
  ["Float32Array", "F32"],
  ["Int32Array", "I32"],
  ["Uint8Array", "U8"],
]);

/** The snapshot as a checkpoint keeps it: JSON through text, arrays through a safetensors file (as tensors). */
export function throughCheckpoint(s: EnvSnapshot): EnvSnapshot {
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [k, a] of Object.entries(s.arrays)) {
    const dtype = DTYPES.get(a.constructor.name);
    assert.ok(dtype !== undefined, `array ${k} has an unsupported type ${a.constructor.name}`);
    tensors[k] = { dtype, shape: [a.length], data: a } as SafetensorsTensor;
  }
  const decoded = decodeSafetensors(encodeSafetensors(tensors, { json: JSON.stringify(s.json) }));
  const arrays: EnvSnapshot["arrays"] = {};
  for (const [k, t] of Object.entries(decoded.tensors)) arrays[k] = t.data as EnvSnapshot["arrays"][string];
  return { json: JSON.parse(decoded.metadata.json), arrays };
}

export function snapshotOf(env: unknown): EnvSnapshot {
  assert.ok(canSnapshot(env), `${env} should offer snapshot/restore`);
  return (env as Snapshotting).snapshot();
}

/** A comparable form of a snapshot, without wall-clock fields (RecordEpisodeStatistics' elapsed time). */
export function stable(s: EnvSnapshot): unknown {
  const arrays = Object.fromEntries(
    Object.entries(s.arrays)
      .filter(([k]) => !k.endsWith("elapsedMs"))
      .map(([k, a]) => [k, bits(a)]),
  );
  return { json: s.json, arrays };
}
