/**
 * A study file: a grid of variants (algorithm + hyperparameter overrides) x environments x seeds, each cell an
 * ordinary run folder. `parseStudy` checks everything before a single step is trained: unknown keys, algorithms,
 * environments and options (each variant is built once on each env, so the algorithm's own checks name the option
 * and the valid ones), duplicate variant names, budgets and seeds.
 *
 *   {
 *     "name": "implementation-matters",
 *     "envs": ["Pendulum-v1", "Acrobot-v1"],
 *     "seeds": 5,                                   (or a list: [0, 1, 2, 3, 4])
 *     "budget": { "Pendulum-v1": 300000 },          (env steps: one number, per env, or absent: the zoo's)
 *     "variants": [
 *       { "name": "PPO", "algo": "ppo" },
 *       { "name": "PPO-M", "algo": "ppo", "hp": { "normalizeAdvantage": false }, "envHp": { "Acrobot-v1": {} } }
 *     ]
 *   }
 */

import { getAlgorithmClass } from "../algos/common/algorithm.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { makeTrainEnv, type RunConfig, resolveRunConfig } from "../train/run.js";

export interface StudyVariant {
  /** Unique name (the report's label; the run folders' prefix). */
  name: string;
  /** Algorithm name as `tsrl train` takes it. */
  algo: string;
  /** Overrides of the zoo's tuned defaults for every env. */
  hp?: Record<string, unknown>;
  /** Further overrides per env (after `hp`). */
  envHp?: Record<string, Record<string, unknown>>;
  /** Vector envs per run (default: the zoo's). */
  nEnvs?: number;
}

export interface StudySpec {
  name: string;
  description?: string;
  variants: StudyVariant[];
  envs: string[];
  /** Seeds of every cell (a count n means 0..n-1). */
  seeds: number[] | number;
  /** Env steps per run: one number, per env, or absent for the zoo's budget. */
  budget?: number | Record<string, number>;
  /** Periodic evaluations per run (the learning curves). Default 10. */
  evalCount?: number;
  /** Episodes per periodic evaluation. Default 5. */
  evalEpisodes?: number;
  /** Episodes of each run's final deterministic evaluation (its score). Default 10. */
  finalEvalEpisodes?: number;
  /** Checkpoints per run (how much work a killed study or worker loses at most). Default 5. */
  checkpointCount?: number;
  /**
   * Score range [low, high] per env for normalized aggregates across envs (low -> 0, high -> 1); low "random": a
   * uniformly random policy's mean return, measured by the report. Default: random to the env's reward threshold.
   */
  scoreRanges?: Record<string, [number | "random", number]>;
}

/** One cell of the grid: what `trainRun` needs, and where its folder goes inside the study folder. */
export interface StudyRun {
  /** "<variant>/<env>/s<seed>": the run's identity in progress lines, queues and reports. */
  key: string;
  variant: string;
  env: string;
  seed: number;
  /** Folder name under `<study>/runs/`. */
  folder: string;
  algo: string;
  steps: number | undefined;
  nEnvs: number | undefined;
  hp: Record<string, unknown>;
  evalCount: number;
  evalEpisodes: number;
  finalEvalEpisodes: number;
  checkpointCount: number;
}

const TOP_KEYS = [
  "name",
  "description",
  "variants",
  "envs",
  "seeds",
  "budget",
  "evalCount",
  "evalEpisodes",
  "finalEvalEpisodes",
  "checkpointCount",
  "scoreRanges",
];
const VARIANT_KEYS = ["name", "algo", "hp", "envHp", "nEnvs"];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(where: string, message: string): never {
  throw new InvalidArgumentError(`${where}: ${message}`);
}

function checkKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  const bad = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (bad.length > 0)
    fail(where, `unknown key(s) ${bad.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`);
}

