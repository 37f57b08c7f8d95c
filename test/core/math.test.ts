// src/core/math against Node 20's Math: the recorded bits of test/fixtures/math (any engine), and this engine's
// Math directly on seeded random inputs where this is Node 20 (other Node versions may run other libm code).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as pmath from "../../src/core/math/index.js";
import { Rng } from "../../src/core/rng.js";
import { fromHex, toHex } from "../support/hex-double.js";

type Cases = Record<string, string[][]>;
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/math/node20.json"), "utf8")) as {
  cases: Cases;
};

/** Same bits, any NaN counting as NaN (engines need not keep NaN payloads). */
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

const PORTS: Record<string, (...xs: number[]) => number> = {
  sin: pmath.sin,
  cos: pmath.cos,
  tan: pmath.tan,
  exp: pmath.exp,
  expm1: pmath.expm1,
  tanh: pmath.tanh,
  log: pmath.log,
  log10: pmath.log10,
  log1p: pmath.log1p,
  atanh: pmath.atanh,
  cbrt: pmath.cbrt,
  pow: pmath.pow,
  hypot: pmath.hypot,
  hypot3: pmath.hypot3,
};

/** "fn(args): got, want" for each fixture case a port gets wrong (shared with the browser test's idea). */
function mismatches(cases: Cases): string[] {
  const bad: string[] = [];
  for (const [name, rows] of Object.entries(cases)) {
    for (const row of rows) {
      const args = row.slice(0, -1).map(fromHex);
      const want = fromHex(row[row.length - 1]);
      const got = PORTS[name](...args);
      if (!same(got, want)) bad.push(`${name}(${args.join(", ")}): ${got}, Node 20 gives ${want}`);
    }
  }
  return bad;
}

test("every port gives Node 20's recorded bits on the fixture's inputs", () => {
  assert.deepEqual(Object.keys(FIXTURE.cases).sort(), Object.keys(PORTS).sort());
  assert.deepEqual(mismatches(FIXTURE.cases), []);
});

test("the fixture check sees a port that is one ulp off", () => {
  const [x, y] = FIXTURE.cases.sin[20];
  const oneUlpOff = fromHex(y) * (1 + Number.EPSILON);
  assert.equal(mismatches({ sin: [[x, toHex(oneUlpOff)]] }).length, 1);
});

test("sincos gives the bits of sin and cos, on the fixture's inputs and random ones", () => {
  const rng = new Rng(8);
  const xs = [...FIXTURE.cases.sin, ...FIXTURE.cases.cos].map((row) => fromHex(row[0]));
  for (let i = 0; i < 20_000; i++) xs.push((rng.uniform() - 0.5) * 2 ** (rng.uniform() * 50 - 20));
  const bad: string[] = [];
  for (const x of xs) {
    pmath.sincos(x);
    const [s, c] = [pmath.sincosOut[0], pmath.sincosOut[1]];
    if (!same(s, pmath.sin(x)) || !same(c, pmath.cos(x))) bad.push(`sincos(${x}): ${s}, ${c}`);
  }
  assert.deepEqual(bad.slice(0, 10), []);
});

test("on Node 20 every port equals Math bit for bit on random inputs", {
  skip: !process.version.startsWith("v20."),
}, () => {
  const rng = new Rng(7);
  const wide = () => (rng.uniform() - 0.5) * 2 ** (rng.uniform() * 40 - 10);
  const bad: string[] = [];
  const check = (name: string, got: number, want: number, args: number[]) => {
    if (!same(got, want) && bad.length < 10) bad.push(`${name}(${args.join(", ")}): ${got}, Math gives ${want}`);
  };
  for (let i = 0; i < 20_000; i++) {
    const x = wide();
    const a = rng.uniform() * 2 - 1;
    check("sin", pmath.sin(x), Math.sin(x), [x]);
    check("cos", pmath.cos(x), Math.cos(x), [x]);
    check("tan", pmath.tan(x), Math.tan(x), [x]);
    check("exp", pmath.exp(x / 1000), Math.exp(x / 1000), [x / 1000]);
    check("expm1", pmath.expm1(a), Math.expm1(a), [a]);
    check("tanh", pmath.tanh(x / 100), Math.tanh(x / 100), [x / 100]);
    check("log", pmath.log(Math.abs(x)), Math.log(Math.abs(x)), [Math.abs(x)]);
    check("log10", pmath.log10(Math.abs(x)), Math.log10(Math.abs(x)), [Math.abs(x)]);
    check("log1p", pmath.log1p(a), Math.log1p(a), [a]);
    check("atanh", pmath.atanh(a), Math.atanh(a), [a]);
    check("cbrt", pmath.cbrt(x), Math.cbrt(x), [x]);
    const y = i % 2 === 0 ? Math.round(a * 100) : a * 30;
    check("pow", pmath.pow(Math.abs(x), y), Math.abs(x) ** y, [Math.abs(x), y]);
    check("hypot", pmath.hypot(x, a), Math.hypot(x, a), [x, a]);
    check("hypot3", pmath.hypot3(x, a, y), Math.hypot(x, a, y), [x, a, y]);
  }
  assert.deepEqual(bad, []);
});
