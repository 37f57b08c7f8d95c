/**
 * Studies beyond one machine, on a BullMQ queue in Redis. The study process adds one job per unfinished cell (job id
 * = study id + cell, so adding twice is a no-op) and writes each result into the study folder; `tsrl worker`
 * processes on any machine take jobs, run them in a RunPool, and send back:
 *   - progress (job.updateProgress), shown by the study's progress line;
 *   - each new checkpoint, with the run's logs so far (key <queue>:ckpt:<job>): a worker that dies mid-run loses its
 *     job's lock, BullMQ's stalled-job check gives the job to another worker, which restores these files and resumes;
 *   - on completion, the run folder without its checkpoints, gzip-compressed (key <queue>:result:<job>).
 * With a shared artifacts folder (`--artifacts` on both sides, each naming its own mount of it) the model files
 * (models, checkpoints) go to <artifacts>/<job>/ instead, and the study moves them into the run folder.
 * A job completes once (BullMQ's lock), and its folder is written once by the study, so no run counts twice.
 * bullmq and ioredis are optional peer dependencies, loaded only here.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { ConnectionOptions, Job } from "bullmq";
import { LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import { describe, InvalidArgumentError, TsrlError } from "../errors.js";
import type { RunSummary } from "../train/run.js";
import { MissingArtifactError, type PackedRun, packRun, pruneArtifacts, unpackRun } from "./pack-folder.js";
import { RunPool } from "./run-pool.js";
import type { StudyRun } from "./spec.js";

/** Redis cannot be reached, or the queue's other side is incompatible (another tsrl version). */
export class QueueError extends TsrlError {}

export interface JobData {
  studyId: string;
  run: StudyRun;
  tsrlVersion: string;
  /** The study reads model files from the shared artifacts folder (it was given one). */
  artifacts: boolean;
}

export const DEFAULT_QUEUE_NAME = "tsrl";
const versionKey = (queue: string) => `tsrl:${queue}:version`;
export const checkpointKey = (queue: string, jobId: string) => `tsrl:${queue}:ckpt:${jobId}`;
export const resultKey = (queue: string, jobId: string) => `tsrl:${queue}:result:${jobId}`;

/** host, port, password and db of a redis:// URL (what BullMQ and ioredis take). */
export function parseRedisUrl(url: string): {
  host: string;
  port: number;
  password?: string;
  username?: string;
  db: number;
} {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`--queue must be a URL redis://HOST:PORT, got ${describe(url)}`);
  }
  if (u.protocol !== "redis:")
    throw new InvalidArgumentError(`--queue must be a URL redis://HOST:PORT, got ${describe(url)}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0)
    throw new InvalidArgumentError(`--queue: database number in ${describe(url)} must be an integer >= 0`);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    db,
  };
}

async function loadBullmq(): Promise<typeof import("bullmq")> {
  try {
    return await import("bullmq");
  } catch {
    throw new QueueError("studies on a queue need the bullmq and ioredis packages: npm install bullmq ioredis");
  }
}

/** A plain Redis client (ioredis), checked with a PING: an unreachable server is a QueueError within `timeoutMs`. */
export async function connectRedis(url: string, timeoutMs = 3000) {
  const opts = parseRedisUrl(url);
  let Redis: typeof import("ioredis").Redis;
  try {
    Redis = (await import("ioredis")).Redis;
  } catch {
    throw new QueueError("studies on a queue need the bullmq and ioredis packages: npm install bullmq ioredis");
  }
  const client = new Redis({
    ...opts,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on("error", () => {}); // reported below
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new QueueError(
      `cannot reach Redis at ${url} (${(e as Error).message || "no answer"} within ${timeoutMs} ms): start redis-server there or pass --queue redis://HOST:PORT`,
    );
  }
  return client;
}

function connectionOptions(url: string): ConnectionOptions {
  return { ...parseRedisUrl(url), maxRetriesPerRequest: null };
}

