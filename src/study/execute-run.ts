/**
 * One study cell, run where it stands: a finished folder (summary.json) is read back, a folder with a checkpoint is
 * resumed from it (`tsrl resume`'s path), anything else starts afresh (`tsrl train`'s path). Reports progress and each
 * new checkpoint through `hooks`, so a queue worker can send them on.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Callback, CallbackContext } from "../algos/common/callbacks.js";
import { latestCheckpoint, type RunSummary, resumeRun, trainRun } from "../train/run.js";
import type { StudyRun } from "./spec.js";

export interface RunHooks {
  /** A worker process took the run (RunPool only). */
  started?(): void;
  /** About once a second: env steps done so far. */
  progress?(steps: number): void;
  /** After each checkpoint is written (the newest, and what it resumes at). */
  checkpoint?(path: string, steps: number): void | Promise<void>;
}

export function readSummary(runDir: string): RunSummary | null {
  const path = join(runDir, "summary.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunSummary) : null;
}

/** Calls the hooks from training: progress on a timer's beat, checkpoints as the run's CheckpointCallback writes them. */
class HookCallback implements Callback {
  private lastReport = 0;
  private lastCheckpoint: string | null;
  constructor(
    private readonly runDir: string,
    private readonly hooks: RunHooks,
  ) {
    this.lastCheckpoint = latestCheckpoint(runDir);
  }
  async onRolloutStart(ctx: CallbackContext): Promise<boolean> {
    const now = performance.now();
    if (now - this.lastReport < 1000) return true;
    this.lastReport = now;
    this.hooks.progress?.(ctx.numTimesteps);
    // CheckpointCallback runs first in this hook, so a checkpoint due now is on disk
    const ckpt = latestCheckpoint(this.runDir);
    if (ckpt !== null && ckpt !== this.lastCheckpoint) {
      this.lastCheckpoint = ckpt;
      await this.hooks.checkpoint?.(ckpt, Number(/_(\d+)_steps\./.exec(ckpt)?.[1]));
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
