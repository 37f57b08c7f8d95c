// Bundled into a blank Chromium page by math.test.ts: checks fixture cases (hex bit patterns, see
// test/fixtures/math/README.md) against src/core/math or against the page's own Math.
import * as pmath from "../src/core/math/index.js";
import { fromHex } from "../test/support/hex-double.js";

const ENGINE: Record<string, (...xs: number[]) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  expm1: Math.expm1,
  tanh: Math.tanh,
  log: Math.log,
  log10: Math.log10,
  log1p: Math.log1p,
  atanh: Math.atanh,
  cbrt: Math.cbrt,
  pow: Math.pow,
  hypot: Math.hypot,
  hypot3: Math.hypot,
};
// the ports of ENGINE's functions (sincos, which returns nothing, is checked in Node against sin and cos)
const PORTS = Object.fromEntries(Object.entries(pmath).filter(([name]) => name in ENGINE)) as typeof ENGINE;

/** The cases whose result differs from the recorded one, as "name(args): result". */
function mismatches(cases: Record<string, string[][]>, engine: boolean): string[] {
  const bad: string[] = [];
  for (const [name, rows] of Object.entries(cases)) {
    const f = (engine ? ENGINE : PORTS)[name];
    for (const row of rows) {
      const args = row.slice(0, -1).map(fromHex);
      const want = fromHex(row[row.length - 1]);
      const got = f(...args);
      if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)))) bad.push(`${name}(${args}): ${got}`);
    }
  }
  return bad;
}

(globalThis as unknown as { mathMismatches: typeof mismatches }).mathMismatches = mismatches;
