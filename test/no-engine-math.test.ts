// Library code computes transcendental functions with src/core/math, never with the engine's Math or `**`:
// ECMAScript leaves those implementation-approximated, engines differ in the last bit, and a browser run of a seed
// would drift from Node's. `**` between two number literals (2 ** 32) is exact everywhere and allowed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOTS = [resolve(import.meta.dirname, "../src"), resolve(import.meta.dirname, "../web/src")];
const PORTS = resolve(import.meta.dirname, "../src/core/math");
/** Files allowed to use engine math, each with why its results never reach numbers users see. None so far. */
const ALLOWED: Record<string, string> = {};

const ENGINE_MATH =
  /\bMath\.(sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|exp|expm1|log|log1p|log2|log10|pow|cbrt|hypot)\b/;
const LITERAL = String.raw`\d[\d_]*(?:\.\d*)?(?:e[+-]?\d+)?`;
const LITERAL_BASE = new RegExp(String.raw`(?<![\w$.])${LITERAL}\s*$`);
const LITERAL_EXPONENT = new RegExp(String.raw`^\s*(?:-?${LITERAL}|\(\s*-?${LITERAL}\s*\))(?![\w.(])`);

/** Whether a line has `**` with an operand that is not a number literal (2 ** 32 and 2 ** -32 are exact). */
function variablePow(line: string): boolean {
  for (let i = line.indexOf("**"); i >= 0; i = line.indexOf("**", i + 2))
    if (!LITERAL_BASE.test(line.slice(0, i)) || !LITERAL_EXPONENT.test(line.slice(i + 2))) return true;
  return false;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(path) ? [path] : [];
  });
}

/** Source with comments and string/template literal contents blanked (line numbers kept). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, (m) =>
    m.replace(/[^\n]/g, " "),
  );
}

/** "file:line: text" for each use of engine transcendentals or a variable `**` in the given source. */
function violations(name: string, text: string): string[] {
  const out: string[] = [];
  code(text)
    .split("\n")
    .forEach((line, i) => {
      if (ENGINE_MATH.test(line) || variablePow(line)) out.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  return out;
}

test("library code uses src/core/math, not the engine's Math transcendentals or ** on variables", () => {
  const found: string[] = [];
  for (const root of ROOTS)
    for (const file of files(root)) {
      const name = relative(resolve(root, "../.."), file);
      if (file.startsWith(PORTS) || name in ALLOWED) continue;
      found.push(...violations(name, readFileSync(file, "utf8")));
    }
  assert.deepEqual(found, []);
});

test("the engine-math check sees each kind of use and passes what is exact", () => {
  const bad = [
    "const c = Math.cos(theta);",
    "const f = Math.exp;",
    "const p = beta1 ** step;",
    "const q = (x - m) ** 2;",
    "const r = 2 ** n;",
    "const s = 10 ** Math.floor(v);",
    "const h = Math.hypot(a, b);",
  ];
  for (const line of bad) assert.equal(violations("x.ts", line).length, 1, line);
  const fine = [
    "const a = 2 ** 32;",
    "const b = 2 ** -32;",
    "const c = -(2 ** 31);",
    "const d = Math.sqrt(x) + Math.abs(y) + Math.floor(z) + Math.fround(w);",
    '// Math.cos in a comment, "x ** y" in a string',
    'const s = "xoshiro128**";',
    "const t = `a **bold** word`;",
    "const u = pmath.cos(theta) * pmath.pow(beta1, step);",
  ];
  for (const line of fine) assert.deepEqual(violations("x.ts", line), [], line);
});
