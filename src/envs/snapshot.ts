/**
 * Snapshots: the complete state of an environment (physics, generator, episode flags, wrapper statistics, vector
 * bookkeeping) as JSON plus named typed arrays, so that a checkpoint resumes bit for bit. Checkpoints store the
 * arrays as tensors and the JSON in their header (`src/algos/common/algorithm.ts`).
 *
 * Protocol (built-in envs, wrappers, vector envs):
 *   snapshot()          a copy of the state; nothing live is shared
 *   prepareRestore(s)   validates ALL of `s` (kinds, ids, shapes, dtypes, values) and returns a function that
 *                       applies it and cannot fail; wrappers and vector envs validate their inner envs first
 *   restore(s)          prepareRestore(s)(): a rejected snapshot (CheckpointError) leaves the env untouched
 * Floating-point state goes in arrays (exact, NaN and -0 included); JSON holds integers, flags and generators.
 */
import { Rng, type RngState } from "../core/rng.js";
import { CheckpointError, describe } from "../errors.js";
import type { Space } from "../spaces/space.js";

export type SnapshotArray = Float64Array | Float32Array | Int32Array | Uint8Array;

/** An env's saved state: JSON data plus named arrays. */
export interface EnvSnapshot {
  json: unknown;
  arrays: Record<string, SnapshotArray>;
}

/** Something whose complete state can be saved and restored (see the protocol above). */
export interface Snapshotting {
  snapshot(): EnvSnapshot;
  restore(s: EnvSnapshot): void;
  prepareRestore(s: EnvSnapshot): () => void;
}

/** True when `env` can snapshot its complete state (wrappers answer for their whole stack). */
export function canSnapshot(env: unknown): env is Snapshotting {
  const e = env as Partial<Snapshotting> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.snapshot === "function" &&
    typeof e.restore === "function" &&
    typeof e.prepareRestore === "function"
  );
}

export const NO_CHANGE = (): void => {};

type ArrayCtor<T extends SnapshotArray> = { new (n: number): T; readonly name: string };

/** Reads and checks one level of a snapshot; every failure is a CheckpointError naming `where`. */
export class SnapshotReader {
  readonly json: Record<string, unknown>;

  constructor(
    readonly where: string,
    json: unknown,
    readonly arrays: Record<string, SnapshotArray>,
  ) {
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw this.error(`state must be an object, got ${describe(json)}`);
    }
    if (arrays === null || typeof arrays !== "object") {
      throw this.error(`arrays must be an object of typed arrays, got ${describe(arrays)}`);
    }
    this.json = json as Record<string, unknown>;
  }

  error(message: string): CheckpointError {
    return new CheckpointError(`${this.where} snapshot: ${message}`);
  }

  /** `json[key]` must equal `value` exactly (a kind tag, an id, a configuration the state depends on). */
  expect(key: string, value: string | number | boolean | null): void {
    if (this.json[key] !== value) {
      throw this.error(`${key} is ${describe(this.json[key])}, this env has ${describe(value)}`);
    }
  }

  int(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.json[key];
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
      throw this.error(`${key} must be an integer in [${min}, ${max}], got ${describe(v)}`);
    }
    return v as number;
  }

  bool(key: string): boolean {
    const v = this.json[key];
    if (typeof v !== "boolean") throw this.error(`${key} must be true or false, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.json[key];
    if (!values.includes(v as T)) {
      throw this.error(`${key} must be one of ${values.map((s) => JSON.stringify(s)).join(", ")}, got ${describe(v)}`);
    }
    return v as T;
  }

  rng(key: string): RngState {
    const v = this.json[key] as RngState;
    try {
      new Rng(0).setState(v);
    } catch {
      throw this.error(`${key} must be a generator state, got ${describe(v)}`);
    }
    return v;
  }

  /** The array `name`: of type `ctor`, with `length` elements when given, finite values unless `allowNonFinite`. */
  array<T extends SnapshotArray>(name: string, ctor: ArrayCtor<T>, length?: number, allowNonFinite = false): T {
    const a = this.arrays[name];
    if (!(a instanceof ctor))
      throw this.error(`array ${JSON.stringify(name)} must be a ${ctor.name}, got ${describe(a)}`);
    if (length !== undefined && a.length !== length) {
      throw this.error(`array ${JSON.stringify(name)} must hold ${length} values, got ${a.length}`);
    }
    if (!allowNonFinite) {
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i])) throw this.error(`array ${JSON.stringify(name)}[${i}] is ${a[i]}, expected finite`);
      }
    }
    return a;
  }

  /** The sub-snapshot under `key` (JSON) and `prefix` (arrays named `prefix + name`). */
  nested(key: string, prefix: string): EnvSnapshot {
    return { json: this.json[key], arrays: withoutPrefix(this.arrays, prefix) };
  }
}

/** Arrays whose names start with `prefix`, with it removed. */
export function withoutPrefix(arrays: Record<string, SnapshotArray>, prefix: string): Record<string, SnapshotArray> {
  const out: Record<string, SnapshotArray> = {};
  for (const [name, a] of Object.entries(arrays ?? {})) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = a;
  return out;
}

/** Copy `arrays` into `into` with names prefixed. */
export function addPrefixed(
  into: Record<string, SnapshotArray>,
  prefix: string,
  arrays: Record<string, SnapshotArray>,
): void {
  for (const [name, a] of Object.entries(arrays)) into[prefix + name] = a;
}

/** Every generator of a space, its subspaces' included (Tuple and Dict seed and sample through them). */
export function spaceRngs(space: Space<unknown>, out: Rng[] = []): Rng[] {
  out.push(space.rng);
  const subs = (space as { spaces?: unknown }).spaces;
  if (subs !== null && typeof subs === "object") {
    for (const sub of Object.values(subs as Record<string, Space<unknown>>)) spaceRngs(sub, out);
  }
  return out;
}

/** Generator states of `spaces` (for `sample()` to continue its stream after a restore). */
export function spaceRngStates(spaces: readonly Space<unknown>[]): RngState[] {
  return spaces.flatMap((s) => spaceRngs(s)).map((r) => r.getState());
}

/** Check saved space generator states against `spaces`; returns the function that applies them. */
export function prepareSpaceRngs(reader: SnapshotReader, key: string, spaces: readonly Space<unknown>[]): () => void {
  const rngs = spaces.flatMap((s) => spaceRngs(s));
  const saved = reader.json[key];
  if (!Array.isArray(saved) || saved.length !== rngs.length) {
    throw reader.error(`${key} must list ${rngs.length} generator states, got ${describe(saved)}`);
  }
  const states = saved.map((s, i) => {
    try {
      new Rng(0).setState(s as RngState);
    } catch {
      throw reader.error(`${key}[${i}] must be a generator state, got ${describe(s)}`);
    }
    return s as RngState;
  });
  return () => {
    for (let i = 0; i < rngs.length; i++) rngs[i].setState(states[i]);
  };
}
