// Bit access to IEEE-754 doubles: the high and low 32-bit words fdlibm works on. Reading a word goes through one
// shared buffer (an 8-byte store, then a 4-byte load: fast). Building a double from words is done in arithmetic
// instead (exact for normal numbers), because two 4-byte stores followed by an 8-byte load defeat the CPU's store
// forwarding and cost some 30 cycles each time. Both are exact and engine-independent.
/**
 * The shared buffer: a double written to `f64[0]` reads back as words `i32[HI]` and `i32[LO]`. Exported for code
 * that must read a word inline, without a call (see trig.ts).
 */
export const f64 = new Float64Array(1);
export const i32 = new Int32Array(f64.buffer);
/** Index of the high word in `i32` (1 on little-endian hosts, which all current engines are). */
export const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** POW2[k + 1074] = 2^k for k in [-1074, 1023], built by exact doublings and halvings. */
const POW2 = new Float64Array(2098);
POW2[1074] = 1;
for (let k = 1; k <= 1023; k++) POW2[1074 + k] = POW2[1073 + k] * 2;
for (let k = -1; k >= -1074; k--) POW2[1074 + k] = POW2[1075 + k] / 2;
const TWO_M52 = POW2[1074 - 52];

/** 2^k for an integer k in [-1074, 1023]. */
export function pow2(k: number): number {
  return POW2[k + 1074];
}

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
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0 || e === 0x7ff) {
    // zero, subnormal, infinite or NaN: through memory (rare)
    i32[HI] = hi;
    i32[LO] = lo;
    return f64[0];
  }
  // (1 + mantissa / 2^52) * 2^(e - 1023): every step exact for a normal result
  const v = (1 + ((hi & 0xfffff) * 4294967296 + (lo >>> 0)) * TWO_M52) * POW2[e + 51];
  return hi < 0 ? -v : v;
}

/** x with its high word replaced. */
export function withHighWord(x: number, hi: number): number {
  return fromWords(hi, lowWord(x));
}

/** x with its low word replaced (fdlibm's SET_LOW_WORD; 0 keeps the top 21 mantissa bits). */
export function withLowWord(x: number, lo: number): number {
  return fromWords(highWord(x), lo);
}

/** x * 2^n exactly as C's scalbn for the |n| < 2100 fdlibm needs: one rounding when the result is subnormal. */
export function scalbn(x: number, n: number): number {
  if (n > 1023) {
    x *= POW2[1074 + 1023];
    n -= 1023;
    if (n > 1023) {
      x *= POW2[1074 + 1023];
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    x *= POW2[1074 - 1022 + 53];
    n += 1022 - 53;
    if (n < -1022) {
      x *= POW2[1074 - 1022 + 53];
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return x * POW2[n + 1074];
}
