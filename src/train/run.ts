/**
 * Training runs as the CLI runs them: resolve the config (zoo defaults < config file < --hp overrides), make the
 * envs, train with checkpoints, periodic evaluation, metrics (JSONL, CSV, TensorBoard) and progress, then write the
 * final model, a learning-curve SVG and a summary into one run folder:
 *
 *   <out>/<algo>-<env>-s<seed>[-k]/
 *     config.json            resolved config (everything needed to rerun or resume)
 *     metrics.jsonl/.csv     logged metrics per iteration; tb/ TensorBoard event file
 *     episodes.csv           step, return, length of every finished training episode
 *     checkpoints/           periodic checkpoints (each resumes exactly)
 *     best-model.safetensors best periodic evaluation;  model.safetensors  final model
 *     curve.svg              learning curve;  summary.json / summary.md
 *     wall-time.json         training wall time at each checkpoint (a resumed run's summary adds earlier parts)
 *     eval-schedule.json     periodic evaluation's schedule at each checkpoint (a resumed run continues it)
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  Algorithm,
  type AlgorithmClass,
  type AnyEnv,
  getAlgorithmClass,
  listAlgorithms,
} from "../algos/common/algorithm.js";
import { type Callback, CheckpointCallback, EvalCallback } from "../algos/common/callbacks.js";
import { checkpointFromBytes, LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import { type EvaluationResult, evaluatePolicy } from "../algos/common/evaluate.js";
import "../algos/index.js";
import { TableSink } from "../algos/common/table-sink.js";
import { make, registeredIds } from "../envs/index.js";
import { CheckpointError, describe, InvalidArgumentError, TsrlError } from "../errors.js";
import { readFileBytes, removeStaleTemps, writeFileAtomic } from "../platform/fs.js";
import { AfterEachCheckpoint } from "./after-each-checkpoint.js";
import { EvalScheduleRecorder, readEvalSchedule } from "./eval-schedule-file.js";
import { loadEnvFamily } from "./load-env-family.js";
import { CsvSink, JsonlSink, parseJsonl } from "./metrics-files.js";
import { learningCurveSvg } from "./plot.js";
import { type ProgressMode, type ProgressStream, terminalProgress } from "./progress.js";
import { TensorBoardSink } from "./tensorboard.js";
import { makeTrainEnv, type Vectorization } from "./train-env.js";
import { zooEntry } from "./zoo/index.js";

export { makeTrainEnv, type Vectorization };

/** What `--config file.json` may hold (every key optional). */
export interface RunConfigFile {
  totalTimesteps?: number;
  nEnvs?: number;
  seed?: number;
  hyperparams?: Record<string, unknown>;
  envKwargs?: Record<string, unknown>;
}

export interface TrainRunOptions {
  algo: string;
  env: string;
  steps?: number;
  seed?: number;
  nEnvs?: number;
  /** Step the envs in this thread ("sync", default) or in worker threads ("async", for expensive envs). */
  vectorization?: Vectorization;
  /**
   * Threads for the networks' large matrix products (default: the machine's cores, at most 8). Not stored in the
   * run's config: results do not depend on it.
   */
  threads?: number;
  /** Hyperparameter overrides (highest priority). */
  hp?: Record<string, unknown>;
  /** Contents of a config file (between the zoo defaults and `hp`). */
  config?: RunConfigFile;
  /** Parent folder of run folders. Default "runs". */
  out?: string;
  /** This exact (new or empty) run folder instead of a fresh `<algo>-<env>-s<seed>` under `out` (studies name their own). */
  runDir?: string;
  /** More callbacks, called after the run's own (checkpoints, evaluation) in each hook. */
  callbacks?: Callback[];
  /** Periodic evaluations over the run (0 = none). Default 5. */
  evalCount?: number;
  /**
   * Episodes per periodic evaluation. Default 5. Final evaluation: `finalEvalEpisodes`, default 100 (10 were too
   * few on stochastic envs: FrozenLake read 0.40 +/- 0.49 where 1,000 episodes give 0.75); its standard error is
   * reported beside the mean.
   */
  evalEpisodes?: number;
  finalEvalEpisodes?: number;
  /** Checkpoints over the run. Default 5. */
  checkpointCount?: number;
  progress?: ProgressMode;
  /** Where the progress display goes. Default: stderr. */
  progressStream?: ProgressStream;
  /** Where messages go. Default: stderr. */
  log?: (line: string) => void;
  /** Also print every logged row as a table to the progress stream (SB3's verbose=1). */
  verbose?: boolean;
}

