// Checks that every function of src/core/math equals this engine's Math.<name> bit for bit on many inputs: the
// ports follow Node 20's V8, so on Node 20 this must report 0 mismatches everywhere (on another engine the
// counts measure how far that engine's Math strays). Usage: npx tsx scripts/check-portable-math.ts [perRange]
import * as pm from "../src/core/math/index.js";

const per = Number(process.argv[2] ?? 200_000);
// xoshiro-like 32-bit generator, seeded: the inputs are the same on every run
let s0 = 0x9e3779b9;
let s1 = 0x243f6a88;
let s2 = 0xb7e15162;
let s3 = 0x12345678;
function u32(): number {
  const r = Math.imul(s1 * 5, (1 << 7) | 1) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 11) | (s3 >>> 21);
  return r;
}
const f64 = new Float64Array(1);
const w32 = new Uint32Array(f64.buffer);
function bits(hi: number, lo: number): number {
  w32[1] = hi >>> 0;
  w32[0] = lo >>> 0;
  return f64[0];
}
const uni = (a: number, b: number) => () => a + (b - a) * (u32() / 2 ** 32 + u32() / 2 ** 64);
/** a random double with exponent field in [e0, e1] (biased), random mantissa and sign (if signed). */
const expRange =
  (e0: number, e1: number, signed = true) =>
  () =>
    bits(((signed ? u32() & 0x80000000 : 0) | ((e0 + (u32() % (e1 - e0 + 1))) << 20) | (u32() & 0xfffff)) >>> 0, u32());
/** k * pi/2 (k up to kmax) moved by a few ulps: the hard cases of argument reduction. */
const nearPio2 = (kmax: number) => () => {
  const x = (1 + (u32() % kmax)) * (Math.PI / 2) * (u32() & 1 ? 1 : -1);
  f64[0] = x;
  w32[0] = (w32[0] + (u32() % 64) - 32) >>> 0;
  return f64[0];
};
const SPECIAL = [
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1,
  -1,
  0.5,
  -0.5,
  2,
  -2,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  -2.2250738585072014e-308,
  2.225073858507201e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Math.PI,
  -Math.PI,
  Math.PI / 2,
  Math.PI / 4,
  Math.E,
  709.782712893384,
  709.7827128933841,
  -745.1332191019411,
  -745.1332191019412,
  22,
  -22,
  1e-300,
  3.725290298461914e-9,
  0.9999999999999999,
  1.0000000000000002,
  1e22,
  2 ** 52,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  2 ** 31,
  -(2 ** 31),
  1024,
  -1075,
  3,
];

type Gen = () => number;
function check1(name: string, port: (x: number) => number, ref: (x: number) => number, gens: Gen[]): void {
  let n = 0;
  let bad = 0;
  let example = "";
  const test = (x: number) => {
    n++;
    const a = port(x);
    const b = ref(x);
    if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) {
      if (bad++ === 0) example = ` e.g. x=${x}: port ${a}, Math ${b}`;
    }
  };
  for (const x of SPECIAL) test(x);
  for (const g of gens) for (let i = 0; i < per; i++) test(g());
  console.log(`${name.padEnd(6)} ${String(n).padStart(9)} inputs, ${bad} mismatches${example}`);
}

