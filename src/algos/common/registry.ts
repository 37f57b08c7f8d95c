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

/** Tuned defaults of an algorithm on an env (the zoo's entry): constructor config, env count and env options. */
export interface TunedDefaults {
  hyperparams: Record<string, unknown>;
  nEnvs?: number;
  envKwargs?: Record<string, unknown>;
}
type ZooLookup = (algorithm: string, envId: string) => TunedDefaults | null;
let zooLookup: ZooLookup | null = null;

/**
 * Where `Algo.fromZoo` finds tuned defaults. The tables are data kept with the training tools (src/train/zoo),
 * above this layer, so they hand their lookup down here when loaded (the package entry point loads them).
 */
export function provideZoo(lookup: ZooLookup): void {
  zooLookup = lookup;
}

/** The zoo's tuned defaults of `algorithm` on `envId`, or a typed error naming why there are none. */
export function zooDefaults(algorithm: string, envId: string): TunedDefaults {
  const tuned = zooLookup?.(algorithm, envId) ?? null;
  if (tuned === null) {
    throw new InvalidArgumentError(
      `${algorithm}.fromZoo: no tuned defaults for ${describe(envId)}${zooLookup === null ? " (the zoo is not loaded: import from the package entry point)" : ""}; build it with new ${algorithm}(env, config)`,
    );
  }
  return tuned;
}