/** The resolved, saved configuration of a run (config.json). */
export interface RunConfig {
  algorithm: string;
  env: string;
  seed: number;
  nEnvs: number;
  vectorization: Vectorization;
  totalTimesteps: number;
  hyperparams: Record<string, unknown>;
  envKwargs: Record<string, unknown>;
  evalFreq: number;
  evalEpisodes: number;
  finalEvalEpisodes: number;
  checkpointFreq: number;
  zoo: { tuned: boolean; source: string | null };
  tsrlVersion: string;
}

export interface RunSummary {
  runDir: string;
  algorithm: string;
  env: string;
  seed: number;
  /** Env steps of the whole run (all parts, when resumed). */
  numTimesteps: number;
  /** Wall time of the whole run: every part's training time up to its checkpoint, plus this part's. */
  wallSeconds: number;
  /** Training parts: 1, plus one per resume. */
  parts: number;
  /** Steps per second of this part's training. */
  stepsPerSecond: number;
  episodes: number;
  /** Deterministic evaluation of the final model; `stdError` = stdReturn / sqrt(episodes), the mean's uncertainty. */
  finalEval: { meanReturn: number; stdReturn: number; stdError: number; episodes: number };
  bestEval: { meanReturn: number; numTimesteps: number } | null;
}

const defaultLog = (line: string) => process.stderr.write(`${line}\n`);

function resolveAlgorithm(name: string): AlgorithmClass {
  const cls = getAlgorithmClass(name);
  if (!cls) {
    throw new InvalidArgumentError(
      `unknown algorithm ${describe(name)}; choose one of: ${listAlgorithms().join(", ")}`,
    );
  }
  return cls;
}

function resolveEnvId(id: string): string {
  const ids = registeredIds();
  if (ids.includes(id)) return id;
  const ci = ids.find((x) => x.toLowerCase() === id.toLowerCase());
  if (ci) return ci;
  throw new InvalidArgumentError(`unknown environment ${describe(id)}; choose one of: ${ids.join(", ")}`);
}

