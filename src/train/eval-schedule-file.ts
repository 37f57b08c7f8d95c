/**
 * eval-schedule.json in a run folder: the EvalCallback's schedule (last evaluation step, eval env state, best so far)
 * at each checkpoint, by step, so that `tsrl resume` evaluates at the same steps on the same episodes as a run never
 * stopped. Taken when the checkpoint is written, before any evaluation due at the same step (callback order).
 */
import { readFileSync } from "node:fs";
import type { CheckpointCallback, EvalCallback, EvalSchedule } from "../algos/common/callbacks.js";
import type { EnvSnapshot, SnapshotArray } from "../envs/snapshot.js";
import { writeFileAtomic } from "../platform/fs.js";
import { AfterEachCheckpoint } from "./after-each-checkpoint.js";

const ARRAYS = { Float64Array, Float32Array, Int32Array, Uint8Array } as const;
type ArrayKind = keyof typeof ARRAYS;
interface StoredArray {
  type: ArrayKind;
  base64: string;
}
type Stored = Record<
  string,
  Omit<EvalSchedule, "evalEnv"> & { evalEnv: { json: unknown; arrays: Record<string, StoredArray> } | null }
>;

function encode(s: EnvSnapshot) {
  const arrays: Record<string, StoredArray> = {};
  for (const [k, a] of Object.entries(s.arrays)) {
    const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    arrays[k] = { type: a.constructor.name as ArrayKind, base64: bytes.toString("base64") };
  }
  return { json: s.json, arrays };
}

function decode(s: { json: unknown; arrays: Record<string, StoredArray> }): EnvSnapshot {
  const arrays: Record<string, SnapshotArray> = {};
  for (const [k, { type, base64 }] of Object.entries(s.arrays)) {
    const bytes = Buffer.from(base64, "base64");
    const Ctor = ARRAYS[type];
    const copy = new Uint8Array(bytes); // aligned
    arrays[k] = new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
  }
  return { json: s.json, arrays };
}

function readStored(path: string): Stored {
  try {
    const t = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return typeof t === "object" && t !== null && !Array.isArray(t) ? (t as Stored) : {};
  } catch {
    return {}; // missing or damaged: the resumed run's schedule restarts at the checkpoint, as before this file
  }
}

/** The schedule stored for the checkpoint at `step`, or null. */
export function readEvalSchedule(path: string, step: number): EvalSchedule | null {
  const s = readStored(path)[String(step)];
  if (typeof s !== "object" || s === null || typeof s.lastEvalAt !== "number") return null;
  try {
    return { lastEvalAt: s.lastEvalAt, best: s.best ?? null, evalEnv: s.evalEnv ? decode(s.evalEnv) : null };
  } catch {
    return null;
  }
}

/** Writes the schedule whenever `checkpoints` has saved a new checkpoint; place it after that callback. */
export class EvalScheduleRecorder extends AfterEachCheckpoint {
  constructor(
    checkpoints: CheckpointCallback,
    private readonly evalCb: EvalCallback,
    private readonly path: string,
  ) {
    super(checkpoints);
  }
  protected async record(step: number): Promise<void> {
    const stored = readStored(this.path);
    const s = this.evalCb.schedule();
    stored[String(step)] = { ...s, evalEnv: s.evalEnv ? encode(s.evalEnv) : null };
    await writeFileAtomic(this.path, `${JSON.stringify(stored)}\n`);
  }
}
