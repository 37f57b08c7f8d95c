// Issue 16.3: tsrl is ESM-only, as the README's first lines say. In a CommonJS consumer project (what `npm init -y`
// makes) require("tsrl") works on Node >= 20.19 (require of ES modules) and fails before it, and the README's fix
// for older Node, a dynamic import, works.
// The package is packed as npm would publish it (from the built dist/, scripts skipped: fast) and unpacked into the
// consumer's node_modules; its dependencies are linked from this checkout's.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "tsrl-cjs-consumer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a CommonJS project: require('tsrl') behaves as the README says for this Node, and the dynamic import works", () => {
  assert.ok(existsSync(join(ROOT, "dist", "index.js")), "dist/ is missing: npm run build (npm install runs it)");
  const readme = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").slice(0, 12).join("\n");
  assert.match(readme, /ES module only/);
  assert.match(readme, /await import\("tsrl"\)/);

  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  const modules = join(dir, "consumer", "node_modules");
  mkdirSync(modules, { recursive: true });
  execFileSync("tar", ["xzf", join(dir, packed.split("\n").at(-1) ?? ""), "-C", modules]);
  renameSync(join(modules, "package"), join(modules, "tsrl"));
  const pkg = JSON.parse(readFileSync(join(modules, "tsrl", "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies ?? {}))
    symlinkSync(join(ROOT, "node_modules", dep), join(modules, dep));
  // npm init -y: no "type" field, so .js files are CommonJS
  writeFileSync(join(dir, "consumer", "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0" }));
  writeFileSync(
    join(dir, "consumer", "index.js"),
    `try { require("tsrl"); console.log("require: loaded"); } catch (e) { console.log("require: " + e.code); }
(async () => {
  const { make, PPO } = await import("tsrl");
  const model = new PPO(make("CartPole-v1"), { nSteps: 32, batchSize: 32 });
  await model.learn(64);
  console.log("import: " + model.numTimesteps);
})();
`,
  );
  const out = execFileSync(process.execPath, ["index.js"], { cwd: join(dir, "consumer"), encoding: "utf8" });
  const [major, minor] = process.versions.node.split(".").map(Number);
  const requireEsm = major > 20 || (major === 20 && minor >= 19);
  assert.match(out, requireEsm ? /^require: loaded$/m : /^require: ERR_\w+$/m);
  assert.match(readme, /Node >= 20\.19/);
  assert.match(out, /^import: 64$/m);
});
