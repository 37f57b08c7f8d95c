import { checkInt } from "../../core/checks.js";
import type { Env } from "../../envs/env.js";
import { describe, InvalidArgumentError } from "../../errors.js";

/** Anything that acts: an Algorithm, or a hand-written policy. */
export interface Predictor {
  predict(
    observation: Float32Array | number,
    opts?: { deterministic?: boolean; actionMasks?: ArrayLike<number> | null },
  ): number | Int32Array | Float32Array;
  /** True when the model acts under action masks (an Algorithm with useActionMasks on a discrete space). */
  readonly takesActionMasks?: boolean;
}

export interface EvaluateOptions {
  /** Episodes to run. Default 10. */
  episodes?: number;
  /** Greedy actions. Default true. */
  deterministic?: boolean;
  /** Seed of the first reset (later episodes continue the env's stream). Default: unseeded. */
  seed?: number;
  /** Cut an episode after this many steps (for envs without a time limit). Default: no cut. */
  maxEpisodeSteps?: number;
  /** Called after every step (rendering, recording). */
  onStep?: (env: Env<unknown, unknown>) => void;
}

export interface EvaluationResult {
  meanReturn: number;
  /** Population standard deviation of the episode returns (as SB3's evaluate_policy). */
  stdReturn: number;
  meanLength: number;
  returns: number[];
  lengths: number[];
}

/**
 * Run `episodes` full episodes of `model` on `env` and summarize the undiscounted returns. A model that takes action
 * masks acts under the env's (`actionMasks()` or `info.action_mask`), as it did in training.
 */
export function evaluatePolicy(
  model: Predictor,
  env: Env<unknown, unknown>,
  opts: EvaluateOptions = {},
): EvaluationResult {
  const episodes = checkInt("evaluatePolicy: episodes", opts.episodes ?? 10, 1);
  if (model === null || typeof model !== "object" || typeof model.predict !== "function") {
    throw new InvalidArgumentError(`evaluatePolicy: model must have predict(obs, opts), got ${describe(model)}`);
  }
  if (env === null || typeof env !== "object" || typeof env.reset !== "function") {
    throw new InvalidArgumentError(`evaluatePolicy: env must be an Env, got ${describe(env)}`);
  }
  const maxSteps = opts.maxEpisodeSteps ?? Infinity;
  const deterministic = opts.deterministic ?? true;
  const returns: number[] = [];
  const lengths: number[] = [];
  const masksOf = (info: Record<string, unknown>): ArrayLike<number> | null => {
    if (model.takesActionMasks !== true) return null;
    const method = (env as { actionMasks?: () => ArrayLike<number> }).actionMasks;
    if (typeof method === "function") return method.call(env);
    return (info.action_mask as ArrayLike<number> | undefined) ?? null;
  };
  for (let ep = 0; ep < episodes; ep++) {
    const first = env.reset(ep === 0 && opts.seed !== undefined ? { seed: opts.seed } : {});
    let obs = first.observation;
    let info = first.info;
    let total = 0;
    let len = 0;
    for (;;) {
      const action = model.predict(obs as Float32Array | number, { deterministic, actionMasks: masksOf(info) });
      const r = env.step(action);
      total += r.reward;
      len++;
      opts.onStep?.(env);
      if (r.terminated || r.truncated || len >= maxSteps) break;
      obs = r.observation;
      info = r.info;
    }
    returns.push(total);
    lengths.push(len);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const variance = returns.reduce((a, r) => a + (r - mean) * (r - mean), 0) / episodes;
  return {
    meanReturn: mean,
    stdReturn: Math.sqrt(variance),
    meanLength: lengths.reduce((a, b) => a + b, 0) / episodes,
    returns,
    lengths,
  };
}