/** A shared artifacts folder must exist (a mistyped mount path would otherwise fill a local folder). */
export function checkArtifactsFolder(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InvalidArgumentError(
      `artifacts must be an existing folder shared by the study and its workers, got ${describe(dir)}`,
    );
}

export interface QueueStudyHooks {
  started(run: StudyRun): void;
  progress(run: StudyRun, steps: number): void;
  finished(run: StudyRun, summary: RunSummary | null, error: Error | null): void;
}

/**
 * The study's side: put `runs` on the queue and write each result into `<runsDir>/<run.folder>`. Resolves when every
 * job has completed or failed (failures are reported through `hooks.finished`).
 */
export async function runOnQueue(
  url: string,
  studyId: string,
  runs: readonly StudyRun[],
  runsDir: string,
  hooks: QueueStudyHooks,
  opts: { queueName?: string; artifacts?: string } = {},
): Promise<void> {
  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const redis = await connectRedis(url);
  const { Queue, QueueEvents } = await loadBullmq();
  const connection = connectionOptions(url);
  const queue = new Queue<JobData>(name, { connection });
  const events = new QueueEvents(name, { connection });
  try {
    await redis.set(versionKey(name), LIBRARY_VERSION);
    await events.waitUntilReady();
    const byJob = new Map<string, StudyRun>();
    events.on("active", ({ jobId }) => {
      const run = byJob.get(jobId);
      if (run) hooks.started(run);
    });
    events.on("progress", ({ jobId, data }) => {
      const run = byJob.get(jobId);
      const steps = (data as { steps?: unknown } | null)?.steps;
      if (run && typeof steps === "number") hooks.progress(run, steps);
    });
    await Promise.all(
      runs.map(async (run) => {
        const jobId = `${studyId}__${run.folder}`;
        byJob.set(jobId, run);
        // a job that failed in an earlier invocation is tried again
        const old = await queue.getJob(jobId);
        if (old && (await old.isFailed())) await old.remove();
        const data: JobData = { studyId, run, tsrlVersion: LIBRARY_VERSION, artifacts: opts.artifacts !== undefined };
        const job = await queue.add(run.key, data, { jobId, attempts: 1 });
        try {
          await job.waitUntilFinished(events);
          const packed = await redis.get(resultKey(name, jobId));
          if (packed === null) throw new QueueError(`job ${jobId} completed without its result files`);
          const runDir = join(runsDir, run.folder);
          const shared = opts.artifacts === undefined ? undefined : join(opts.artifacts, jobId);
          rmSync(runDir, { recursive: true, force: true });
          unpackRun(runDir, JSON.parse(packed) as PackedRun, shared);
          // the summary names the worker's folder: name this one
          const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
          summary.runDir = runDir;
          writeFileSync(join(runDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
          await redis.del(resultKey(name, jobId), checkpointKey(name, jobId));
          if (shared !== undefined) rmSync(shared, { recursive: true, force: true });
          await job.remove().catch(() => {});
          hooks.finished(run, summary, null);
        } catch (e) {
          hooks.finished(run, null, e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
  } finally {
    await events.close();
    await queue.close();
    redis.disconnect();
  }
}

export interface WorkerOptions {
  queueName?: string;
  /** Runs at a time on this machine (worker processes). Default 1. */
  concurrency?: number;
  /** Where runs in progress live. Default: a folder in the OS temp folder. */
  workDir: string;
  /**
   * A folder shared with the study (this machine's path to it): model files go there instead of through Redis, for
   * the jobs of a study that was given one too.
   */
  artifacts?: string;
  /** How long a job's lock lasts without renewal: a dead worker's job goes to another after about this long. */
  lockDurationMs?: number;
  /** The version this worker runs (tests pass another to check the refusal). Default: this library's. */
  version?: string;
  log?: (line: string) => void;
}

export interface QueueWorker {
  /** Resolves when the worker has stopped. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * `tsrl worker`: take jobs from the queue until closed. Refuses (a QueueError naming both versions) a queue whose
 * study was started by another tsrl version, before taking any job; a job of another version found later fails with
 * the same message.
 */
export async function startWorker(url: string, opts: WorkerOptions): Promise<QueueWorker> {
  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const version = opts.version ?? LIBRARY_VERSION;
  const log = opts.log ?? (() => {});
  if (opts.artifacts !== undefined) checkArtifactsFolder(opts.artifacts);
  const redis = await connectRedis(url);
  const studyVersion = await redis.get(versionKey(name));
  if (studyVersion !== null && studyVersion !== version) {
    redis.disconnect();
    throw new QueueError(
      `refused: the study on queue ${JSON.stringify(name)} at ${url} runs tsrl ${studyVersion}, this worker is tsrl ${version}; run a worker of tsrl ${studyVersion}`,
    );
  }
  const { Worker, UnrecoverableError } = await loadBullmq();
  const concurrency = opts.concurrency ?? 1;
  const pool = new RunPool(concurrency);
  const me = `${hostname()}:${process.pid}`;
  const processJob = async (job: Job<JobData>) => {
    const { run, tsrlVersion } = job.data;
    if (tsrlVersion !== version)
      throw new UnrecoverableError(
        `refused: job ${job.id} was made by tsrl ${tsrlVersion}, this worker is tsrl ${version}`,
      );
    const jobId = job.id as string;
    const runDir = join(opts.workDir, jobId);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    // model files through the shared folder only where both sides have it
    const shared = job.data.artifacts && opts.artifacts !== undefined ? join(opts.artifacts, jobId) : undefined;
    if (job.data.artifacts && shared === undefined)
      log(
        `${me}: ${run.key}: the study has a shared artifacts folder, this worker none (--artifacts): models go through Redis`,
      );
    const saved = await redis.get(checkpointKey(name, jobId));
    let resumed = false;
    if (saved !== null) {
      try {
        unpackRun(runDir, JSON.parse(saved) as PackedRun, shared);
        resumed = true;
      } catch (e) {
        if (!(e instanceof MissingArtifactError)) throw e;
        log(`${me}: ${run.key}: cannot resume (${e.message}): starting afresh`);
        rmSync(runDir, { recursive: true, force: true });
        mkdirSync(runDir, { recursive: true });
      }
    }
    log(`${me}: ${run.key}: ${resumed ? "resuming from the checkpoint its last worker reported" : "starting"}`);
    // one checkpoint report at a time, in order: the key and the shared folder always hold the newest
    let reported = Promise.resolve();
    const summary = await pool.run(run, runDir, {
      progress: (steps) => void job.updateProgress({ steps }).catch(() => {}),
      packCheckpoints: true,
      artifactsDir: shared,
      // the run's process packed the newest checkpoint with the logs it resumes with, paused at that checkpoint
      checkpoint: (_path, _steps, packed) => {
        if (!packed) return;
        reported = reported.then(async () => {
          try {
            await redis.set(checkpointKey(name, jobId), JSON.stringify(packed));
            if (shared !== undefined) pruneArtifacts(shared, packed.artifacts);
          } catch (e) {
            log(`${me}: ${(e as Error).message}`);
          }
        });
        return reported;
      },
    });
    await reported;
    const result = packRun(runDir, (rel) => rel === "checkpoints", shared);
    await redis.set(resultKey(name, jobId), JSON.stringify(result));
    rmSync(runDir, { recursive: true, force: true });
    log(`${me}: ${run.key}: done, final evaluation ${summary.finalEval.meanReturn.toFixed(2)}`);
    return { worker: me, numTimesteps: summary.numTimesteps };
  };
  const worker = new Worker<JobData>(name, processJob, {
    connection: connectionOptions(url),
    concurrency,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: Math.max(500, Math.floor((opts.lockDurationMs ?? 30_000) / 2)),
    maxStalledCount: 100,
    name: me,
  });
  worker.on("error", (e) => log(`${me}: ${e.message}`));
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const close = async () => {
    await worker.close(true);
    pool.close();
    redis.disconnect();
    resolveClosed();
  };
  return { closed, close };
}