function checkCount(name: string, v: unknown, min: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${describe(v)}`);
  }
  return v as number;
}

/** Resolve the full run config: zoo defaults < config file < explicit options. */
export function resolveRunConfig(opts: TrainRunOptions): RunConfig {
  const cls = resolveAlgorithm(opts.algo);
  const env = resolveEnvId(opts.env);
  const zoo = zooEntry(cls.algorithmName, env);
  const file = opts.config ?? {};
  const totalTimesteps = opts.steps ?? file.totalTimesteps ?? zoo?.entry.totalTimesteps;
  if (totalTimesteps === undefined) {
    throw new InvalidArgumentError(
      `no tuned defaults for ${cls.algorithmName} on ${env}: pass --steps N (and --hp key=value as needed)`,
    );
  }
  checkCount("steps", totalTimesteps, 1);
  const nEnvs = checkCount("n-envs", opts.nEnvs ?? file.nEnvs ?? zoo?.entry.nEnvs ?? 1, 1);
  const hyperparams = { ...(zoo?.entry.hyperparams ?? {}), ...(file.hyperparams ?? {}), ...(opts.hp ?? {}) };
  // the seed is one setting however it is given (--seed, --hp seed=..., the config file): never silently two
  const given: [string, unknown][] = [
    ["--seed", opts.seed],
    ["--hp seed", opts.hp?.seed],
    ["config hyperparams.seed", file.hyperparams?.seed],
    ["config seed", file.seed],
  ];
  const seeds = given.filter(([, v]) => v !== undefined);
  if (new Set(seeds.map(([, v]) => v)).size > 1) {
    throw new InvalidArgumentError(
      `the seed is given differently by ${seeds.map(([k, v]) => `${k}=${describe(v)}`).join(", ")}; give it once (--seed N)`,
    );
  }
  const seed = checkCount("seed", seeds[0]?.[1] ?? 0, 0);
  delete hyperparams.seed;
  const envKwargs = { ...(zoo?.entry.envKwargs ?? {}), ...(file.envKwargs ?? {}) };
  const evalCount = checkCount("evalCount", opts.evalCount ?? 5, 0);
  const checkpointCount = checkCount("checkpointCount", opts.checkpointCount ?? 5, 1);
  return {
    algorithm: cls.algorithmName,
    env,
    seed,
    nEnvs,
    vectorization: opts.vectorization ?? "sync",
    totalTimesteps,
    hyperparams,
    envKwargs,
    evalFreq: evalCount > 0 ? Math.max(1, Math.ceil(totalTimesteps / evalCount)) : 0,
    evalEpisodes: checkCount("evalEpisodes", opts.evalEpisodes ?? 5, 1),
    finalEvalEpisodes: checkCount("finalEvalEpisodes", opts.finalEvalEpisodes ?? 100, 1),
    checkpointFreq: Math.max(1, Math.ceil(totalTimesteps / checkpointCount)),
    zoo: { tuned: zoo?.tuned ?? false, source: zoo?.entry.source ?? null },
    tsrlVersion: LIBRARY_VERSION,
  };
}

function freshRunDir(out: string, cfg: RunConfig): string {
  const base = join(out, `${cfg.algorithm.toLowerCase()}-${cfg.env}-s${cfg.seed}`);
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Appends every finished training episode to episodes.csv. */
class EpisodeRecorder implements Callback {
  private seen = 0;
  constructor(private readonly path: string) {}
  onTrainingStart(ctx: { model: Algorithm }): void {
    this.seen = ctx.model.numEpisodes;
  }
  onStep(ctx: { model: Algorithm; numTimesteps: number }): undefined {
    const n = ctx.model.numEpisodes;
    if (n === this.seen) return;
    const { returns, lengths } = ctx.model.recentEpisodes;
    const k = Math.min(n - this.seen, returns.length);
    let lines = "";
    for (let i = returns.length - k; i < returns.length; i++)
      lines += `${ctx.numTimesteps},${returns[i]},${lengths[i]}\n`;
    appendFileSync(this.path, lines);
    this.seen = n;
  }
}

/**
 * Records the run's cumulative training wall time and part number at every checkpoint (wall-time.json in the run folder,
 * step -> { seconds, part }), so a resumed run's summary carries the time and parts before it.
 */
class CheckpointClock extends AfterEachCheckpoint {
  private start = 0;
  constructor(
    checkpoints: CheckpointCallback,
    private readonly path: string,
    private readonly secondsBefore: number,
    private readonly part: number,
  ) {
    super(checkpoints);
  }
  override onTrainingStart(): void {
    super.onTrainingStart();
    this.start = performance.now();
  }
  elapsed(): number {
    return this.secondsBefore + (performance.now() - this.start) / 1000;
  }
  protected async record(step: number): Promise<void> {
    const times = readWallTimes(this.path);
    times[String(step)] = { seconds: this.elapsed(), part: this.part };
    await writeFileAtomic(this.path, `${JSON.stringify(times)}\n`);
  }
}

type WallTimes = Record<string, { seconds: number; part: number }>;

function readWallTimes(path: string): WallTimes {
  try {
    const t = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return typeof t === "object" && t !== null && !Array.isArray(t) ? (t as WallTimes) : {};
  } catch {
    return {}; // missing or damaged: only the summary's time of earlier parts is lost
  }
}

/** Thrown by `trainRun`/`resumeRun` when SIGINT or SIGTERM stopped training; a checkpoint was saved first. */
export class RunInterruptedError extends TsrlError {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly runDir: string,
    readonly checkpoint: string | null,
    readonly numTimesteps: number,
  ) {
    super(
      `interrupted by ${signal} at step ${numTimesteps}; ` +
        (checkpoint ? `saved ${checkpoint}; continue with: tsrl resume ${runDir}` : "no checkpoint was written"),
    );
  }
}

/**
 * Stops training at the next rollout boundary after SIGINT or SIGTERM (where a checkpoint resumes exactly); a
 * second signal exits at once. Yields to the event loop at each rollout start so the signal is seen.
 */
class SignalStop implements Callback {
  signal: NodeJS.Signals | null = null;
  private readonly handler = (sig: NodeJS.Signals) => {
    if (this.signal !== null) process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    this.signal = sig;
  };
  private lastYield = 0;
  onTrainingStart(): void {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
  }
  async onRolloutStart(): Promise<boolean> {
    const now = performance.now();
    if (now - this.lastYield > 50) {
      this.lastYield = now;
      await new Promise((r) => setImmediate(r));
    }
    return this.signal === null;
  }
  onTrainingEnd(): void {
    process.off("SIGINT", this.handler);
    process.off("SIGTERM", this.handler);
  }
}

/** Episodes of a run folder: steps and returns (for plots). */
export function readEpisodes(runDir: string): { steps: number[]; returns: number[]; lengths: number[] } {
  const text = readFileSync(join(runDir, "episodes.csv"), "utf8");
  const steps: number[] = [];
  const returns: number[] = [];
  const lengths: number[] = [];
  for (const line of text.split("\n").slice(1)) {
    if (line.trim() === "") continue;
    const [s, r, l] = line.split(",").map(Number);
    steps.push(s);
    returns.push(r);
    lengths.push(l);
  }
  return { steps, returns, lengths };
}

export function readRunConfig(runDir: string): RunConfig {
  const path = join(runDir, "config.json");
  if (!existsSync(path)) throw new InvalidArgumentError(`${describe(runDir)} is not a run folder (no config.json)`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CheckpointError(`run ${describe(runDir)}: config.json is not valid JSON (${(e as Error).message})`);
  }
  return checkRunConfig(cfg, runDir);
}

/** A config.json read back: the fields resume, eval and plot rely on, each checked. */
function checkRunConfig(cfg: unknown, runDir: string): RunConfig {
  const bad = (field: string, value: unknown, expected: string): never => {
    throw new CheckpointError(
      `run ${describe(runDir)}: config.json ${field} must be ${expected}, got ${describe(value)}`,
    );
  };
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObject(cfg)) return bad("", cfg, "a JSON object");
  for (const k of ["algorithm", "env"] as const) if (typeof cfg[k] !== "string") bad(k, cfg[k], "a string");
  const counts: [string, number][] = [
    ["seed", 0],
    ["nEnvs", 1],
    ["totalTimesteps", 1],
    ["evalFreq", 0],
    // 0: none, as in a run folder made by `tsrl import-sb3` (never trained, evaluated or checkpointed by tsrl)
    ["evalEpisodes", 0],
    ["finalEvalEpisodes", 0],
    ["checkpointFreq", 0],
  ];
  for (const [k, min] of counts) {
    if (!Number.isSafeInteger(cfg[k]) || (cfg[k] as number) < min) bad(k, cfg[k], `an integer >= ${min}`);
  }
  for (const k of ["hyperparams", "envKwargs"] as const) if (!isObject(cfg[k])) bad(k, cfg[k], "a JSON object");
  if (cfg.vectorization !== undefined && cfg.vectorization !== "sync" && cfg.vectorization !== "async") {
    bad("vectorization", cfg.vectorization, '"sync" or "async"');
  }
  return cfg as unknown as RunConfig;
}

function writeCurve(runDir: string, cfg: RunConfig): void {
  const ep = readEpisodes(runDir);
  if (ep.steps.length === 0) return;
  const svg = learningCurveSvg(
    [{ label: `${cfg.algorithm} seed ${cfg.seed}`, runs: [{ steps: ep.steps, values: ep.returns }] }],
    {
      title: `${cfg.algorithm} on ${cfg.env}`,
    },
  );
  writeFileSync(join(runDir, "curve.svg"), svg);
}

/** Train (or continue) `model` inside `runDir`, then write model, evaluation, curve and summary. */
async function runInFolder(
  runDir: string,
  cfg: RunConfig,
  model: Algorithm,
  opts: {
    progress?: ProgressMode;
    progressStream?: ProgressStream;
    log: (line: string) => void;
    resumeFrom?: number;
    /** Training wall time and parts of the run before this part (resume). */
    secondsBefore?: number;
    partsBefore?: number;
    verbose?: boolean;
    callbacks?: Callback[];
  },
): Promise<RunSummary> {
  const log = opts.log;
  const jsonlPath = join(runDir, "metrics.jsonl");
  const episodesPath = join(runDir, "episodes.csv");
  let previousRows: Record<string, number | null>[] = [];
  if (opts.resumeFrom !== undefined) {
    // drop what the interrupted run logged after the checkpoint, so resumed logs read as one run
    const keep = opts.resumeFrom;
    previousRows = existsSync(jsonlPath)
      ? parseJsonl(readFileSync(jsonlPath, "utf8")).filter((r) => (r.step ?? 0) <= keep)
      : [];
    writeFileSync(jsonlPath, previousRows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const ep = existsSync(episodesPath) ? readEpisodes(runDir) : { steps: [], returns: [], lengths: [] };
    let text = "step,return,length\n";
    for (let i = 0; i < ep.steps.length; i++)
      if (ep.steps[i] <= keep) text += `${ep.steps[i]},${ep.returns[i]},${ep.lengths[i]}\n`;
    writeFileSync(episodesPath, text);
  } else {
    writeFileSync(episodesPath, "step,return,length\n");
  }
  const csv = new CsvSink(join(runDir, "metrics.csv"));
  for (const r of previousRows) {
    const { step, ...rest } = r;
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(rest)) metrics[k] = v ?? Number.NaN;
    csv.write(step ?? 0, metrics);
  }
  model.logger.addSink(new JsonlSink(jsonlPath));
  model.logger.addSink(csv);
  model.logger.addSink(new TensorBoardSink(join(runDir, "tb")));
  if (opts.verbose) {
    const stream = opts.progressStream ?? { write: (t: string) => process.stderr.write(t) };
    model.logger.addSink(new TableSink((t) => stream.write(t)));
  }

  const checkpoints = new CheckpointCallback({ saveFreq: cfg.checkpointFreq, saveDir: join(runDir, "checkpoints") });
  const part = (opts.partsBefore ?? 0) + 1;
  const clockPath = join(runDir, "wall-time.json");
  const clock = new CheckpointClock(checkpoints, clockPath, opts.secondsBefore ?? 0, part);
  const signals = new SignalStop();
  const callbacks: Callback[] = [signals, new EpisodeRecorder(episodesPath), checkpoints, clock];
  let evalCb: EvalCallback | null = null;
  if (cfg.evalFreq > 0) {
    evalCb = new EvalCallback(make(cfg.env, cfg.envKwargs), {
      evalFreq: cfg.evalFreq,
      nEvalEpisodes: cfg.evalEpisodes,
      bestModelPath: join(runDir, "best-model.safetensors"),
      seed: cfg.seed + 1000,
    });
    const schedulePath = join(runDir, "eval-schedule.json");
    const schedule = opts.resumeFrom === undefined ? null : readEvalSchedule(schedulePath, opts.resumeFrom);
    if (schedule !== null) evalCb.resumeSchedule(schedule);
    else {
      // a folder without the schedule (older tsrl): keep its best model unless a later evaluation beats it
      for (const r of previousRows) {
        const v = r["eval/mean_reward"];
        if (typeof v === "number" && v > evalCb.bestMeanReturn) evalCb.bestMeanReturn = v;
      }
    }
    callbacks.push(new EvalScheduleRecorder(checkpoints, evalCb, schedulePath), evalCb);
  }
  const bar = terminalProgress(opts.progress ?? "auto", opts.progressStream);
  if (bar) callbacks.push(bar);
  callbacks.push(...(opts.callbacks ?? []));

  const start = performance.now();
  const startSteps = model.numTimesteps;
  const remaining = Math.max(0, cfg.totalTimesteps - model.numTimesteps);
  await model.learn(remaining, { callbacks, resetNumTimesteps: opts.resumeFrom === undefined });
  const partSeconds = (performance.now() - start) / 1000;
  if (signals.signal !== null) {
    await model.logger.close();
    await model.close();
    const saved = checkpoints.savedPaths.at(-1) ?? latestCheckpoint(runDir);
    throw new RunInterruptedError(signals.signal, runDir, saved, model.numTimesteps);
  }
  const wallSeconds = clock.elapsed();
  await model.save(join(runDir, "model.safetensors"));

  const final = evaluatePolicy(model, make(cfg.env, cfg.envKwargs), {
    episodes: cfg.finalEvalEpisodes,
    deterministic: true,
    seed: cfg.seed + 2000,
  });
  const best = evalCb?.best ?? null;
  const summary: RunSummary = {
    runDir,
    algorithm: cfg.algorithm,
    env: cfg.env,
    seed: cfg.seed,
    numTimesteps: model.numTimesteps,
    wallSeconds,
    parts: part,
    stepsPerSecond: partSeconds > 0 ? (model.numTimesteps - startSteps) / partSeconds : 0,
    episodes: model.numEpisodes,
    finalEval: {
      meanReturn: final.meanReturn,
      stdReturn: final.stdReturn,
      stdError: final.stdReturn / Math.sqrt(final.returns.length),
      episodes: final.returns.length,
    },
    bestEval: best ? { meanReturn: best.meanReturn, numTimesteps: best.numTimesteps } : null,
  };
  writeFileSync(join(runDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(runDir, "summary.md"), summaryMarkdown(cfg, summary));
  writeCurve(runDir, cfg);
  await model.logger.close();
  await model.close();
  log(
    `${cfg.algorithm} on ${cfg.env}: ${summary.numTimesteps} steps in ${wallSeconds.toFixed(1)} s (${Math.round(summary.stepsPerSecond)} steps/s); ` +
      `final evaluation ${final.meanReturn.toFixed(2)} +/- ${summary.finalEval.stdError.toFixed(2)} (standard error; std ${final.stdReturn.toFixed(2)}) over ${final.returns.length} episodes -> ${runDir}`,
  );
  return summary;
}

function summaryMarkdown(cfg: RunConfig, s: RunSummary): string {
  const hp = Object.entries(cfg.hyperparams)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return [
    `# ${cfg.algorithm} on ${cfg.env} (seed ${cfg.seed})`,
    "",
    `- steps: ${s.numTimesteps} with ${cfg.nEnvs} env(s), ${s.wallSeconds.toFixed(1)} s of training${s.parts > 1 ? ` in ${s.parts} parts (resumed)` : ""}, ${Math.round(s.stepsPerSecond)} steps/s`,
    `- episodes: ${s.episodes}`,
    `- final evaluation (deterministic, ${s.finalEval.episodes} episodes): mean ${s.finalEval.meanReturn.toFixed(2)} +/- ${s.finalEval.stdError.toFixed(2)} (standard error), std ${s.finalEval.stdReturn.toFixed(2)}`,
    s.bestEval
      ? `- best periodic evaluation: ${s.bestEval.meanReturn.toFixed(2)} at step ${s.bestEval.numTimesteps}`
      : "- no periodic evaluation",
    `- hyperparameters (${cfg.zoo.tuned ? `tuned: ${cfg.zoo.source}` : "untuned defaults"}): ${hp || "(algorithm defaults)"}`,
    `- tsrl ${cfg.tsrlVersion}`,
    "",
  ].join("\n");
}

