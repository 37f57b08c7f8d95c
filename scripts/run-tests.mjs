// Runs every *.test.ts under the given folder with node's built-in test runner (TypeScript through tsx).
// Node 20's runner does not expand globs itself, so the file list is collected here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? "test";
const extra = process.argv.slice(3);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = collect(root);
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${root}`);
  process.exit(1);
}
// The spec reporter shows each test as it runs; the summary reporter ends the output with the counts and the
// failures, so a failure is not buried in thousands of lines above.
const summary = new URL("./test-summary-reporter.mjs", import.meta.url).href;
const reporters = ["--test-reporter=spec", "--test-reporter-destination=stdout"];
reporters.push(`--test-reporter=${summary}`, "--test-reporter-destination=stdout");
const args = ["--import", "tsx", "--test", "--test-concurrency=2", ...reporters, ...extra, ...files];
const res = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(res.status ?? 1);
