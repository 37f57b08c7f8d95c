import { describe, InvalidArgumentError } from "../../errors.js";
import type { Env } from "../env.js";
import { type MakeOptions, make } from "../registry.js";
import { AsyncVectorEnv } from "./async-vector-env.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import type { AutoresetMode, VectorEnv } from "./vector-env.js";

export interface MakeVecOptions {
  /** Seeds the first reset (sub-env i gets seed + i) and the single action space. */
  seed?: number;
  /** "sync" (default): one thread; "async": one worker thread per sub-env (Node only). */
  vectorizationMode?: "sync" | "async";
  /**
   * Default "same-step", what every algorithm trains on (truncated episodes bootstrap from their final
   * observation), so `new PPO(makeVec(id, n))` works as written. Gymnasium's own default, "next-step", is what the
   * SyncVectorEnv and AsyncVectorEnv constructors default to, for code ported from Gymnasium.
   */
  autoresetMode?: AutoresetMode;
  /** Applied to each sub-env after `make`, in order (sync only: functions cannot be sent to worker threads). */
  wrappers?: readonly ((env: Env<unknown, unknown>) => Env<unknown, unknown>)[];
  /** Options for `make` (time limit, render mode, env options), the same for every sub-env. */
  envOptions?: MakeOptions;
}

/**
 * Gymnasium's `make_vec`: `numEnvs` copies of a registered env in a SyncVectorEnv or AsyncVectorEnv (same-step
 * autoreset unless asked otherwise: see {@link MakeVecOptions.autoresetMode}).
 */
export function makeVec(id: string, numEnvs: number, opts: MakeVecOptions = {}): VectorEnv {
  if (!Number.isSafeInteger(numEnvs) || numEnvs < 1) {
    throw new InvalidArgumentError(`makeVec(${id}): numEnvs must be a positive integer, got ${describe(numEnvs)}`);
  }
  const known = ["seed", "vectorizationMode", "autoresetMode", "wrappers", "envOptions"];
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(
        `makeVec(${id}): unknown option ${JSON.stringify(key)}; expected one of ${known.join(", ")} (env options go in envOptions)`,
      );
    }
  }
  const mode = opts.vectorizationMode ?? "sync";
  const wrappers = opts.wrappers ?? [];
  if (!Array.isArray(wrappers) || !wrappers.every((w) => typeof w === "function")) {
    throw new InvalidArgumentError(`makeVec(${id}): wrappers must be an array of functions, got ${describe(wrappers)}`);
  }
  const envOptions = opts.envOptions ?? {};
  const vecOpts = { autoresetMode: opts.autoresetMode ?? "same-step", seed: opts.seed };
  if (mode === "sync") {
    const build = () => wrappers.reduce((env, wrap) => wrap(env), make(id, envOptions));
    return new SyncVectorEnv(
      Array.from({ length: numEnvs }, () => build),
      vecOpts,
    );
  }
  if (mode === "async") {
    if (wrappers.length > 0) {
      throw new InvalidArgumentError(
        `makeVec(${id}): wrappers are functions and cannot be sent to worker threads; build wrapped envs in a module and pass { module, exportName } sources to AsyncVectorEnv`,
      );
    }
    return new AsyncVectorEnv(
      Array.from({ length: numEnvs }, () => ({ id, options: envOptions as Record<string, unknown> })),
      vecOpts,
    );
  }
  throw new InvalidArgumentError(`makeVec(${id}): vectorizationMode must be "sync" or "async", got ${describe(mode)}`);
}