/** `tsrl train`: a new run folder under `out`. */
export async function trainRun(opts: TrainRunOptions): Promise<RunSummary> {
  const log = opts.log ?? defaultLog;
  const cfg = resolveRunConfig(opts);
  const cls = resolveAlgorithm(cfg.algorithm);
  if (!cfg.zoo.tuned) log(`note: no tuned defaults for ${cfg.algorithm} on ${cfg.env}; using the algorithm's defaults`);
  await loadEnvFamily(cfg.env);
  const env = makeTrainEnv(cfg.env, cfg.nEnvs, cfg.envKwargs, cfg.vectorization);
  const model = new cls(env, { ...cfg.hyperparams, seed: cfg.seed, threads: opts.threads });
  if (model.threadsNote !== null) log(`note: ${model.threadsNote}`);
  try {
    model.checkLearnable(); // every config check passes before the run folder is made
  } catch (e) {
    await model.close();
    throw e;
  }
  const runDir = opts.runDir ?? freshRunDir(opts.out ?? "runs", cfg);
  mkdirSync(runDir, { recursive: true });
  // store the config the model resolved (defaults filled in), so the folder says exactly what ran
  cfg.hyperparams = JSON.parse(JSON.stringify(model.config));
  writeFileSync(join(runDir, "config.json"), `${JSON.stringify(cfg, null, 2)}\n`);
  log(
    `training ${cfg.algorithm} on ${cfg.env} for ${cfg.totalTimesteps} steps (seed ${cfg.seed}, ${cfg.nEnvs} env(s)) in ${runDir}`,
  );
  return runInFolder(runDir, cfg, model, {
    progress: opts.progress,
    progressStream: opts.progressStream,
    log,
    verbose: opts.verbose,
    callbacks: opts.callbacks,
  });
}

