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

/** Write observation `x` of `space` at `out[offset...]`; returns the offset after it. */
export function writeBatchRow(space: Space<unknown>, x: unknown, out: Float32Array, offset: number): number {
  if (space instanceof Discrete) {
    out[offset] = x as number;
    return offset + 1;
  }
  if (space instanceof Tuple) {
    const parts = x as unknown[];
    for (let i = 0; i < space.spaces.length; i++) offset = writeBatchRow(space.spaces[i], parts[i], out, offset);
    return offset;
  }
  if (space instanceof Dict) {
    const obj = x as Record<string, unknown>;
    for (const k of space.keys) offset = writeBatchRow(space.spaces[k], obj[k], out, offset);
    return offset;
  }
  const a = x as ArrayLike<number>;
  const n = batchDim(space);
  if (a == null || a.length !== n) {
    throw new ShapeError(`vector env: expected an observation of ${n} values for ${space}, got ${describe(x)}`);
  }
  for (let i = 0; i < n; i++) out[offset + i] = a[i];
  return offset + n;
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
