import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import { expandRuns, parseStudy } from "../../src/study/spec.js";

const base = {
  name: "t",
  envs: ["CartPole-v1"],
  seeds: 2,
  budget: 1000,
  variants: [{ name: "PPO", algo: "ppo", hp: { nSteps: 64 } }],
};
const bad = (patch: Record<string, unknown>, re: RegExp) =>
  assert.throws(
    () => parseStudy({ ...base, ...patch }, "s.json"),
    (e: unknown) => e instanceof InvalidArgumentError && re.test(e.message),
  );

test("a study expands to variants x envs x seeds, with per-env overrides and zoo budgets", () => {
  const spec = parseStudy({
    ...base,
    envs: ["CartPole-v1", "Acrobot-v1"],
    budget: { "CartPole-v1": 500 },
    variants: [{ name: "A2C fast", algo: "a2c", hp: { nSteps: 8 }, envHp: { "Acrobot-v1": { gamma: 0.9 } } }],
  });
  const runs = expandRuns(spec);
  assert.deepEqual(
    runs.map((r) => [r.key, r.folder, r.steps, r.hp]),
    [
      ["A2C fast/CartPole-v1/s0", "A2C_fast__CartPole-v1__s0", 500, { nSteps: 8 }],
      ["A2C fast/CartPole-v1/s1", "A2C_fast__CartPole-v1__s1", 500, { nSteps: 8 }],
      ["A2C fast/Acrobot-v1/s0", "A2C_fast__Acrobot-v1__s0", undefined, { nSteps: 8, gamma: 0.9 }],
      ["A2C fast/Acrobot-v1/s1", "A2C_fast__Acrobot-v1__s1", undefined, { nSteps: 8, gamma: 0.9 }],
    ],
  );
  assert.deepEqual(parseStudy({ ...base, seeds: [5, 9] }).seeds, [5, 9]);
});

test("bad studies are named errors listing the valid choices", () => {
  bad(
    { variants: [{ name: "X", algo: "ppq" }] },
    /variant "X" on CartPole-v1: unknown algorithm "ppq"; choose one of: .*PPO/,
  );
  bad({ envs: ["CartPole-v9"] }, /unknown environment "CartPole-v9"; choose one of: .*CartPole-v1/);
  bad(
    { variants: [{ name: "X", algo: "ppo", hp: { clipRangeVF: 0.2 } }] },
    /variant "X" on CartPole-v1: PPO: unknown config option "clipRangeVF"; valid options: .*clipRangeVf/,
  );
  bad({ variants: [{ name: "X", algo: "ppo", hp: { gamma: 2 } }] }, /gamma must be a number in \[0, 1\], got 2/);
  bad(
    {
      variants: [
        { name: "PPO", algo: "ppo" },
        { name: "PPO", algo: "a2c" },
      ],
    },
    /duplicate variant name "PPO"/,
  );
  bad(
    {
      variants: [
        { name: "a b", algo: "ppo" },
        { name: "A_B", algo: "a2c" },
      ],
    },
    /duplicate variant name "A_B" \(same folder as "a b"\)/,
  );
  bad({ seeds: 0 }, /seeds must be an integer >= 1, got 0/);
  bad({ seeds: [1, 1] }, /seeds lists a seed twice/);
  bad({ budget: { "Acrobot-v1": 5 } }, /budget names "Acrobot-v1", not in envs/);
  bad({ budget: -3 }, /budget must be an integer >= 1, got -3/);
  bad({ colour: 1 }, /unknown key\(s\) "colour"; allowed: name, description, variants/);
  bad(
    { variants: [{ name: "X", algo: "ppo", hpp: {} }] },
    /variant "X": unknown key\(s\) "hpp"; allowed: name, algo, hp, envHp, nEnvs/,
  );
  bad({ variants: [] }, /variants must be a non-empty list/);
  bad({ scoreRanges: { "CartPole-v1": [500, 0] } }, /scoreRanges of CartPole-v1 must be \[low, high\] with low < high/);
  assert.throws(() => parseStudy([], "s.json"), /s.json: a study must be a JSON object/);
});

test("the shipped study files parse (every cell's options checked by its algorithm)", () => {
  for (const name of readdirSync("studies").filter((f) => f.endsWith(".json"))) {
    const spec = parseStudy(JSON.parse(readFileSync(join("studies", name), "utf8")), name);
    assert.ok(expandRuns(spec).length > 0, name);
  }
  const im = parseStudy(JSON.parse(readFileSync("studies/implementation-matters.json", "utf8")));
  const ppoM = expandRuns(im).find((r) => r.key === "PPO-M/Pendulum-v1/s0");
  assert.equal(ppoM?.hp.maxGradNorm, null, "PPO-M clips no gradient");
});