/** The checkpoints of a run folder, newest (highest step count) first. */
export function checkpointsNewestFirst(runDir: string): { path: string; steps: number }[] {
  const dir = join(runDir, "checkpoints");
  if (!existsSync(dir)) return [];
  const found: { path: string; steps: number }[] = [];
  for (const f of readdirSync(dir)) {
    const m = /_(\d+)_steps\.safetensors$/.exec(f);
    if (m) found.push({ path: join(dir, f), steps: Number(m[1]) });
  }
  return found.sort((a, b) => b.steps - a.steps);
}

/** The newest checkpoint in a run folder (highest step count), or null. */
export function latestCheckpoint(runDir: string): string | null {
  return checkpointsNewestFirst(runDir)[0]?.path ?? null;
}

function readSummary(runDir: string): RunSummary | null {
  try {
    return JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
  } catch {
    return null;
  }
}

/**
 * `tsrl resume`: continue a run from its newest usable checkpoint up to its planned total. A checkpoint that fails
 * to load (cut short, corrupt) is skipped for the one before it, and the log says which was used and why others
 * were not. A finished run is left as it is. Temporary files of saves killed midway are removed.
 */
export async function resumeRun(
  runDir: string,
  opts: {
    progress?: ProgressMode;
    progressStream?: ProgressStream;
    log?: (line: string) => void;
    callbacks?: Callback[];
    /** see TrainRunOptions.threads */
    threads?: number;
  } = {},
): Promise<RunSummary> {
  const log = opts.log ?? defaultLog;
  const cfg = readRunConfig(runDir);
  const done = readSummary(runDir);
  if (done !== null && existsSync(join(runDir, "model.safetensors")) && done.numTimesteps >= cfg.totalTimesteps) {
    log(
      `run ${runDir} is finished (${done.numTimesteps}/${cfg.totalTimesteps} steps): nothing to resume, nothing changed`,
    );
    return done;
  }
  const removed = await removeStaleTemps(join(runDir, "checkpoints"));
  if (removed.length > 0)
    log(`removed ${removed.length} temporary file(s) of interrupted saves: ${removed.join(", ")}`);
  const candidates = checkpointsNewestFirst(runDir);
  if (candidates.length === 0) throw new CheckpointError(`run ${describe(runDir)} has no checkpoint to resume from`);
  await loadEnvFamily(cfg.env);
  const rejected: string[] = [];
  let model: Algorithm | null = null;
  let used = "";
  for (const c of candidates) {
    const env = makeTrainEnv(cfg.env, cfg.nEnvs, cfg.envKwargs, cfg.vectorization ?? "sync");
    try {
      model = await Algorithm.load(c.path, { env, threads: opts.threads });
      used = c.path;
      break;
    } catch (e) {
      await env.close();
      if (!(e instanceof CheckpointError)) throw e;
      rejected.push(`${basename(c.path)} (${e.message})`);
      log(`skipping checkpoint ${basename(c.path)}: ${e.message}`);
    }
  }
  if (model === null) {
    throw new CheckpointError(`run ${describe(runDir)} has no usable checkpoint: ${rejected.join("; ")}`);
  }
  if (model.threadsNote !== null) log(`note: ${model.threadsNote}`);
  if (model.algoName !== cfg.algorithm) {
    throw new CheckpointError(`checkpoint ${used} holds ${model.algoName}, the run is ${cfg.algorithm}`);
  }
  model.totalTimesteps = cfg.totalTimesteps;
  log(
    `resuming ${cfg.algorithm} on ${cfg.env} from ${basename(used)} (${model.numTimesteps}/${cfg.totalTimesteps} steps)` +
      (rejected.length > 0 ? `, the newest usable checkpoint (${rejected.length} newer one(s) skipped)` : ""),
  );
  const before = readWallTimes(join(runDir, "wall-time.json"))[String(model.numTimesteps)];
  return runInFolder(runDir, cfg, model, {
    progress: opts.progress,
    progressStream: opts.progressStream,
    log,
    resumeFrom: model.numTimesteps,
    secondsBefore: before?.seconds ?? 0,
    partsBefore: before?.part ?? 1,
    callbacks: opts.callbacks,
  });
}

