// Writes test/fixtures/math/node20.json: inputs and the bits Node 20's own Math returns for them, per function that
// src/core/math ports. Run once on Node 20 (`npx tsx scripts/make-math-fixture.ts`); the tests then check the ports
// against these bits in Node (test/core/math.test.ts) and in Chromium (test-browser/math.test.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

if (!process.version.startsWith("v20."))
  throw new Error(`the fixture records Node 20's Math; this is ${process.version}`);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hex = (x: number) => {
  f64[0] = x;
  return u32[1].toString(16).padStart(8, "0") + u32[0].toString(16).padStart(8, "0");
};
let state = 0x2545f491;
/** A fixed 32-bit sequence (xorshift32), so the fixture is reproducible. */
function next(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}
const uniform = (a: number, b: number) => a + ((b - a) * next()) / 2 ** 32;
/** A double with a random sign and mantissa and a biased exponent in [e0, e1]. */
function anyBits(e0: number, e1: number): number {
  u32[1] = ((next() & 0x80000000) | ((e0 + (next() % (e1 - e0 + 1))) << 20) | (next() & 0xfffff)) >>> 0;
  u32[0] = next();
  return f64[0];
}
const SPECIAL = [0, -0, Number.NaN, Infinity, -Infinity, 1, -1, 0.5, 2, Number.MIN_VALUE, 2.2250738585072014e-308];
const PER = 20;
const sample = (gens: (() => number)[]) => [...SPECIAL, ...gens.flatMap((g) => Array.from({ length: PER }, g))];

const trig = sample([
  () => uniform(-0.8, 0.8),
  () => uniform(-7, 7),
  () => uniform(-1e4, 1e4),
  () => anyBits(0x3c0, 0x7fe),
]);
const near1 = sample([() => uniform(-1, 1), () => uniform(-30, 30), () => uniform(-750, 710), () => anyBits(0, 0x7fe)]);
const positive = sample([
  () => uniform(0, 2),
  () => uniform(0.99, 1.01),
  () => Math.abs(anyBits(0, 0x7fe)),
  () => anyBits(0, 0x7fe),
]);
const unary: Record<string, [(x: number) => number, number[]]> = {
  sin: [Math.sin, trig],
  cos: [Math.cos, trig],
  tan: [Math.tan, trig],
  exp: [Math.exp, near1],
  expm1: [Math.expm1, near1],
  tanh: [Math.tanh, near1],
  log: [Math.log, positive],
  log10: [Math.log10, positive],
  log1p: [Math.log1p, sample([() => uniform(-1, 1), () => uniform(-1e-7, 1e-7), () => anyBits(0, 0x7fe)])],
  atanh: [Math.atanh, sample([() => uniform(-1, 1), () => uniform(0.9999, 1), () => anyBits(0x3c0, 0x3ff)])],
  cbrt: [Math.cbrt, sample([() => anyBits(0, 0x7fe), () => next() % 2000])],
};
const out: Record<string, string[][]> = {};
for (const [name, [fn, xs]] of Object.entries(unary)) out[name] = xs.map((x) => [hex(x), hex(fn(x))]);
const pairs: [number, number][] = [];
for (const x of SPECIAL) for (const y of SPECIAL) pairs.push([x, y]);
for (let i = 0; i < PER; i++) {
  pairs.push([[0.9, 0.99, 0.999][i % 3], 1 + (next() % 1_000_000)]); // Adam's bias corrections
  pairs.push([uniform(0, 1), next() % 1000]); // gamma ** k
  pairs.push([uniform(0, 10), uniform(-10, 10)]);
  pairs.push([uniform(-10, 10), (next() % 41) - 20]);
  pairs.push([Math.abs(anyBits(0, 0x7fe)), uniform(-3, 3)]);
}
out.pow = pairs.map(([x, y]) => [hex(x), hex(y), hex(x ** y)]);
out.hypot = pairs.map(([x, y]) => [hex(x), hex(y), hex(Math.hypot(x, y))]);
out.hypot3 = pairs.map(([x, y]) => [hex(x), hex(y), hex(x - y), hex(Math.hypot(x, y, x - y))]);
const file = join(import.meta.dirname, "../test/fixtures/math/node20.json");
writeFileSync(file, `${JSON.stringify({ node: process.version, v8: process.versions.v8, cases: out })}\n`);
console.log(`wrote ${file}`);
