import { type Bounds, rangeInWords } from "../../core/checks.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { linearSchedule } from "../../nn/schedules.js";

// Config pieces shared by every algorithm

/** Options every algorithm config has. Configs must be plain JSON data (they are stored in checkpoints). */
export interface BaseConfig {
  /** Seeds network init, sampling and the env's first reset. Default 0. */
  seed?: number;
  /** Dump logged metrics every this many iterations (rollouts). Default 1. */
  logInterval?: number;
  /**
   * Threads for the networks' large matrix products (integer >= 1; default: the machine's cores, at most 8).
   * Results are identical bit for bit whatever the count, so it is a resource setting, not part of the model:
   * checkpoints do not store it. See docs/threads.md.
   */
  threads?: number;
  /**
   * 1: print each dump as SB3's table to the console (`console.log`, in Node and browsers alike); 0 (default):
   * print nothing. The library is otherwise silent: sinks on `model.logger` receive the same rows.
   */
  verbose?: 0 | 1;
}

/**
 * A hyperparameter that may anneal with training progress, as data so that it can be saved:
 * a constant, or `{ schedule: "linear", start, end }` moving from `start` (progress remaining 1) to `end` (0),
 * i.e. src/nn's `linearSchedule(start, end)`.
 */
export type Scheduled = number | { schedule: "linear"; start: number; end: number };

/** Value of a {@link Scheduled} at `progressRemaining` in [0, 1] (1 at the start of training). */
export function scheduleValue(s: Scheduled, progressRemaining: number): number {
  return typeof s === "number" ? s : linearSchedule(s.start, s.end)(progressRemaining);
}

/** Validate a {@link Scheduled} option (finite numbers, optionally within [min, max]). */
export function checkScheduled(name: string, s: unknown, min = -Infinity, max = Infinity): Scheduled {
  const ok = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;
  if (ok(s)) return s as number;
  if (typeof s === "object" && s !== null && (s as { schedule?: unknown }).schedule === "linear") {
    const { start, end } = s as { start: unknown; end: unknown };
    if (ok(start) && ok(end)) return { schedule: "linear", start: start as number, end: end as number };
  }
  // finite numbers: an infinite bound is excluded
  const bounds: Bounds = min === -Infinity ? (max === Infinity ? "()" : "(]") : max === Infinity ? "[)" : "[]";
  const words = rangeInWords(min, max, bounds);
  throw new InvalidArgumentError(
    `${name} must be ${words} or { schedule: "linear", start, end } of such numbers, got ${describe(s)}`,
  );
}