/** A model file, or a run folder's final model (else its newest checkpoint); with the env options of its run. */
export function locateModel(
  runOrModel: string,
  opts: { best?: boolean } = {},
): {
  modelPath: string;
  envKwargs: Record<string, unknown>;
  runDir: string | null;
} {
  if (!existsSync(runOrModel)) throw new InvalidArgumentError(`no run folder or model file at ${describe(runOrModel)}`);
  if (statSync(runOrModel).isDirectory()) {
    const cfg = readRunConfig(runOrModel);
    if (opts.best) {
      const best = join(runOrModel, "best-model.safetensors");
      if (!existsSync(best))
        throw new CheckpointError(`run ${describe(runOrModel)} has no best-model.safetensors (no periodic evaluation)`);
      return { modelPath: best, envKwargs: cfg.envKwargs, runDir: runOrModel };
    }
    const final = join(runOrModel, "model.safetensors");
    const modelPath = existsSync(final) ? final : latestCheckpoint(runOrModel);
    if (!modelPath) throw new CheckpointError(`run ${describe(runOrModel)} has no model or checkpoint yet`);
    return { modelPath, envKwargs: cfg.envKwargs, runDir: runOrModel };
  }
  // a model file inside a run folder (model.safetensors, checkpoints/x.safetensors) uses that run's env options
  for (const dir of [dirname(runOrModel), dirname(dirname(runOrModel))]) {
    if (existsSync(join(dir, "config.json")))
      return { modelPath: runOrModel, envKwargs: readRunConfig(dir).envKwargs, runDir: dir };
  }
  return { modelPath: runOrModel, envKwargs: {}, runDir: null };
}

