import type { Env } from "../../envs/env.js";
import type { EnvRegistry, RegisteredEnvId } from "../../envs/registry.js";
import type { EnvSnapshot } from "../../envs/snapshot.js";
import type { VectorEnv, VectorStepResult } from "../../envs/vector/vector-env.js";

// Environments as the algorithms see them

/** Result of a vector step: the envs' own type (src/envs/vector), re-exported for the algorithms' callers. */
export type { VectorStepResult };

/**
 * The vector envs algorithms take: any {@link VectorEnv} in either autoreset mode. Same-step (makeVec's default):
 * observation rows already restarted, finished episodes' last observations in `finalObservations`. Next-step
 * (Gymnasium's default, and SyncVectorEnv's and AsyncVectorEnv's): the algorithm resets finished sub-envs at once
 * with Gymnasium's `options.reset_mask`, which a vector env of your own must then implement, so the step that would
 * only reset is never trained on. Optionally able to snapshot its complete
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

/** Options for a model built on an env id (`new PPO("CartPole-v1", { nEnvs: 8 })`); not stored in checkpoints. */
export interface EnvIdOptions {
  /**
   * Copies of the env to step together, in a vector env as `makeVec(id, nEnvs)` builds (same-step autoreset,
   * sub-env i seeded with seed + i). Default 1. Only with an env id: an env or vector env brings its own count.
   */
  nEnvs?: number;
}

/** An action as `predict` returns it when the env's action type is not known statically. */
export type Action = number | Int32Array | Float32Array;

/**
 * The observation type of a model built on `E`: the env's, or for a registered id its env's in {@link EnvRegistry}
 * (`Float32Array` for "CartPole-v1"); unknown for a vector env or an undeclared id.
 */
export type ObservationOf<E> = E extends RegisteredEnvId
  ? ObservationOf<EnvRegistry[E]>
  : E extends Env<infer O, infer _A>
    ? O
    : unknown;
/** The action type `predict` returns for a model built on `E` (`number` for "CartPole-v1"); see ObservationOf. */
export type ActionOf<E> = E extends RegisteredEnvId
  ? ActionOf<EnvRegistry[E]>
  : E extends Env<infer _O, infer A>
    ? A extends Action
      ? A
      : Action
    : Action;

/**
 * The static side of an algorithm class without its construct signature (`load`, `fromZoo`, `algorithmName`...).
 * Each algorithm is exported as one construct signature generic in the env input, so that `new PPO("CartPole-v1")`
 * is a `PPO<Float32Array, number>` (a class's own type parameters cannot be inferred from an env id), joined to this.
 */
export type StaticSide<Cls> = Omit<Cls, never>;

/** True for an object shaped like a vector env (as opposed to a single Gymnasium-style `Env`). */
export function isVectorEnv(env: unknown): env is VectorEnvLike {
  return (
    typeof env === "object" &&
    env !== null &&
    typeof (env as VectorEnvLike).numEnvs === "number" &&
    typeof (env as VectorEnvLike).step === "function"
  );
}
