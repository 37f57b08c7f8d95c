/**
 * The tuned-hyperparameter table ("zoo") format: for each algorithm, a set of per-environment entries that make
 * `tsrl train <algo> <env>` train well without any flag (like rl-baselines3-zoo's hyperparams/*.yml).
 * Each algorithm's table lives in src/train/zoo/<algo>.ts as `export const zoo: AlgoZoo = { ... }`.
 */

export interface ZooEntry {
  /** Env steps of a full run (rl-zoo's `n_timesteps`). */
  totalTimesteps: number;
  /** Parallel envs (`n_envs`). Default 1. */
  nEnvs?: number;
  /** Algorithm config passed to the constructor: plain JSON (numbers, strings, arrays, `Scheduled` objects). */
  hyperparams: Record<string, unknown>;
  /** Options for `make(envId, options)` (e.g. `{ isSlippery: false }`). */
  envKwargs?: Record<string, unknown>;
  /** Where the numbers come from: "rl-baselines3-zoo ppo.yml", a paper, or our own tuning run. */
  source: string;
  /** What this entry reaches, if measured: mean evaluation return and the command that measured it. */
  expected?: { meanReturn: number; measured: string };
}

export interface AlgoZoo {
  /** Registered algorithm name ("PPO", "DQN", "QLearning"...). */
  algorithm: string;
  /** Entries by Gymnasium env id ("CartPole-v1"). */
  entries: Record<string, ZooEntry>;
  /** Used for an env without an entry (a sensible start; the CLI says it is untuned). */
  fallback?: ZooEntry;
}
