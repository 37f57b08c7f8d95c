import { checkRange } from "../core/checks.js";
import { InvalidArgumentError } from "../errors.js";

/**
 * A value as a function of the progress remaining, SB3's convention: 1 at the start of training, 0 at the end.
 * Algorithms set `optimizer.lr = schedule(1 - numTimesteps / totalTimesteps)` before each update.
 */
export type Schedule = (progressRemaining: number) => number;

/** Always `value`. */
export function constantSchedule(value: number): Schedule {
  checkRange("constantSchedule: value", value, -Infinity, Infinity, "()");
  return () => value;
}

/**
 * Linear from `start` (progress remaining 1) to `end`, reached once a fraction `endFraction` of training has
 * passed and held after (SB3's get_linear_fn; endFraction 1 = linear annealing over the whole run).
 */
export function linearSchedule(start: number, end: number, endFraction = 1): Schedule {
  checkRange("linearSchedule: start", start, -Infinity, Infinity, "()");
  checkRange("linearSchedule: end", end, -Infinity, Infinity, "()");
  checkRange("linearSchedule: endFraction", endFraction, 0, 1, "(]");
  const rampStart = 1 - endFraction;
  return (progressRemaining) => {
    // fraction of the ramp still to go (exactly progressRemaining when the ramp spans the whole run)
    const remaining = (progressRemaining - rampStart) / endFraction;
    if (remaining <= 0) return end;
    return end + (start - end) * remaining;
  };
}

/** A number becomes a constant schedule; a function is used as is (SB3's get_schedule_fn). */
export function toSchedule(value: number | Schedule, name = "schedule"): Schedule {
  if (typeof value === "function") return value;
  if (typeof value === "number" && Number.isFinite(value)) return constantSchedule(value);
  throw new InvalidArgumentError(
    `${name} must be a finite number or a function of progress remaining, got ${String(value)}`,
  );
}
