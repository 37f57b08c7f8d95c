import { InvalidArgumentError } from "../../errors.js";
import type { Space, SpaceJSON } from "../../spaces/space.js";

// How the algorithms see a space: the Gymnasium space classified once, with what the networks and buffers need.

/** A Box or Discrete space as an algorithm's input or output. */
export type LeafSpaceInfo =
  | { kind: "discrete"; n: number; start: number; dim: 1 }
  | { kind: "multi-discrete"; nvec: readonly number[]; start: readonly number[]; dim: number }
  | {
      kind: "box";
      shape: readonly number[];
      low: Float32Array;
      high: Float32Array;
      dim: number;
      dtype: "float32" | "uint8";
    };

/**
 * What the algorithms need to know about a space. `dim` is the floats one element takes in a vector env's row
 * (Discrete as its integer; a Dict's keys in sorted order, each flattened).
 */
export type SpaceInfo =
  | LeafSpaceInfo
  | { kind: "dict"; keys: readonly { key: string; info: LeafSpaceInfo; offset: number }[]; dim: number };

function leafInfo(json: SpaceJSON, space: Space<unknown>, allowMultiDiscrete: boolean): LeafSpaceInfo | null {
  if (json.type === "Discrete") return { kind: "discrete", n: json.n, start: json.start, dim: 1 };
  if (json.type === "MultiDiscrete" && allowMultiDiscrete) {
    return { kind: "multi-discrete", nvec: json.nvec, start: json.start, dim: json.nvec.length };
  }
  if (json.type === "Box") {
    const box = space as unknown as { low: Float32Array; high: Float32Array };
    let dim = 1;
    for (const d of json.shape) dim *= d;
    return { kind: "box", shape: json.shape, low: box.low, high: box.high, dim, dtype: json.dtype };
  }
  return null;
}

/** Classify an action space (or an observation space that may not be a Dict): see {@link spaceInfo}. */
export function leafSpaceInfo(space: Space<unknown>, what: string, allowMultiDiscrete = false): LeafSpaceInfo {
  return spaceInfo(space, what, allowMultiDiscrete, false) as LeafSpaceInfo;
}

/**
 * Classify a space: `Discrete`, `Box`, and `MultiDiscrete` when `allowMultiDiscrete` (action spaces: each algorithm
 * says whether it supports them); a `Dict` of Box and Discrete spaces when `allowDict` (observations, SB3's
 * MultiInputPolicy); flatten other spaces with a wrapper.
 */
export function spaceInfo(
  space: Space<unknown>,
  what: string,
  allowMultiDiscrete = false,
  allowDict = false,
): SpaceInfo {
  const json = space.toJSON();
  const leaf = leafInfo(json, space, allowMultiDiscrete);
  if (leaf !== null) return leaf;
  if (allowDict && json.type === "Dict") {
    const dict = space as unknown as { keys: readonly string[]; spaces: Record<string, Space<unknown>> };
    const keys: { key: string; info: LeafSpaceInfo; offset: number }[] = [];
    let offset = 0;
    for (const key of dict.keys) {
      const sub = dict.spaces[key];
      const info = leafInfo(sub.toJSON(), sub, false);
      if (info === null) {
        throw new InvalidArgumentError(
          `${what}: Dict key ${JSON.stringify(key)} must be a Box or Discrete space, got ${sub}`,
        );
      }
      keys.push({ key, info, offset });
      offset += info.dim;
    }
    return { kind: "dict", keys, dim: offset };
  }
  throw new InvalidArgumentError(
    allowMultiDiscrete
      ? `${what} must be a Discrete, MultiDiscrete or Box space, got ${space}`
      : `${what} must be a Discrete or Box${allowDict ? " space or a Dict of them" : " space"}, got ${space}; wrap the env with FlattenObservation or similar`,
  );
}
