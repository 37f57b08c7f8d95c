// Bit access to IEEE-754 doubles through one shared buffer: the high and low 32-bit words fdlibm works on.
// Reading and writing these views is exact on every engine, unlike the engines' own Math transcendentals.
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
/** Index of the high word in `i32` (1 on little-endian hosts, which all current engines are). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high word (sign, exponent, top 20 mantissa bits) of x as a signed int32. */
export function highWord(x: number): number {
  f64[0] = x;
  return i32[HI];
}

/** The low 32 mantissa bits of x as a signed int32 (`>>> 0` gives fdlibm's unsigned view). */
export function lowWord(x: number): number {
  f64[0] = x;
  return i32[LO];
}

/** The double whose high and low words are hi and lo. */
export function fromWords(hi: number, lo: number): number {
  i32[HI] = hi;
  i32[LO] = lo;
  return f64[0];
}

/** x with its high word replaced. */
export function withHighWord(x: number, hi: number): number {
  f64[0] = x;
  i32[HI] = hi;
  return f64[0];
}

/** x with its low word replaced (fdlibm's SET_LOW_WORD; 0 keeps the top 21 mantissa bits). */
export function withLowWord(x: number, lo: number): number {
  f64[0] = x;
  i32[LO] = lo;
  return f64[0];
}

/** x * 2^n exactly as C's scalbn for the |n| < 2100 fdlibm needs: one rounding when the result is subnormal. */
export function scalbn(x: number, n: number): number {
  if (n > 1023) {
    x *= 8.98846567431158e307; // 2^1023
    n -= 1023;
    if (n > 1023) {
      x *= 8.98846567431158e307;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    x *= 2.004168360008973e-292 /* 2^-1022 * 2^53 */;
    n += 1022 - 53;
    if (n < -1022) {
      x *= 2.004168360008973e-292;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return x * fromWords((0x3ff + n) << 20, 0);
}
