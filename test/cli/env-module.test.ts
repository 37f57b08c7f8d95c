// Issue 16.8: `--env-module ./my-env.js` imports a module that registers custom envs before the command runs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-env-module-"));
after(() => rmSync(dir, { recursive: true, force: true }));
// the module a user writes imports "tsrl"; here the same sources the CLI under test runs on
const TSRL = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

test("train and eval a custom env registered by --env-module", async () => {
  const mod = join(dir, "my-env.mjs");
  writeFileSync(
    mod,
    `import { register, make } from ${JSON.stringify(TSRL)};
register("ModuleCartPole-v0", () => make("CartPole-v1", { maxEpisodeSteps: null }).unwrapped, { maxEpisodeSteps: 50 });
`,
  );
  const missing = await cli("train", "ppo", "ModuleCartPole-v0", "--steps", "64");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /unknown environment "ModuleCartPole-v0"/);
  const r = await cli(
    "train",
    "a2c",
    "ModuleCartPole-v0",
    "--steps",
    "64",
    "--env-module",
    mod,
    "--out",
    join(dir, "runs"),
    "--progress",
    "none",
    "--eval-count",
    "0",
  );
  assert.equal(r.code, 0, r.err);
  const e = await cli("eval", r.out.trim(), "--episodes", "2", "--env-module", mod);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /A2C on ModuleCartPole-v0/);
  const bad = await cli("train", "a2c", "CartPole-v1", "--env-module", join(dir, "nope.js"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^error: --env-module: no file at/);
});
