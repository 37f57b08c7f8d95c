import { Rng } from "../core/rng.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { entropySeed, isValidSeed } from "./seeding.js";

/** JSON form of a space, for checkpoints and vector-env workers. Infinite bounds are the strings "Infinity"/"-Infinity". */
export type SpaceJSON =
  | { type: "Box"; low: (number | string)[]; high: (number | string)[]; shape: number[]; dtype: "float32" | "uint8" }
  | { type: "Discrete"; n: number; start: number }
  | { type: "MultiDiscrete"; nvec: number[]; start: number[]; shape: number[] }
  | { type: "MultiBinary"; shape: number[] }
  | { type: "Tuple"; spaces: SpaceJSON[] }
  | { type: "Dict"; spaces: Record<string, SpaceJSON> };

/**
 * A set of values an environment observes or accepts (Gymnasium's `Space`).
 * Each space owns its Rng: `seed(n)` makes `sample()` reproducible; an unseeded space draws its seed from
 * system entropy on first use, like Gymnasium.
 */
export abstract class Space<T> {
  readonly shape: readonly number[];
  /** The space's generator: seeded from system entropy until `seed(n)` is called. */
  readonly rng: Rng;

  constructor(shape: readonly number[]) {
    this.shape = Object.freeze([...shape]);
    this.rng = new Rng(entropySeed());
  }

  /** Reseed the space's generator; without a seed, from system entropy. Returns the seed used. */
  seed(seed?: number): number {
    if (seed !== undefined && !isValidSeed(seed)) {
      throw new InvalidArgumentError(
        `${this.constructor.name}.seed: seed must be a non-negative safe integer, got ${describe(seed)}`,
      );
    }
    const s = seed ?? entropySeed();
    this.rng.seed(s);
    return s;
  }

  /** A random element of the space, drawn from the space's own generator. */
  abstract sample(mask?: unknown): T;
  /** True when `x` is an element of the space (right type, shape and range). */
  abstract contains(x: unknown): boolean;
  abstract toJSON(): SpaceJSON;
  abstract toString(): string;
}

/** Product of a shape's dimensions (1 for the scalar shape []). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validate a shape argument: an array of positive integers. */
export function checkShape(where: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`${where}: shape must be an array of positive integers, got ${describe(shape)}`);
  }
  return shape as number[];
}
