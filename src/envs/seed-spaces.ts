import type { Env } from "./env.js";
import { Wrapper } from "./wrappers/wrapper.js";

/**
 * Seed the action and observation space generators of `env` and of every env it wraps. They are part of the env's
 * snapshot, so a seeded env snapshots the same bytes run after run (SB3's VecEnv.seed seeds action spaces too).
 */
export function seedSpaces(env: Env<unknown, unknown>, seed: number): void {
  for (let e: Env<unknown, unknown> | null = env; e !== null; e = e instanceof Wrapper ? e.env : null) {
    e.actionSpace.seed(seed);
    e.observationSpace.seed(seed);
  }
}
