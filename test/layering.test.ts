// The layering rule of DESIGN.md: core < nn, distributions, spaces < envs < algos < train < cli. A file may import
// from its own layer or a lower one, never a higher one (static imports and dynamic import() alike). errors.ts is
// below everything; index.ts (the package entry) and platform/ (the Node file-system seam, reached only through
// dynamic imports) sit outside the order.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "../src");
const LAYER: Record<string, number> = {
  "errors.ts": -1,
  core: 0,
  nn: 1,
  distributions: 1,
  spaces: 1,
  envs: 2,
  algos: 3,
  train: 4,
  cli: 5,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The layer of a file under src/ (undefined outside the order). */
function layerOf(path: string): number | undefined {
  return LAYER[relative(SRC, path).split("/")[0]];
}

/** Relative module specifiers a file imports, statically or dynamically. */
function imports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) out.push(m[1]);
  return out;
}

test("no file under src/ imports from a higher layer", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const own = layerOf(file);
    if (own === undefined) continue;
    for (const spec of imports(readFileSync(file, "utf8"))) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      const theirs = layerOf(target);
      if (theirs !== undefined && theirs > own)
        violations.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});

test("the layering check sees a violation when there is one", () => {
  // a stand-in: an nn file importing from algos must be reported
  const file = join(SRC, "nn/example.ts");
  const spec = "../algos/ppo.js";
  const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
  assert.deepEqual(imports(`import { PPO } from "${spec}";`), [spec]);
  assert.ok((layerOf(target) as number) > (layerOf(file) as number));
  assert.deepEqual(imports(`const fs = await import("../../platform/fs.js");`), ["../../platform/fs.js"]);
});
