import { InvalidArgumentError } from "../../errors.js";

/** Where dumped metrics go: a JSONL/CSV/TensorBoard file (src/train/), a console line, a web chart. */
export interface LogSink {
  /** Called once per `dump` with the step and every metric recorded since the previous dump. */
  write(step: number, metrics: Readonly<Record<string, number>>): void;
  close?(): void | Promise<void>;
}

/**
 * Metric recording in memory, SB3-style: algorithms `record("train/policy_loss", v)` during an iteration and the
 * run loop calls `dump(step)` to hand one row to every sink. Browser-safe: sinks that touch files live in src/train/.
 */
export class Logger {
  private readonly values = new Map<string, number>();
  private readonly sums = new Map<string, { sum: number; count: number }>();
  private readonly sinks: LogSink[] = [];
  /** The row written by the last `dump` (handy for progress displays and tests). */
  latest: Readonly<Record<string, number>> = {};
  /** Step passed to the last `dump`, or -1 before the first one. */
  lastDumpStep = -1;

  constructor(sinks: LogSink[] = []) {
    for (const s of sinks) this.addSink(s);
  }

  addSink(sink: LogSink): void {
    if (sink === null || typeof sink !== "object" || typeof sink.write !== "function") {
      throw new InvalidArgumentError(`Logger.addSink(sink) needs an object with write(step, metrics), got ${sink}`);
    }
    this.sinks.push(sink);
  }

  removeSink(sink: LogSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /** Set `key` to `value` for the next dump (the last value recorded wins). */
  record(key: string, value: number): void {
    this.checkKey(key);
    this.sums.delete(key);
    this.values.set(key, value);
  }

  /** Accumulate `value` into the mean of `key` for the next dump (e.g. a loss over minibatches). */
  recordMean(key: string, value: number): void {
    this.checkKey(key);
    this.values.delete(key);
    const acc = this.sums.get(key);
    if (acc) {
      acc.sum += value;
      acc.count++;
    } else {
      this.sums.set(key, { sum: value, count: 1 });
    }
  }

  /** True when something was recorded since the last dump. */
  get pending(): boolean {
    return this.values.size > 0 || this.sums.size > 0;
  }

  /** Write every pending metric, keys sorted, to every sink; then clear. Returns the row. */
  dump(step: number): Readonly<Record<string, number>> {
    if (!Number.isFinite(step)) throw new InvalidArgumentError(`Logger.dump(step) needs a finite step, got ${step}`);
    const row: Record<string, number> = {};
    const keys = [...this.values.keys(), ...this.sums.keys()].sort();
    for (const k of keys) {
      const acc = this.sums.get(k);
      row[k] = acc ? acc.sum / acc.count : (this.values.get(k) as number);
    }
    this.values.clear();
    this.sums.clear();
    this.latest = row;
    this.lastDumpStep = step;
    for (const s of this.sinks) s.write(step, row);
    return row;
  }

  async close(): Promise<void> {
    for (const s of this.sinks) await s.close?.();
  }

  private checkKey(key: string): void {
    if (typeof key !== "string" || key.length === 0) {
      throw new InvalidArgumentError(`Logger metric key must be a non-empty string, got ${JSON.stringify(key)}`);
    }
  }
}
