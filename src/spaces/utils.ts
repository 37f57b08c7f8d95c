import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { Box } from "./box.js";
import { Dict } from "./dict.js";
import { Discrete } from "./discrete.js";
import { MultiBinary } from "./multi-binary.js";
import { MultiDiscrete } from "./multi-discrete.js";
import type { Space, SpaceJSON } from "./space.js";
import { Tuple } from "./tuple.js";

// Flattening as Gymnasium's spaces.utils: Box and MultiBinary as their values, Discrete as a one-hot vector,
// MultiDiscrete as concatenated one-hots, Tuple and Dict (in sorted key order) as the concatenation of their parts.

function unsupported(where: string, space: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${where}: unsupported space ${describe(String(space))}`);
}

/** Length of the flat vector of an element of `space`. */
export function flatdim(space: Space<unknown>): number {
  if (space instanceof Box || space instanceof MultiBinary) return space.size;
  if (space instanceof Discrete) return space.n;
  if (space instanceof MultiDiscrete) return space.nvec.reduce((a, b) => a + b, 0);
  if (space instanceof Tuple) return space.spaces.reduce((a, s) => a + flatdim(s), 0);
  if (space instanceof Dict) return space.keys.reduce((a, k) => a + flatdim(space.spaces[k]), 0);
  throw unsupported("flatdim", space);
}

/**
 * Write element `x` of `space` as a flat Float32Array (into `out` when given, so hot loops allocate nothing).
 * `x` must be in the space: an element outside it (e.g. a Discrete value out of range) is an error.
 */
export function flatten(space: Space<unknown>, x: unknown, out?: Float32Array): Float32Array {
  const n = flatdim(space);
  if (out !== undefined && (!(out instanceof Float32Array) || out.length !== n)) {
    throw new ShapeError(`flatten: out must be a Float32Array of length ${n} for ${space}, got ${describe(out)}`);
  }
  const buf = out ?? new Float32Array(n);
  flattenInto(space, x, buf, 0);
  return buf;
}

function flattenInto(space: Space<unknown>, x: unknown, buf: Float32Array, off: number): number {
  if (space instanceof Box || space instanceof MultiBinary) {
    const a = x as ArrayLike<number>;
    if (a == null || a.length !== space.size) {
      throw new ShapeError(`flatten: expected ${space.size} values for ${space}, got ${describe(x)}`);
    }
    for (let i = 0; i < space.size; i++) buf[off + i] = a[i];
    return off + space.size;
  }
  if (space instanceof Discrete) {
    if (!space.contains(x)) throw new InvalidArgumentError(`flatten: ${describe(x)} is not in ${space}`);
    buf.fill(0, off, off + space.n);
    buf[off + (x as number) - space.start] = 1;
    return off + space.n;
  }
  if (space instanceof MultiDiscrete) {
    if (!space.contains(x)) throw new InvalidArgumentError(`flatten: ${describe(x)} is not in ${space}`);
    const a = x as ArrayLike<number>;
    for (let i = 0; i < space.nvec.length; i++) {
      buf.fill(0, off, off + space.nvec[i]);
      buf[off + a[i] - space.start[i]] = 1;
      off += space.nvec[i];
    }
    return off;
  }
  if (space instanceof Tuple) {
    if (!Array.isArray(x) || x.length !== space.spaces.length) {
      throw new ShapeError(
        `flatten: expected an array of ${space.spaces.length} parts for ${space}, got ${describe(x)}`,
      );
    }
    space.spaces.forEach((s, i) => {
      off = flattenInto(s, x[i], buf, off);
    });
    return off;
  }
  if (space instanceof Dict) {
    if (typeof x !== "object" || x === null)
      throw new ShapeError(`flatten: expected an object for ${space}, got ${describe(x)}`);
    for (const k of space.keys) off = flattenInto(space.spaces[k], (x as Record<string, unknown>)[k], buf, off);
    return off;
  }
  throw unsupported("flatten", space);
}

/** Inverse of {@link flatten}: rebuild an element of `space` from its flat vector. */
export function unflatten(space: Space<unknown>, flat: ArrayLike<number>): unknown {
  const n = flatdim(space);
  if (flat == null || flat.length !== n) {
    throw new ShapeError(`unflatten: expected ${n} values for ${space}, got ${describe(flat)}`);
  }
  return unflattenAt(space, flat, 0);
}

function oneHotIndex(flat: ArrayLike<number>, off: number, n: number, space: Space<unknown>): number {
  let idx = -1;
  for (let i = 0; i < n; i++) {
    if (flat[off + i] !== 0) {
      if (idx !== -1 || flat[off + i] !== 1) idx = -2;
      else idx = i;
    }
  }
  if (idx < 0)
    throw new InvalidArgumentError(
      `unflatten: expected a one-hot vector for ${space}, got ${describe(Array.from({ length: n }, (_, i) => flat[off + i]))}`,
    );
  return idx;
}

function unflattenAt(space: Space<unknown>, flat: ArrayLike<number>, off: number): unknown {
  if (space instanceof Box) return Float32Array.from({ length: space.size }, (_, i) => flat[off + i]);
  if (space instanceof MultiBinary) return Uint8Array.from({ length: space.size }, (_, i) => flat[off + i]);
  if (space instanceof Discrete) return space.start + oneHotIndex(flat, off, space.n, space);
  if (space instanceof MultiDiscrete) {
    const x = new Int32Array(space.nvec.length);
    for (let i = 0; i < space.nvec.length; i++) {
      x[i] = space.start[i] + oneHotIndex(flat, off, space.nvec[i], space);
      off += space.nvec[i];
    }
    return x;
  }
  if (space instanceof Tuple) {
    return space.spaces.map((s) => {
      const v = unflattenAt(s, flat, off);
      off += flatdim(s);
      return v;
    });
  }
  if (space instanceof Dict) {
    const out: Record<string, unknown> = {};
    for (const k of space.keys) {
      out[k] = unflattenAt(space.spaces[k], flat, off);
      off += flatdim(space.spaces[k]);
    }
    return out;
  }
  throw unsupported("unflatten", space);
}

/** The Box that flattened elements of `space` live in (Gymnasium's `flatten_space`). */
export function flattenSpace(space: Space<unknown>): Box {
  if (space instanceof Box) return new Box(space.low, space.high, [space.size]);
  const n = flatdim(space);
  if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) {
    return new Box(0, 1, [n]);
  }
  const parts =
    space instanceof Tuple ? [...space.spaces] : space instanceof Dict ? space.keys.map((k) => space.spaces[k]) : null;
  if (parts === null) throw unsupported("flattenSpace", space);
  const low = new Float32Array(n);
  const high = new Float32Array(n);
  let off = 0;
  for (const p of parts) {
    const b = flattenSpace(p);
    low.set(b.low, off);
    high.set(b.high, off);
    off += b.size;
  }
  return new Box(low, high, [n]);
}

/** Rebuild a space from {@link Space.toJSON} output (checkpoints); malformed JSON is an error. */
export function spaceFromJSON(json: unknown): Space<unknown> {
  const j = json as SpaceJSON;
  if (typeof j !== "object" || j === null)
    throw new InvalidArgumentError(`spaceFromJSON: expected an object, got ${describe(json)}`);
  switch (j.type) {
    case "Box":
      if (j.dtype !== "float32" && j.dtype !== "uint8")
        throw new InvalidArgumentError(
          `spaceFromJSON: Box dtype must be "float32" or "uint8", got ${describe(j.dtype)}`,
        );
      return new Box(j.low.map(Number), j.high.map(Number), j.shape, { dtype: j.dtype });
    case "Discrete":
      return new Discrete(j.n, { start: j.start });
    case "MultiDiscrete":
      return new MultiDiscrete(j.nvec, { start: j.start });
    case "MultiBinary":
      return new MultiBinary(j.shape);
    case "Tuple":
      if (!Array.isArray(j.spaces))
        throw new InvalidArgumentError(`spaceFromJSON: Tuple spaces must be an array, got ${describe(j.spaces)}`);
      return new Tuple(j.spaces.map(spaceFromJSON));
    case "Dict": {
      if (typeof j.spaces !== "object" || j.spaces === null) {
        throw new InvalidArgumentError(`spaceFromJSON: Dict spaces must be an object, got ${describe(j.spaces)}`);
      }
      const spaces: Record<string, Space<unknown>> = {};
      for (const [k, v] of Object.entries(j.spaces)) spaces[k] = spaceFromJSON(v);
      return new Dict(spaces);
    }
    default:
      throw new InvalidArgumentError(
        `spaceFromJSON: unknown space type ${describe((j as { type?: unknown }).type)}; expected Box, Discrete, MultiDiscrete, MultiBinary, Tuple or Dict`,
      );
  }
}

/** Structural equality of two spaces (same type, shape and bounds), ignoring their generators. */
export function spacesEqual(a: Space<unknown>, b: Space<unknown>): boolean {
  return JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());
}
