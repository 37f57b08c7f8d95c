// `npm test` reads no reference data from outside the repository: every file a test opens through
// `new URL(..., import.meta.url)` resolves inside it, and no test names a path beside the repository
// (../shared, /work, a home folder). Reference data lives in test/fixtures/ with a README on its origin.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "fixtures") out.push(...sources(p));
    } else if (/\.(ts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const inside = (p: string): boolean => !relative(ROOT, p).startsWith("..");

test("every file a test opens relative to itself lies inside the repository", () => {
  const outside: string[] = [];
  for (const file of sources(join(ROOT, "test"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/new URL\(\s*["'`]([^"'`$]+)["'`]\s*,\s*import\.meta\.url/g)) {
      const target = fileURLToPath(new URL(m[1], `file://${file}`));
      if (!inside(target)) outside.push(`${relative(ROOT, file)}: ${m[1]}`);
    }
    for (const m of text.matchAll(/["'`]((?:\.\.\/)+shared\/[^"'`]*|\/work\/[^"'`]*|\/home\/[^"'`]*)["'`]/g)) {
      outside.push(`${relative(ROOT, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(outside, [], `tests reach outside the repository:\n${outside.join("\n")}`);
});

test("every fixture folder says where its data comes from", () => {
  const fixtures = join(ROOT, "test", "fixtures");
  for (const name of readdirSync(fixtures)) {
    if (statSync(join(fixtures, name)).isDirectory()) {
      assert.ok(existsSync(join(fixtures, name, "README.md")), `test/fixtures/${name} has no README.md`);
    }
  }
});
