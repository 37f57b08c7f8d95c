/**
 * The whole study's progress: runs done / running / queued, env steps, and an ETA from the steps done since this
 * invocation started (runs skipped as already finished do not count toward the speed). A live line on a terminal,
 * a plain line every `intervalMs` otherwise.
 */
import type { ProgressMode, ProgressStream } from "../train/progress.js";

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

export class StudyProgress {
  private readonly steps = new Map<string, number>();
  private readonly running = new Set<string>();
  private done = 0;
  private failed = 0;
  private stepsAtStart = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly name: string,
    private readonly totals: ReadonlyMap<string, number>,
    private readonly mode: ProgressMode,
    private readonly stream: ProgressStream,
    private readonly intervalMs = 10_000,
  ) {
    this.tty = mode === "bar" || (mode === "auto" && stream.isTTY === true);
  }

  /** A run found finished before this invocation. */
  skipped(key: string): void {
    const t = this.totals.get(key) ?? 0;
    this.steps.set(key, t);
    this.stepsAtStart += t;
    this.done++;
  }

  /** A run begins; a resumed one at its checkpoint's step count (done before, so not counted toward the speed). */
  started(key: string, fromSteps = 0): void {
    this.running.add(key);
    this.steps.set(key, fromSteps);
    this.stepsAtStart += fromSteps;
    this.draw();
  }

  progress(key: string, steps: number): void {
    this.steps.set(key, steps);
    this.draw();
  }

  finished(key: string, ok: boolean): void {
    this.running.delete(key);
    if (ok) {
      this.done++;
      this.steps.set(key, this.totals.get(key) ?? 0);
    } else this.failed++;
    this.draw(true);
  }

  line(): string {
    let total = 0;
    for (const v of this.totals.values()) total += v;
    let doneSteps = 0;
    for (const v of this.steps.values()) doneSteps += v;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = (doneSteps - this.stepsAtStart) / elapsed;
    const eta = rate > 0 ? (total - doneSteps) / rate : Number.POSITIVE_INFINITY;
    const queued = this.totals.size - this.done - this.failed - this.running.size;
    const pct = total > 0 ? ((100 * doneSteps) / total).toFixed(1) : "100.0";
    return (
      `study ${this.name}: ${this.done}/${this.totals.size} done, ${this.running.size} running, ${queued} queued` +
      `${this.failed > 0 ? `, ${this.failed} failed` : ""}; ${pct}% of steps, ${duration(elapsed)} elapsed, ETA ${duration(eta)}`
    );
  }

  /** Draw now if due (or `force`); the final call ends the live line. */
  draw(force = false): void {
    if (this.mode === "none") return;
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.tty ? 250 : this.intervalMs)) return;
    if (!this.tty && !force && this.lastDraw === 0 && now - this.start < this.intervalMs) return;
    this.lastDraw = now;
    this.stream.write(this.tty ? `\r\x1b[2K${this.line()}` : `${this.line()}\n`);
  }

  end(): void {
    if (this.mode === "none") return;
    this.stream.write(this.tty ? `\r\x1b[2K${this.line()}\n` : `${this.line()}\n`);
  }
}
