/**
 * A pool of worker processes (node's child_process.fork), one run at a time each: separate processes, so runs use
 * every core and a crash or a kill of one run leaves the others alone. `run` queues a cell and resolves with its
 * summary; a process that dies mid-run rejects that run and is replaced.
 */
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, InvalidArgumentError, TsrlError } from "../errors.js";
import type { RunSummary } from "../train/run.js";
import type { RunHooks } from "./execute-run.js";
import type { PackedRun } from "./pack-folder.js";
import type { StudyRun } from "./spec.js";

export interface ParentMessage {
  id: number;
  run: StudyRun;
  runDir: string;
  /** Send each checkpoint packed with the logs it resumes with (queue workers). */
  packCheckpoints: boolean;
  /** Where packed checkpoints put their model files (a shared folder). */
  artifactsDir?: string;
}

export type ChildMessage =
  | { id: number; type: "ready" }
  | { id: number; type: "progress"; steps: number }
  | { id: number; type: "checkpoint"; path: string; steps: number; packed?: PackedRun }
  | { id: number; type: "done"; summary: RunSummary }
  | { id: number; type: "error"; name: string; message: string };

/** A run failed inside its worker process (the message is the run's own error). */
export class RunFailedError extends TsrlError {}

interface Task extends ParentMessage {
  hooks: RunHooks;
  resolve(s: RunSummary): void;
  reject(e: Error): void;
}

interface Slot {
  child: ChildProcess;
  task: Task | null;
}

/** The script beside this module: .ts when running from source (tsx), .js from the compiled package. */
function processScript(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith(".ts") ? "./run-process.ts" : "./run-process.js", here));
}

export class RunPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size = availableParallelism()) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new InvalidArgumentError(`workers must be an integer >= 1, got ${describe(size)}`);
    this.size = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Queue one cell; resolves with its summary when a process has run it. */
  run(run: StudyRun, runDir: string, hooks: RunHooks = {}): Promise<RunSummary> {
    if (this.closed) return Promise.reject(new InvalidArgumentError("RunPool: run() after close()"));
    return new Promise((resolve, reject) => {
      const packCheckpoints = hooks.packCheckpoints === true;
      const { artifactsDir } = hooks;
      this.waiting.push({ id: this.nextId++, run, runDir, packCheckpoints, artifactsDir, hooks, resolve, reject });
      this.dispatch();
    });
  }

  /** Stop every process (a run in progress is rejected; its checkpoints stay on disk). */
  close(): void {
    this.closed = true;
    for (const s of this.slots) {
      s.child.removeAllListeners("exit");
      s.child.kill("SIGTERM");
      s.task?.reject(new RunFailedError(`run ${s.task.run.key} stopped: the pool was closed`));
    }
    for (const t of this.waiting.splice(0))
      t.reject(new RunFailedError(`run ${t.run.key} not started: the pool was closed`));
  }

  private spawn(): Slot {
    // keep the loaders (tsx) the parent runs under, not its test-runner flags
    const execArgv = process.execArgv.filter((a) => !a.startsWith("--test"));
    const child = fork(processScript(), [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const slot: Slot = { child, task: null };
    child.on("message", (m: ChildMessage) => this.onMessage(slot, m));
    child.on("exit", (code, signal) => {
      const t = slot.task;
      slot.task = null;
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      t?.reject(new RunFailedError(`run ${t.run.key}: its worker process exited (${signal ?? `code ${code}`})`));
      this.dispatch();
    });
    return slot;
  }

  private onMessage(slot: Slot, m: ChildMessage): void {
    const t = slot.task;
    if (m.type === "ready" || !t || m.id !== t.id) return;
    if (m.type === "progress") t.hooks.progress?.(m.steps);
    else if (m.type === "checkpoint") void t.hooks.checkpoint?.(m.path, m.steps, m.packed);
    else {
      slot.task = null;
      if (m.type === "done") t.resolve(m.summary);
      else t.reject(new RunFailedError(`run ${t.run.key}: ${m.name}: ${m.message}`));
      this.dispatch();
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.waiting.length === 0) continue;
      const t = this.waiting.shift() as Task;
      slot.task = t;
      t.hooks.started?.();
      const { id, run, runDir, packCheckpoints, artifactsDir } = t;
      const msg: ParentMessage = { id, run, runDir, packCheckpoints, artifactsDir };
      slot.child.send(msg);
    }
  }
}
