// The tuned-hyperparameter tables of every algorithm, looked up by (algorithm, env id).
import { provideZoo } from "../../algos/common/algorithm.js";
import { zoo as a2c } from "./a2c.js";
import { zoo as ddpg } from "./ddpg.js";
import { zoo as dqn } from "./dqn.js";
import { zoo as ppo } from "./ppo.js";
import { zoo as qlearning } from "./qlearning.js";
import { zoo as reinforce } from "./reinforce.js";
import { zoo as sac } from "./sac.js";
import { zoo as td3 } from "./td3.js";
import { zoo as trpo } from "./trpo.js";
import type { AlgoZoo, ZooEntry } from "./types.js";

export type { AlgoZoo, ZooEntry } from "./types.js";

/** Every algorithm's table. */
export const ZOOS: readonly AlgoZoo[] = [a2c, ddpg, dqn, ppo, qlearning, reinforce, sac, td3, trpo];

/**
 * The entry for `algorithm` on `envId` (algorithm name case-insensitive): the tuned one, else the algorithm's
 * fallback (`tuned: false`), else null.
 */
export function zooEntry(algorithm: string, envId: string): { entry: ZooEntry; tuned: boolean } | null {
  const table = ZOOS.find((z) => z.algorithm.toLowerCase() === algorithm.toLowerCase());
  if (!table) return null;
  const entry = table.entries[envId];
  if (entry) return { entry, tuned: true };
  return table.fallback ? { entry: table.fallback, tuned: false } : null;
}

/** (algorithm, env id, entry) for every tuned entry, sorted. */
export function listZooEntries(): { algorithm: string; env: string; entry: ZooEntry }[] {
  const out: { algorithm: string; env: string; entry: ZooEntry }[] = [];
  for (const z of ZOOS)
    for (const [env, entry] of Object.entries(z.entries)) out.push({ algorithm: z.algorithm, env, entry });
  return out.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.env.localeCompare(b.env));
}

// Algo.fromZoo(envId) reads the tuned entries through this lookup
provideZoo((algorithm, envId) => {
  const z = zooEntry(algorithm, envId);
  return z?.tuned ? z.entry : null;
});
