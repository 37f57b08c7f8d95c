/**
 * `runStudy`: every cell of a study, each an ordinary run folder under `<out>/runs/`, on local worker processes (one
 * per core by default) or on a BullMQ queue (`queue: "redis://HOST:PORT"`, with `tsrl worker` processes anywhere).
 * Resumable: a finished run (summary.json) is skipped, an interrupted one resumes from its newest checkpoint, so
 * stopping a study loses only the work since those checkpoints.
 *
 *   <out>/study.json      the study as run (a later invocation must match it)
 *   <out>/runs/<variant>__<env>__s<seed>/   one run folder per cell (config, metrics, checkpoints, model, summary)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { describe, InvalidArgumentError } from "../errors.js";
import type { ProgressMode, ProgressStream } from "../train/progress.js";
import { latestCheckpoint, type RunSummary, resolveRunConfig } from "../train/run.js";
import { readSummary } from "./execute-run.js";
import { checkArtifactsFolder, runOnQueue } from "./queue.js";
import { RunFailedError, RunPool } from "./run-pool.js";
import { expandRuns, parseStudy, type StudyRun, type StudySpec, studySeeds } from "./spec.js";
import { StudyProgress } from "./study-progress.js";

export interface RunStudyOptions {
  /** The study folder. Default `runs/<study name>`. */
  out?: string;
  /** Local worker processes. Default: one per core. */
  workers?: number;
  /** `redis://HOST:PORT`: put the runs on a BullMQ queue for `tsrl worker` processes instead. */
  queue?: string;
  queueName?: string;
  /**
   * With `queue`: a folder shared with the workers (this machine's path to it; each worker names its own with
   * `artifacts`): model files come through it instead of through Redis, and are moved into the run folders.
   */
  artifacts?: string;
  progress?: ProgressMode;
  progressStream?: ProgressStream;
  log?: (line: string) => void;
}

export interface StudyRunResult {
  run: StudyRun;
  runDir: string;
  summary: RunSummary;
}

export interface StudyResult {
  dir: string;
  spec: StudySpec;
  runs: StudyRunResult[];
  /** Runs found finished and skipped. */
  skipped: number;
  wallSeconds: number;
}

