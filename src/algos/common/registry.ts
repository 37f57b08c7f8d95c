import { describe, InvalidArgumentError } from "../../errors.js";
import type { Algorithm } from "./algorithm.js";
import type { AnyEnv, VectorEnvLike } from "./env-like.js";

// The registry of algorithm classes: `Algorithm.load` and the CLI find a class by its name.

export interface AlgorithmClass<T extends Algorithm = Algorithm> {
  new (env: AnyEnv | VectorEnvLike, config?: Record<string, unknown>): T;
  readonly algorithmName: string;
}

const registry = new Map<string, AlgorithmClass>();

/** Make an algorithm class loadable by name (`Algorithm.load`, the CLI). Call once per class, at module level. */
export function registerAlgorithm(cls: AlgorithmClass): void {
  const name = cls.algorithmName;
  if (typeof name !== "string" || name === "" || name === "Algorithm") {
    throw new InvalidArgumentError(`registerAlgorithm: class needs a static algorithmName, got ${describe(name)}`);
  }
  const existing = registry.get(name);
  if (existing !== undefined && existing !== cls) {
    throw new InvalidArgumentError(`registerAlgorithm: ${JSON.stringify(name)} is already registered`);
  }
  registry.set(name, cls);
}

/** The registered class for `name` (case-insensitive), or undefined. */
export function getAlgorithmClass(name: string): AlgorithmClass | undefined {
  const exact = registry.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of registry) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Names of all registered algorithms, sorted. */
export function listAlgorithms(): string[] {
  return [...registry.keys()].sort();
}
