/**
 * One study cell, run where it stands: a finished folder (summary.json) is read back, a folder with a checkpoint is
 * resumed from it (`tsrl resume`'s path), anything else starts afresh (`tsrl train`'s path). Reports progress and each
 * new checkpoint through `hooks`, so a queue worker can send them on.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { Callback, CallbackContext } from "../algos/common/callbacks.js";
import { latestCheckpoint, type RunSummary, readRunConfig, resumeRun, trainRun } from "../train/run.js";
import { type PackedRun, packRun } from "./pack-folder.js";
import type { StudyRun } from "./spec.js";

export interface RunHooks {
  /** A worker process took the run (RunPool only). */
  started?(): void;
  /** About once a second: env steps done so far. */
  progress?(steps: number): void;
  /**
   * After each checkpoint is written (the newest, and what it resumes at), training paused; with `packCheckpoints`,
   * also the run folder packed at that moment (the checkpoint and the logs it resumes with).
   */
  checkpoint?(path: string, steps: number, packed?: PackedRun): void | Promise<void>;
  packCheckpoints?: boolean;
  /** With `packCheckpoints`: copy the model files there (a shared folder) instead of packing them. */
  artifactsDir?: string;
}

export function readSummary(runDir: string): RunSummary | null {
  const path = join(runDir, "summary.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunSummary) : null;
}

/**
 * Calls the hooks from training: progress on a one-second beat, and each checkpoint as soon as the run's
 * CheckpointCallback has written it (that callback runs first in the same hook; the folder is looked at only once
 * the steps since the last look reach the run's checkpoint interval).
 */
class HookCallback implements Callback {
  private lastReport = 0;
  private lastCheckpoint: string | null = null;
  private checkpointFreq = 1;
  private lookedAt = 0;
  constructor(
    private readonly runDir: string,
    private readonly hooks: RunHooks,
  ) {}
  onTrainingStart(ctx: CallbackContext): void {
    this.lastCheckpoint = latestCheckpoint(this.runDir);
    this.checkpointFreq = readRunConfig(this.runDir).checkpointFreq;
    this.lookedAt = ctx.numTimesteps;
  }
  async onRolloutStart(ctx: CallbackContext): Promise<boolean> {
    const now = performance.now();
    if (now - this.lastReport >= 1000) {
      this.lastReport = now;
      this.hooks.progress?.(ctx.numTimesteps);
    }
    if (ctx.numTimesteps - this.lookedAt < this.checkpointFreq) return true;
    this.lookedAt = ctx.numTimesteps;
    const ckpt = latestCheckpoint(this.runDir);
    if (ckpt !== null && ckpt !== this.lastCheckpoint) {
      this.lastCheckpoint = ckpt;
      const rel = relative(this.runDir, ckpt).split("\\").join("/");
      const packed = this.hooks.packCheckpoints
        ? packRun(
            this.runDir,
            (r) => r === "tb" || (r.startsWith("checkpoints/") && r !== rel),
            this.hooks.artifactsDir,
          )
        : undefined;
      await this.hooks.checkpoint?.(ckpt, Number(/_(\d+)_steps\./.exec(ckpt)?.[1]), packed);
    }
    return true;
  }
}

/** Run (or resume, or read back) one cell in `runDir`. */
export async function executeRun(run: StudyRun, runDir: string, hooks: RunHooks = {}): Promise<RunSummary> {
  const done = readSummary(runDir);
  if (done) return done;
  const quiet = { progress: "none" as const, log: () => {}, callbacks: [new HookCallback(runDir, hooks)] };
  if (existsSync(join(runDir, "config.json")) && latestCheckpoint(runDir) !== null) return resumeRun(runDir, quiet);
  // started but killed before its first checkpoint: nothing to keep
  rmSync(runDir, { recursive: true, force: true });
  return trainRun({
    algo: run.algo,
    env: run.env,
    seed: run.seed,
    steps: run.steps,
    nEnvs: run.nEnvs,
    hp: run.hp,
    evalCount: run.evalCount,
    evalEpisodes: run.evalEpisodes,
    finalEvalEpisodes: run.finalEvalEpisodes,
    checkpointCount: run.checkpointCount,
    runDir,
    ...quiet,
  });
}