const trig = [
  uni(-0.8, 0.8),
  uni(-7, 7),
  uni(-100, 100),
  uni(-1e6, 1e6),
  expRange(0x3c0, 0x41f),
  expRange(0x41f, 0x7fe),
  nearPio2(40),
  nearPio2(1e6),
  expRange(0, 0x3e5),
];
check1("sin", pm.sin, Math.sin, trig);
check1("cos", pm.cos, Math.cos, trig);
check1("tan", pm.tan, Math.tan, trig);
const expg = [uni(-1, 1), uni(-0.4, 0.4), uni(-50, 50), uni(-760, 720), expRange(0x3c0, 0x409), expRange(0, 0x7fe)];
check1("exp", pm.exp, Math.exp, expg);
check1("expm1", pm.expm1, Math.expm1, expg);
check1("tanh", pm.tanh, Math.tanh, [uni(-1, 1), uni(-25, 25), expRange(0x3c0, 0x403), expRange(0, 0x7fe)]);
const logg = [
  uni(0, 2),
  uni(0.9, 1.1),
  uni(1 - 1e-6, 1 + 1e-6),
  expRange(0, 0x7fe, false),
  expRange(0, 0x7fe),
  uni(-5, 5),
];
check1("log", pm.log, Math.log, logg);
check1("log10", pm.log10, Math.log10, [...logg, () => 10 ** (u32() % 300) * (u32() & 1 ? 1 : 1e-300)]);
check1("log1p", pm.log1p, Math.log1p, [
  uni(-1, 1),
  uni(-1e-6, 1e-6),
  expRange(0, 0x3ff),
  expRange(0, 0x7fe),
  uni(-1, 1e6),
]);
check1("atanh", pm.atanh, Math.atanh, [uni(-1, 1), uni(0.999999, 1), expRange(0, 0x3ff), expRange(0x3c0, 0x3ff)]);
check1("cbrt", pm.cbrt, Math.cbrt, [expRange(0, 0x7fe), uni(-1000, 1000), () => u32() % 2000, expRange(0, 0)]);

function check2(
  name: string,
  port: (x: number, y: number) => number,
  ref: (x: number, y: number) => number,
  gens: [Gen, Gen][],
): void {
  let n = 0;
  let bad = 0;
  let example = "";
  const test = (x: number, y: number) => {
    n++;
    const a = port(x, y);
    const b = ref(x, y);
    if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) {
      if (bad++ === 0) example = ` e.g. (${x}, ${y}): port ${a}, Math ${b}`;
    }
  };
  for (const x of SPECIAL) for (const y of SPECIAL) test(x, y);
  for (const [gx, gy] of gens) for (let i = 0; i < per; i++) test(gx(), gy());
  console.log(`${name.padEnd(6)} ${String(n).padStart(9)} inputs, ${bad} mismatches${example}`);
}
const int = (a: number, b: number) => () => a + (u32() % (b - a + 1));
const beta = () => [0.9, 0.99, 0.999, 0.95, 0.98][u32() % 5];
check2("pow", pm.pow, Math.pow, [
  [beta, int(1, 10_000_000)], // Adam's bias corrections
  [uni(0, 1), int(0, 2000)], // gamma ** k
  [uni(-10, 10), int(-50, 50)],
  [uni(0, 10), uni(-10, 10)],
  [expRange(0, 0x7fe, false), uni(-3, 3)],
  [expRange(0, 0x7fe), expRange(0x3f0, 0x440)],
  [uni(0.999999, 1.000001), expRange(0x41e, 0x450)], // |1 - x| tiny, |y| huge
  [uni(0, 1e6), uni(0, 1)],
  [uni(-1, 1), () => [-0.5, 0.5, 2, -2, 3, 1 / 3][u32() % 6]],
]);
const h = (x: number, y: number) => pm.hypot(x, y);
check2("hypot", h, (x, y) => Math.hypot(x, y), [
  [uni(-10, 10), uni(-10, 10)],
  [expRange(0, 0x7fe), expRange(0, 0x7fe)],
  [uni(-1, 1), uni(-1e-8, 1e-8)],
  [uni(-1e6, 1e6), uni(-1, 1)],
]);
check2(
  "hypot3",
  (x, y) => pm.hypot3(x, y, x * 0.37 - y),
  (x, y) => Math.hypot(x, y, x * 0.37 - y),
  [
    [uni(-10, 10), uni(-10, 10)],
    [expRange(0, 0x7fe), expRange(0, 0x7fe)],
    [uni(-1, 1), uni(-1e-8, 1e-8)],
    [uni(-1e6, 1e6), uni(-1, 1)],
  ],
);