/** Load a model with a fresh env of the id stored in it (renderMode optional, for `enjoy`). */
export async function loadModelWithEnv(
  runOrModel: string,
  renderMode?: "ansi" | "rgb_array",
  opts: { best?: boolean } = {},
): Promise<{ model: Algorithm; env: AnyEnv; envId: string }> {
  const { modelPath, envKwargs } = locateModel(runOrModel, opts);
  // read once (a regular file only: never a FIFO or a device) and decode once
  const ckpt = checkpointFromBytes(await readFileBytes(modelPath, "model file"));
  const { meta } = ckpt;
  if (!meta.envId) throw new CheckpointError(`model ${describe(modelPath)} does not record its environment id`);
  await loadEnvFamily(meta.envId);
  const env = make(meta.envId, renderMode ? { ...envKwargs, renderMode } : envKwargs);
  // only the policy is used here: the training env's saved state (possibly of a vector env) stays in the file
  const model = Algorithm.fromCheckpoint(ckpt, { env: make(meta.envId, envKwargs), restoreEnvState: false });
  return { model, env, envId: meta.envId };
}

/** `tsrl eval`: evaluate a run's model or a model file. */
export async function evaluateModel(
  runOrModel: string,
  opts: { episodes?: number; deterministic?: boolean; seed?: number; best?: boolean } = {},
): Promise<EvaluationResult & { envId: string; algorithm: string }> {
  const { model, env, envId } = await loadModelWithEnv(runOrModel, undefined, { best: opts.best });
  const res = evaluatePolicy(model, env, {
    episodes: opts.episodes ?? 10,
    deterministic: opts.deterministic ?? true,
    seed: opts.seed,
  });
  return { ...res, envId, algorithm: model.algoName };
}
