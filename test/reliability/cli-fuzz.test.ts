// Issue 17: a fuzz of the CLI's arguments. Random commands, flags and values (valid, malformed, hostile paths):
// every run ends with exit code 0 or 1 and, on error, one line, never a stack or an internal error. Budgets stay
// tiny so the whole fuzz takes seconds.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { cli } from "../cli/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-fuzz-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const notJson = join(dir, "notes.json");
writeFileSync(notJson, "{ not json");

const values = [
  "",
  "0",
  "1",
  "-1",
  "3",
  "1e12",
  "1e400",
  "NaN",
  "1.5",
  "abc",
  "{",
  "[]",
  "null",
  "CartPole-v1",
  "FrozenLake-v1",
  "Nope-v0",
  "ppo",
  "dqn",
  "qlearning",
  "a2c",
  "foo",
  "x=1",
  "=",
  "learningRate=-1",
  "learning_rate=0.1",
  "nSteps=0",
  "nSteps=1e12",
  "seed=7",
  "batchSize=4096",
  "gamma=2",
  'policyKwargs={"netArch":[]}',
  "/dev/zero",
  "/nonexistent/run",
  dir,
  notJson,
  "a\u0000b",
];
const flags = [
  "--steps",
  "--seed",
  "--n-envs",
  "--hp",
  "--config",
  "--vectorization",
  "--out",
  "--eval-count",
  "--progress",
  "--episodes",
  "--best",
  "--json",
  "--gif",
  "--fps",
  "--metric",
  "--algos",
  "--env",
  "--bogus",
  "-x",
  "--help",
];
const commands = ["train", "eval", "enjoy", "resume", "list", "plot", "bench", "nonsense"];

const argv = fc
  .tuple(
    fc.constantFrom(...commands),
    fc.array(fc.constantFrom(...values), { maxLength: 2 }),
    fc.array(fc.tuple(fc.constantFrom(...flags), fc.constantFrom(...values)), { maxLength: 4 }),
  )
  .map(([command, positional, pairs]) => {
    const args = [command, ...positional, ...pairs.flat()];
    // keep any run that would train or benchmark tiny; a later --steps from the fuzz still overrides it
    if (command === "train" || command === "bench") args.push("--steps", "64", "--out", join(dir, "runs"));
    if (command === "train") args.push("--progress", "none", "--eval-count", "0");
    return args;
  });

test("random CLI arguments: exit 0 or a one-line error, never a stack", async () => {
  const codes = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      const r = await cli(...args);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      const where = `tsrl ${args.map((a) => JSON.stringify(a)).join(" ")}\n${r.err}`;
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${where}`);
      assert.doesNotMatch(r.err, /\n\s+at |internal error/, where);
      // one line, then at most commander's hints in parentheses ("(Did you mean --help?)", "(add --help ...)")
      if (r.code === 1) assert.match(r.err, /^error: [^\n]+\n(\([^\n]*\)\n)*$/, where);
    }),
    { numRuns: 60, seed: 17 },
  );
  // the fuzz reaches both outcomes (a generator that only ever failed would test little)
  assert.ok((codes.get(0) ?? 0) >= 5 && (codes.get(1) ?? 0) >= 20, JSON.stringify([...codes]));
});