function positiveInt(where: string, name: string, v: unknown, min = 1): number {
  if (!Number.isSafeInteger(v) || (v as number) < min)
    fail(where, `${name} must be an integer >= ${min}, got ${describe(v)}`);
  return v as number;
}

/** A file-system-safe folder name part: letters, digits, '.', '_', '-' and '+' kept, the rest as '_'. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]/g, "_");
}

/** The seeds of a study, expanded. */
export function studySeeds(spec: StudySpec): number[] {
  return typeof spec.seeds === "number" ? Array.from({ length: spec.seeds }, (_, i) => i) : [...spec.seeds];
}

/**
 * Check a parsed study file (`source` names it in messages) and return it typed. Builds every variant on every env
 * once (no training) so that unknown or out-of-range options fail here, with the algorithm's own message.
 */
export function parseStudy(json: unknown, source = "study"): StudySpec {
  if (!isObject(json))
    fail(source, `a study must be a JSON object with keys ${TOP_KEYS.join(", ")}, got ${describe(json)}`);
  checkKeys(source, json, TOP_KEYS);
  if (typeof json.name !== "string" || json.name === "")
    fail(source, `name must be a non-empty string, got ${describe(json.name)}`);
  if (!Array.isArray(json.envs) || json.envs.length === 0 || !json.envs.every((e) => typeof e === "string"))
    fail(source, `envs must be a non-empty list of environment ids, got ${describe(json.envs)}`);
  if (new Set(json.envs).size !== json.envs.length)
    fail(source, `envs lists an environment twice: ${describe(json.envs)}`);
  let seeds: number[];
  if (typeof json.seeds === "number")
    seeds = Array.from({ length: positiveInt(source, "seeds", json.seeds) }, (_, i) => i);
  else if (Array.isArray(json.seeds) && json.seeds.length > 0) {
    seeds = json.seeds.map((s) => positiveInt(source, "each seed", s, 0));
    if (new Set(seeds).size !== seeds.length) fail(source, `seeds lists a seed twice: ${describe(json.seeds)}`);
  } else fail(source, `seeds must be a count >= 1 or a non-empty list of integers >= 0, got ${describe(json.seeds)}`);
  const envs = json.envs as string[];
  if (json.budget !== undefined && typeof json.budget !== "number") {
    if (!isObject(json.budget))
      fail(source, `budget must be env steps (a number) or { envId: steps }, got ${describe(json.budget)}`);
    const stray = Object.keys(json.budget).filter((e) => !envs.includes(e));
    if (stray.length > 0)
      fail(source, `budget names ${stray.map((e) => JSON.stringify(e)).join(", ")}, not in envs (${envs.join(", ")})`);
    for (const [e, v] of Object.entries(json.budget)) positiveInt(source, `budget of ${e}`, v);
  } else if (typeof json.budget === "number") positiveInt(source, "budget", json.budget);
  for (const k of ["evalCount", "evalEpisodes", "finalEvalEpisodes", "checkpointCount"] as const)
    if (json[k] !== undefined) positiveInt(source, k, json[k], k === "evalCount" ? 0 : 1);
  if (json.scoreRanges !== undefined) {
    if (!isObject(json.scoreRanges))
      fail(source, `scoreRanges must be { envId: [low, high] }, got ${describe(json.scoreRanges)}`);
    for (const [e, r] of Object.entries(json.scoreRanges)) {
      if (!envs.includes(e)) fail(source, `scoreRanges names ${JSON.stringify(e)}, not in envs (${envs.join(", ")})`);
      const ok =
        Array.isArray(r) &&
        r.length === 2 &&
        (r[0] === "random" || Number.isFinite(r[0])) &&
        Number.isFinite(r[1]) &&
        (r[0] === "random" || r[1] > r[0]);
      if (!ok)
        fail(
          source,
          `scoreRanges of ${e} must be [low, high] with low < high (low may be "random"), got ${describe(r)}`,
        );
    }
  }

  if (!Array.isArray(json.variants) || json.variants.length === 0)
    fail(source, `variants must be a non-empty list of { name, algo, hp? }, got ${describe(json.variants)}`);
  const seen = new Map<string, string>();
  for (const v of json.variants) {
    if (!isObject(v)) fail(source, `each variant must be an object { name, algo, hp? }, got ${describe(v)}`);
    const where = `${source}: variant ${describe(v.name)}`;
    checkKeys(where, v, VARIANT_KEYS);
    if (typeof v.name !== "string" || v.name === "")
      fail(source, `each variant needs a non-empty name, got ${describe(v.name)}`);
    // folder names must differ too (case-insensitive file systems)
    const id = slug(v.name).toLowerCase();
    const other = seen.get(id);
    if (other !== undefined)
      fail(
        source,
        `duplicate variant name ${JSON.stringify(v.name)}${other === v.name ? "" : ` (same folder as ${JSON.stringify(other)})`}: names must be unique`,
      );
    seen.set(id, v.name);
    if (typeof v.algo !== "string") fail(where, `algo must be an algorithm name, got ${describe(v.algo)}`);
    if (v.hp !== undefined && !isObject(v.hp)) fail(where, `hp must be an object of options, got ${describe(v.hp)}`);
    if (v.envHp !== undefined) {
      if (!isObject(v.envHp) || !Object.values(v.envHp).every(isObject))
        fail(where, `envHp must be { envId: { option: value } }, got ${describe(v.envHp)}`);
      const stray = Object.keys(v.envHp).filter((e) => !envs.includes(e));
      if (stray.length > 0)
        fail(where, `envHp names ${stray.map((e) => JSON.stringify(e)).join(", ")}, not in envs (${envs.join(", ")})`);
    }
    if (v.nEnvs !== undefined) positiveInt(where, "nEnvs", v.nEnvs);
  }
  const spec = json as unknown as StudySpec;
  for (const run of expandRuns({ ...spec, seeds: [seeds[0]] })) checkRun(run, source);
  return { ...spec, seeds };
}

