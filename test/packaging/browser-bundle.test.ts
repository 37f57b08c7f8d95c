// The package bundles for a browser with esbuild's defaults: a page importing every public browser export of `tsrl`
// and `tsrl/zoo` by package name builds with no flags, through the `browser` export condition, and its output
// imports no `node:` module. Bundles the built package (dist/, made by `npm ci` / `npm run build`).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as esbuild from "esbuild";
import * as browserApi from "../../src/browser.js";
import * as nodeApi from "../../src/index.js";
import * as zooApi from "../../src/train/browser.js";

const root = join(import.meta.dirname, "..", "..");

function page(): string {
  const names = Object.keys(browserApi).sort();
  const zoo = Object.keys(zooApi).sort();
  return [
    `import { ${names.join(", ")} } from "tsrl";`,
    `import { ${zoo.join(", ")} } from "tsrl/zoo";`,
    `globalThis.everything = [${[...names, ...zoo].join(", ")}];`,
  ].join("\n");
}

test("the browser entry is the whole API except the Node-only helpers", () => {
  const nodeOnly = Object.keys(nodeApi).filter((k) => !(k in browserApi));
  assert.deepEqual(nodeOnly, ["gifFolderSink"]);
  assert.ok(Object.keys(browserApi).length > 100);
});

test("esbuild bundles a page importing every public browser export, with no node: import left", async () => {
  const result = await esbuild.build({
    stdin: { contents: page(), resolveDir: root, sourcefile: "page.js", loader: "js" },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: root,
  });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.includes("dist/browser.js"), `tsrl did not resolve to its browser entry: ${inputs.join(", ")}`);
  for (const nodeOnly of ["dist/index.js", "dist/platform/gif-folder.js", "dist/train/run.js"]) {
    assert.ok(!inputs.includes(nodeOnly), `${nodeOnly} is in the browser bundle`);
  }
  const leftImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  assert.deepEqual(
    leftImports.filter((p) => p.startsWith("node:")),
    [],
    "the bundle still imports node: modules",
  );
  const code = result.outputFiles[0].text;
  // no static or dynamic import of a Node module in code (the worker bootstrap string of AsyncVectorEnv, Node-only
  // and never evaluated in a browser, is the one text that names one)
  const outside = code.replace(/`const \{ workerData \} = await import\("node:worker_threads"\);[^`]*`/, "");
  assert.doesNotMatch(outside, /\bimport\s*\(\s*["']node:|\bfrom\s*["']node:|\brequire\s*\(\s*["']node:/);
});
