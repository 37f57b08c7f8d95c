// cbrt as FreeBSD's s_cbrt.c computes it, which is what V8 (Node 20 included) runs for Math.cbrt.
import { fromWords, highWord, lowWord } from "./bits.js";

const B1 = 715094163; // (1023 - 1023/3 - 0.03306235651) * 2^20
const B2 = 696219795; // (1023 - 1023/3 - 54/3 - 0.03306235651) * 2^20
// |1/cbrt(x) - p(x)| < 2^-23.5
const P0 = 1.87595182427177;
const P1 = -1.8849797954337717;
const P2 = 1.6214297201053545;
const P3 = -0.758397934778766;
const P4 = 0.14599619288661245;

/** The cube root of x, the same bits on every engine. */
export function cbrt(x: number): number {
  let hx = highWord(x);
  const low = lowWord(x);
  const sign = hx & 0x80000000;
  hx ^= sign;
  if (hx >= 0x7ff00000) return x + x; // NaN, +-Infinity
  let t: number;
  // rough cbrt to 5 bits from dividing the exponent bits by 3
  if (hx < 0x00100000) {
    if ((hx | low) === 0) return x; // +-0
    t = x * 18014398509481984; // 2^54
    t = fromWords(sign | ((((highWord(t) & 0x7fffffff) / 3) | 0) + B2), 0);
  } else t = fromWords(sign | (((hx / 3) | 0) + B1), 0);
  // 23 bits: t * P(t^3/x)
  let r = t * t * (t / x);
  t = t * (P0 + r * (P1 + r * P2) + r * r * r * (P3 + r * P4));
  // round t away from zero to 23 bits: add 2^31 to the 64-bit pattern, clear the low 30 bits
  let hi = highWord(t);
  const lo = lowWord(t) >>> 0;
  const lo2 = lo + 0x80000000;
  if (lo2 >= 0x100000000) hi += 1;
  t = fromWords(hi, lo2 & 0xc0000000);
  // one Newton step to 53 bits, error < 0.667 ulps
  const s = t * t; // exact
  r = x / s;
  const w = t + t; // exact
  r = (r - t) / (w + r);
  return t + t * r;
}