/** Build the run's model once (no training) so that the algorithm checks its options; rethrow with the cell named. */
function checkRun(run: StudyRun, source: string): RunConfig {
  const where = `${source}: variant ${JSON.stringify(run.variant)} on ${run.env}`;
  try {
    const cfg = resolveRunConfig({
      algo: run.algo,
      env: run.env,
      steps: run.steps,
      seed: run.seed,
      nEnvs: run.nEnvs,
      hp: run.hp,
    });
    const cls = getAlgorithmClass(cfg.algorithm);
    if (cls) {
      const model = new cls(makeTrainEnv(cfg.env, cfg.nEnvs, cfg.envKwargs), { ...cfg.hyperparams, seed: cfg.seed });
      void model.close();
    }
    return cfg;
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`${where}: ${e.message}`);
    throw e;
  }
}

/** Every cell of the grid, in the order variants x envs x seeds. */
export function expandRuns(spec: StudySpec): StudyRun[] {
  const runs: StudyRun[] = [];
  for (const v of spec.variants) {
    for (const env of spec.envs) {
      const steps = typeof spec.budget === "number" ? spec.budget : spec.budget?.[env];
      for (const seed of studySeeds(spec)) {
        runs.push({
          key: `${v.name}/${env}/s${seed}`,
          variant: v.name,
          env,
          seed,
          folder: `${slug(v.name)}__${env}__s${seed}`,
          algo: v.algo,
          steps,
          nEnvs: v.nEnvs,
          hp: { ...(v.hp ?? {}), ...(v.envHp?.[env] ?? {}) },
          evalCount: spec.evalCount ?? 10,
          evalEpisodes: spec.evalEpisodes ?? 5,
          finalEvalEpisodes: spec.finalEvalEpisodes ?? 10,
          checkpointCount: spec.checkpointCount ?? 5,
        });
      }
    }
  }
  return runs;
}
