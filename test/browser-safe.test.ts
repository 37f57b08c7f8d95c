// The main entry must run in a browser: no module it reaches through static imports may import a Node built-in
// (Node-only code is loaded with dynamic import() or process.getBuiltinModule, or lives in the `tsrl/train` entry).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");
// static value imports and re-exports; `import type` / `export type` vanish at compile time
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;

function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    const specs = [...readFileSync(file, "utf8").matchAll(STATIC)].map((m) => m[1]);
    seen.set(file, specs);
    for (const s of specs) {
      if (!s.startsWith(".")) continue;
      const ts = resolve(dirname(file), s.replace(/\.js$/, ".ts"));
      assert.ok(existsSync(ts), `${file} imports ${s}, which does not resolve to a .ts file`);
      stack.push(ts);
    }
  }
  return seen;
}

/** The Node built-ins a graph imports statically, as "file -> module". */
function nodeImports(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([file, specs]) =>
    specs.filter((s) => s.startsWith("node:") || s === "fs" || s === "path").map((s) => `${file} -> ${s}`),
  );
}

test("the main entry reaches no Node built-in through static imports", () => {
  const graph = reachable(resolve(SRC, "index.ts"));
  assert.ok(graph.size > 50, `walked only ${graph.size} modules`);
  assert.deepEqual(nodeImports(graph), []);
});

test("the tsrl/train entry is where the file-system tools are (the walk does see node: imports)", () => {
  const graph = reachable(resolve(SRC, "train/index.ts"));
  assert.ok([...graph.values()].some((specs) => specs.includes("node:fs")));
});

test("the tsrl/mujoco entry reaches no Node built-in through static imports either", () => {
  const graph = reachable(resolve(SRC, "mujoco.ts"));
  assert.ok(graph.size > 15, `walked only ${graph.size} modules`);
  assert.deepEqual(nodeImports(graph), []);
});
