import { describe, InvalidArgumentError } from "../errors.js";

// The argument checks every layer shares (nn's optimizers, the algorithms' configs, buffers, callbacks). Each throws
// an InvalidArgumentError that names the argument (`name`, e.g. "DQN: config.gamma"), the value and what was expected.

/** Which ends of a range are included: "[]" both, "(]" not the low one, "[)" not the high one, "()" neither. */
export type Bounds = "[]" | "(]" | "[)" | "()";

/** An integer (exact in a double) >= min. */
export function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    fail(name, v, min === 1 ? "a positive integer" : `an integer >= ${min}`);
  }
  return v;
}

/**
 * A number between lo and hi, ends included as `bounds` says; NaN never passes. An infinite bound excluded means
 * finite: checkRange(name, v, 0, Infinity, "[)") asks for "a finite number >= 0".
 */
export function checkRange(name: string, v: unknown, lo: number, hi: number, bounds: Bounds = "[]"): number {
  const openLow = bounds[0] === "(";
  const openHigh = bounds[1] === ")";
  const ok = typeof v === "number" && (openLow ? v > lo : v >= lo) && (openHigh ? v < hi : v <= hi) && !Number.isNaN(v);
  if (!ok) fail(name, v, rangeInWords(lo, hi, bounds));
  return v as number;
}

/** A boolean. */
export function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(name, v, "a boolean");
  return v as boolean;
}

/**
 * A range in words: "a number", "a number >= 0", "a finite number > 0", "a number in (0, 1]"; no infinite bound is
 * written as a number (an excluded infinite bound reads "finite").
 */
export function rangeInWords(lo: number, hi: number, bounds: Bounds = "[]"): string {
  const finite = (lo === -Infinity && bounds[0] === "(") || (hi === Infinity && bounds[1] === ")");
  const number = finite ? "a finite number" : "a number";
  if (lo === -Infinity && hi === Infinity) return number;
  if (hi === Infinity) return `${number} ${bounds[0] === "(" ? ">" : ">="} ${lo}`;
  if (lo === -Infinity) return `${number} ${bounds[1] === ")" ? "<" : "<="} ${hi}`;
  return `${number} in ${bounds[0]}${lo}, ${hi}${bounds[1]}`;
}

/** `check*` bound to one config object: the names read `${owner}: config.${key}` ("DQN: config.tau"). */
export function configChecks<C extends object>(owner: string, config: C) {
  const value = (key: keyof C & string): unknown => config[key];
  const name = (key: keyof C & string) => `${owner}: config.${key}`;
  return {
    name,
    int: (key: keyof C & string, min: number) => checkInt(name(key), value(key), min),
    range: (key: keyof C & string, lo: number, hi: number, bounds?: Bounds) =>
      checkRange(name(key), value(key), lo, hi, bounds),
    bool: (key: keyof C & string) => checkBool(name(key), value(key)),
    /** Throw for `key`, saying what it must be. */
    fail: (key: keyof C & string, expected: string): never => fail(name(key), value(key), expected),
  };
}

function fail(name: string, v: unknown, expected: string): never {
  throw new InvalidArgumentError(`${name} must be ${expected}, got ${describe(v)}`);
}
