import { describe, EnvError, InvalidArgumentError, ShapeError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { Dict } from "../../spaces/dict.js";
import { Discrete } from "../../spaces/discrete.js";
import { MultiBinary } from "../../spaces/multi-binary.js";
import { MultiDiscrete } from "../../spaces/multi-discrete.js";
import type { Space } from "../../spaces/space.js";
import { Tuple } from "../../spaces/tuple.js";

// How single observations and actions map onto the flat batched arrays of a vector env: values as they are
// (Discrete as its integer, not one-hot), Box/MultiDiscrete/MultiBinary element by element, Tuple and Dict (sorted
// keys) concatenated. One row per sub-env.

/** Number of floats one element of `space` takes in a batch row. */
export function batchDim(space: Space<unknown>): number {
  if (space instanceof Discrete) return 1;
  if (space instanceof Box || space instanceof MultiBinary) return space.size;
  if (space instanceof MultiDiscrete) return space.nvec.length;
  if (space instanceof Tuple) return space.spaces.reduce((a, s) => a + batchDim(s), 0);
  if (space instanceof Dict) return space.keys.reduce((a, k) => a + batchDim(space.spaces[k]), 0);
  throw new InvalidArgumentError(`vector env: unsupported space ${describe(String(space))}`);
}

/** A function writing an observation of `space` at `out[offset...]`, built once per space (hot path). */
export type RowWriter = (x: unknown, out: Float32Array, offset: number) => void;

export function rowWriter(space: Space<unknown>): RowWriter {
  if (space instanceof Discrete) {
    return (x, out, offset) => {
      out[offset] = x as number;
    };
  }
  if (space instanceof Tuple || space instanceof Dict) {
    const parts = space instanceof Tuple ? [...space.spaces] : space.keys.map((k) => space.spaces[k]);
    const keys = space instanceof Tuple ? parts.map((_, i) => i) : space.keys;
    const writers = parts.map(rowWriter);
    const offsets = parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + batchDim(p), 0));
    return (x, out, offset) => {
      const obj = x as Record<string | number, unknown>;
      for (let i = 0; i < writers.length; i++) writers[i](obj[keys[i]], out, offset + offsets[i]);
    };
  }
  const n = batchDim(space);
  return (x, out, offset) => {
    const a = x as ArrayLike<number>;
    if (a == null || a.length !== n) {
      throw new ShapeError(`vector env: expected an observation of ${n} values for ${space}, got ${describe(x)}`);
    }
    for (let i = 0; i < n; i++) out[offset + i] = a[i];
  };
}

/**
 * Reads one sub-env's action out of the flat batched actions, into buffers made once (no allocation per step).
 * Discrete actions become numbers, Box actions Float32Arrays, MultiDiscrete Int32Arrays, MultiBinary Uint8Arrays.
 */
export function actionReader(space: Space<unknown>): (actions: ArrayLike<number>, offset: number) => unknown {
  if (space instanceof Discrete) return (actions, offset) => actions[offset];
  if (space instanceof Box || space instanceof MultiDiscrete || space instanceof MultiBinary) {
    const n = batchDim(space);
    if (space instanceof Box) {
      const buf = new Float32Array(n);
      return (actions, offset) => {
        for (let i = 0; i < n; i++) buf[i] = actions[offset + i];
        return buf;
      };
    }
    const buf = space instanceof MultiDiscrete ? new Int32Array(n) : new Uint8Array(n);
    return (actions, offset) => {
      for (let i = 0; i < n; i++) {
        const v = actions[offset + i];
        // integer arrays would silently truncate 1.5 or NaN: reject instead
        if (!Number.isInteger(v)) {
          throw new EnvError(`vector env: action ${describe(v)} for ${space} must be an integer`);
        }
        buf[i] = v;
      }
      return buf;
    };
  }
  throw new InvalidArgumentError(
    `vector env: batched actions support Discrete, Box, MultiDiscrete and MultiBinary action spaces, got ${describe(String(space))}`,
  );
}
