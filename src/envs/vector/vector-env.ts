import type { Space } from "../../spaces/space.js";
import type { Info } from "../env.js";

/**
 * When a finished sub-env starts its next episode (Gymnasium 1.x `AutoresetMode`):
 * - "next-step" (Gymnasium's default): the step that ends an episode returns its last observation; the following
 *   `step` call resets that sub-env (ignoring its action) and returns the first observation with reward 0 and
 *   terminated = truncated = false.
 * - "same-step": the ending step resets at once; `observations` holds the new episode's first observation and
 *   `finalObservations` (and `infos[i].final_obs` / `final_info`) the finished episode's last (SB3's behaviour).
 */
export type AutoresetMode = "next-step" | "same-step";

export interface VectorResetOptions {
  /** An integer gives sub-env i the seed `seed + i`; an array gives one seed (or none) per sub-env. */
  seed?: number | readonly (number | null | undefined)[];
  /**
   * Passed to every sub-env's reset, except `reset_mask` (Gymnasium 1.1's): numEnvs booleans (or 0/1), and only the
   * sub-envs marked are reset, the other rows keep their state and observation. In next-step mode this starts a
   * finished sub-env's next episode at once (its pending autoreset is dropped); the algorithms use it so that they
   * never train on the step that would only reset.
   */
  options?: Record<string, unknown>;
}

export interface VectorResetResult {
  /** numEnvs rows of obsDim floats (Discrete observations as their integer value). */
  observations: Float32Array;
  infos: Info[];
}

export interface VectorStepResult {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
  /**
   * Rows i where terminated[i] or truncated[i] hold the last observation of the episode that just ended, in both
   * autoreset modes (in next-step mode it equals observations[i]); other rows are stale. Use it to bootstrap
   * truncated episodes.
   */
  finalObservations: Float32Array;
}

/**
 * A batch of `numEnvs` copies of one environment stepped together. All result arrays are owned by the vector env
 * and overwritten by the next reset/step.
 */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  /** Floats per observation row and per action row. */
  readonly obsDim: number;
  readonly actDim: number;
  readonly autoresetMode: AutoresetMode;
  reset(opts?: VectorResetOptions): VectorResetResult;
  /** `actions` holds numEnvs rows of actDim numbers (Discrete actions as integers). */
  step(actions: ArrayLike<number>): VectorStepResult;
  close(): void | Promise<void>;
}
