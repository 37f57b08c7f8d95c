// Issue 16.10: the published package, as `npm pack` makes it. Its package.json has no script npm runs when a
// consumer installs it (npm reports `prepare` as an install script to approve: tsrl builds in `prepack`), and its
// public types compile for a browser project: no @types/node (`types: []`), the DOM library, no skipLibCheck.
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
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "tsrl-published-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The packed package unpacked as a consumer's node_modules/tsrl (scripts skipped: dist/ is built already). */
function unpack(): string {
  assert.ok(existsSync(join(ROOT, "dist", "index.d.ts")), "dist/ is missing: npm run build");
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  const modules = join(dir, "consumer", "node_modules");
  mkdirSync(modules, { recursive: true });
  execFileSync("tar", ["xzf", join(dir, packed.split("\n").at(-1) ?? ""), "-C", modules]);
  renameSync(join(modules, "package"), join(modules, "tsrl"));
  return join(modules, "tsrl");
}
const pkgDir = unpack();

test("the packed package.json has no install-time script (preinstall, install, postinstall, prepare)", () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const scripts = Object.keys(pkg.scripts ?? {});
  assert.deepEqual(
    scripts.filter((s) => ["preinstall", "install", "postinstall", "prepare"].includes(s)),
    [],
  );
  // the build moved to prepack, so a published tarball is always built
  assert.equal(pkg.scripts.prepack, "npm run build");
});

test("the public types compile in a browser project without @types/node", () => {
  const consumer = join(dir, "consumer");
  for (const dep of ["commander", "gifenc"]) {
    if (!existsSync(join(consumer, "node_modules", dep)))
      symlinkSync(join(ROOT, "node_modules", dep), join(consumer, "node_modules", dep));
  }
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", type: "module" }));
  const file = join(consumer, "page.ts");
  writeFileSync(
    file,
    `import { AsyncVectorEnv, make, PPO, type AsyncEnvSource } from "tsrl";
import { zooEntry } from "tsrl/zoo";
const source: AsyncEnvSource = { id: "CartPole-v1" };
const model = new PPO("CartPole-v1");
const action: number = model.predict(make("CartPole-v1").reset().observation);
console.log(source, action, zooEntry, AsyncVectorEnv);
`,
  );
  for (const customConditions of [[], ["browser"]]) {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
      skipLibCheck: false,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.replace(consumer, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(errors, [], `conditions ${JSON.stringify(customConditions)}`);
  }
});
