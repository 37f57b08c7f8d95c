// Shared by the fast learning checks of PPO, A2C, TRPO and REINFORCE (not a test file itself).
import type { Algorithm } from "../../src/algos/common/algorithm.js";
import { evaluatePolicy } from "../../src/algos/common/evaluate.js";
import "../../src/envs/builtin.js";
import { make } from "../../src/envs/registry.js";
import { SyncVectorEnv } from "../../src/envs/vector/sync-vector-env.js";

/** A same-step-autoreset vector of `n` copies of `id`, as the on-policy algorithms expect. */
export function vecEnv(id: string, n: number): SyncVectorEnv {
  return new SyncVectorEnv(
    Array.from({ length: n }, () => () => make(id)),
    { autoresetMode: "same-step" },
  );
}

/** Mean undiscounted return of 10 deterministic episodes on a fresh, seeded env. */
export function evalReturn(model: Algorithm, id: string): number {
  return evaluatePolicy(model, make(id), { episodes: 10, deterministic: true, seed: 1000 }).meanReturn;
}
