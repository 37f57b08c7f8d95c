import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBool, checkInt, checkRange, configChecks, rangeInWords } from "../../src/core/checks.js";
import { InvalidArgumentError } from "../../src/errors.js";

const rejects = (f: () => unknown, message: string) =>
  assert.throws(f, (e: unknown) => e instanceof InvalidArgumentError && e.message === message);

test("checkInt: safe integers >= min pass and come back; anything else names the argument, the value and the rule", () => {
  assert.equal(checkInt("n", 3, 1), 3);
  assert.equal(checkInt("n", 0, 0), 0);
  rejects(() => checkInt("X: n", 0, 1), "X: n must be a positive integer, got 0");
  rejects(() => checkInt("X: n", 1.5, 0), "X: n must be an integer >= 0, got 1.5");
  rejects(() => checkInt("X: n", "2", 0), 'X: n must be an integer >= 0, got "2"');
  rejects(() => checkInt("X: n", 2 ** 53, 0), `X: n must be an integer >= 0, got ${2 ** 53}`);
  rejects(() => checkInt("X: n", Number.NaN, 0), "X: n must be an integer >= 0, got NaN");
});

test("checkRange: each kind of bound, NaN never passes, an excluded infinite bound means finite", () => {
  assert.equal(checkRange("g", 0, 0, 1), 0);
  assert.equal(checkRange("g", 1, 0, 1, "(]"), 1);
  assert.equal(checkRange("g", Infinity, 0, Infinity), Infinity);
  rejects(() => checkRange("X: g", 0, 0, 1, "(]"), "X: g must be a number in (0, 1], got 0");
  rejects(() => checkRange("X: g", 1, 0, 1, "[)"), "X: g must be a number in [0, 1), got 1");
  rejects(() => checkRange("X: g", Number.NaN, -Infinity, Infinity), "X: g must be a number, got NaN");
  rejects(() => checkRange("X: g", Infinity, 0, Infinity, "[)"), "X: g must be a finite number >= 0, got Infinity");
  rejects(() => checkRange("X: g", 0, 0, Infinity, "()"), "X: g must be a finite number > 0, got 0");
  rejects(() => checkRange("X: g", 2, -Infinity, 1), "X: g must be a number <= 1, got 2");
  rejects(() => checkRange("X: g", null, 0, 1), "X: g must be a number in [0, 1], got null");
  assert.equal(rangeInWords(-Infinity, Infinity, "()"), "a finite number");
});

test("checkBool and configChecks name the config key", () => {
  assert.equal(checkBool("b", false), false);
  rejects(() => checkBool("X: b", 1), "X: b must be a boolean, got 1");
  const check = configChecks("ALGO", { steps: 0, tau: 2, flag: "yes", ok: 1 });
  assert.equal(check.name("steps"), "ALGO: config.steps");
  rejects(() => check.int("steps", 1), "ALGO: config.steps must be a positive integer, got 0");
  rejects(() => check.range("tau", 0, 1, "(]"), "ALGO: config.tau must be a number in (0, 1], got 2");
  rejects(() => check.bool("flag"), 'ALGO: config.flag must be a boolean, got "yes"');
  rejects(() => check.fail("ok", "one of 2, 3"), "ALGO: config.ok must be one of 2, 3, got 1");
});
