import type { Env } from "../../envs/env.js";
import type { EnvSnapshot } from "../../envs/snapshot.js";
import type { VectorEnv, VectorStepResult } from "../../envs/vector/vector-env.js";

// Environments as the algorithms see them

/** Result of a vector step: the envs' own type (src/envs/vector), re-exported for the algorithms' callers. */
export type { VectorStepResult };

/**
 * The vector envs algorithms take: any {@link VectorEnv} with same-step autoreset (observations rows already
 * restarted, finished episodes' last observations in `finalObservations`), optionally able to snapshot its complete
 * state (SyncVectorEnv and AsyncVectorEnv are when their sub-envs are) and to name its env id (`makeVec` callers set
 * `envId`; SyncVectorEnv tells it through its first sub-env's spec).
 */
export type VectorEnvLike = VectorEnv & {
  snapshot?(): EnvStateSnapshot;
  restore?(state: EnvStateSnapshot): void;
  readonly envId?: string;
};

/** A vector env's or env's saved state (src/envs/snapshot.ts). */
export type EnvStateSnapshot = EnvSnapshot;

/** A single env; it resumes exactly when it implements the snapshot protocol of src/envs/snapshot.ts. */
export type AnyEnv = Env<unknown, unknown>;

/** What an algorithm is built on: an env, a vector env, or a registered env id (built with `make(id)`). */
export type EnvInput<O = unknown, A = unknown> = Env<O, A> | AnyEnv | VectorEnvLike | string;

/** An action as `predict` returns it when the env's action type is not known statically. */
export type Action = number | Int32Array | Float32Array;

/** True for an object shaped like a vector env (as opposed to a single Gymnasium-style `Env`). */
export function isVectorEnv(env: unknown): env is VectorEnvLike {
  return (
    typeof env === "object" &&
    env !== null &&
    typeof (env as VectorEnvLike).numEnvs === "number" &&
    typeof (env as VectorEnvLike).step === "function"
  );
}