/** A study file, parsed and checked (errors name the file). */
export function loadStudyFile(path: string): StudySpec {
  if (!existsSync(path)) throw new InvalidArgumentError(`no study file at ${describe(path)}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`study file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseStudy(json, path);
}

/** The study as stored in its folder. */
export function readStudyFolder(dir: string): StudySpec {
  const path = join(dir, "study.json");
  if (!existsSync(path)) throw new InvalidArgumentError(`${describe(dir)} is not a study folder (no study.json)`);
  return loadStudyFile(path);
}

/** Run (or resume) every cell of `study` (a spec, or a parsed study file to check). */
export async function runStudy(study: StudySpec | unknown, opts: RunStudyOptions = {}): Promise<StudyResult> {
  const spec = parseStudy(study);
  if (opts.artifacts !== undefined) {
    if (opts.queue === undefined)
      throw new InvalidArgumentError(
        `artifacts (${describe(opts.artifacts)}) is for studies on a queue: pass queue too`,
      );
    checkArtifactsFolder(opts.artifacts);
  }
  const dir = opts.out ?? join("runs", spec.name);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  const stored = join(dir, "study.json");
  const runs = expandRuns(spec);
  if (existsSync(stored)) {
    // the folder may grow (more seeds, variants, envs) and change what only the report reads, but a run it holds
    // must be the run the study asks for
    const before = new Map(expandRuns(readStudyFolder(dir)).map((r) => [r.key, JSON.stringify(r)]));
    const changed = runs.filter((r) => before.has(r.key) && before.get(r.key) !== JSON.stringify(r));
    if (changed.length > 0)
      throw new InvalidArgumentError(
        `study folder ${describe(dir)} holds runs made with other settings (${changed
          .map((r) => r.key)
          .slice(0, 3)
          .join(", ")}${changed.length > 3 ? ", ..." : ""}); pass another out folder`,
      );
  }
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFileSync(stored, text);

  const totals = new Map<string, number>();
  for (const r of runs) {
    const cfg = resolveRunConfig({ algo: r.algo, env: r.env, steps: r.steps, seed: r.seed, nEnvs: r.nEnvs, hp: r.hp });
    totals.set(r.key, cfg.totalTimesteps);
  }
  const progress = new StudyProgress(
    spec.name,
    totals,
    opts.progress ?? "auto",
    opts.progressStream ?? { write: (s) => process.stderr.write(s), isTTY: process.stderr.isTTY === true },
  );
  const results: StudyRunResult[] = [];
  const failures: string[] = [];
  const pending: StudyRun[] = [];
  let skipped = 0;
  const startedAt = (run: StudyRun) => {
    const ckpt = latestCheckpoint(join(dir, "runs", run.folder));
    return ckpt ? Number(/_(\d+)_steps\./.exec(ckpt)?.[1] ?? 0) : 0;
  };
  for (const run of runs) {
    const runDir = join(dir, "runs", run.folder);
    const summary = readSummary(runDir);
    if (summary) {
      results.push({ run, runDir, summary });
      progress.skipped(run.key);
      skipped++;
    } else pending.push(run);
  }
  if (skipped > 0) log(`study ${spec.name}: ${skipped} of ${runs.length} runs already finished in ${dir}`);
  // seed by seed (each seed across every variant and env, interrupted runs first), so a study stopped early still
  // has runs in every cell
  const seedRank = new Map(studySeeds(spec).map((s, i) => [s, i]));
  const rank = (r: StudyRun) => (startedAt(r) > 0 ? -1 : (seedRank.get(r.seed) ?? 0));
  pending.sort((a, b) => rank(a) - rank(b));
  const start = performance.now();
  const finish = (run: StudyRun, summary: RunSummary | null, error: Error | null) => {
    progress.finished(run.key, summary !== null);
    if (summary) results.push({ run, runDir: join(dir, "runs", run.folder), summary });
    else failures.push(`${run.key}: ${error?.message}`);
  };

  if (opts.queue !== undefined) {
    // one id per study folder, so two studies can share a queue
    const studyId = createHash("sha256").update(resolvePath(dir)).update(text).digest("hex").slice(0, 16);
    log(`study ${spec.name}: ${pending.length} runs on queue ${opts.queueName ?? "tsrl"} at ${opts.queue}`);
    await runOnQueue(
      opts.queue,
      studyId,
      pending,
      join(dir, "runs"),
      {
        started: (run) => progress.started(run.key, startedAt(run)),
        progress: (run, steps) => progress.progress(run.key, steps),
        finished: finish,
      },
      { queueName: opts.queueName, artifacts: opts.artifacts },
    );
  } else if (pending.length > 0) {
    const pool = new RunPool(Math.min(opts.workers ?? availableParallelism(), pending.length));
    log(`study ${spec.name}: ${pending.length} runs on ${pool.size} worker process(es) in ${dir}`);
    try {
      await Promise.all(
        pending.map((run) =>
          pool
            .run(run, join(dir, "runs", run.folder), {
              started: () => progress.started(run.key, startedAt(run)),
              progress: (steps) => progress.progress(run.key, steps),
            })
            .then(
              (s) => finish(run, s, null),
              (e: Error) => finish(run, null, e),
            ),
        ),
      );
    } finally {
      pool.close();
    }
  }
  progress.end();
  if (failures.length > 0)
    throw new RunFailedError(`study ${spec.name}: ${failures.length} run(s) failed:\n  ${failures.join("\n  ")}`);
  // grid order, whatever order the runs finished in
  const order = new Map(runs.map((r, i) => [r.key, i]));
  results.sort((a, b) => (order.get(a.run.key) ?? 0) - (order.get(b.run.key) ?? 0));
  return { dir, spec, runs: results, skipped, wallSeconds: (performance.now() - start) / 1000 };
}
