// sin, cos, tan as fdlibm 5.3 computes them (e_rem_pio2.c, k_rem_pio2.c, k_sin.c, k_cos.c, k_tan.c, s_sin.c,
// s_cos.c, s_tan.c), which is what V8 before its glibc switch, Node 20 included, runs for Math.sin/cos/tan.
import { f64, fromWords, HI, highWord, i32, lowWord, scalbn, withLowWord } from "./bits.js";

// 2/pi in 24-bit chunks (396 hex digits), for reducing huge arguments.
const TWO_OVER_PI = [
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
  0x246e3a, 0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c,
  0x7026b4, 0x5f7e41, 0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11,
  0x8b5a0a, 0x6d1f6d, 0x367ecf, 0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7,
  0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08, 0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e,
  0xe61b08, 0x659985, 0x5f14a0, 0x68408d, 0xffd880, 0x4d7327, 0x310606, 0x1556ca, 0x73a8c9, 0x60e27b, 0xc08c6b,
];
// High words of n*pi/2 for n = 1..32: arguments this close to a multiple need the longer pi/2.
const NPIO2_HW = Int32Array.of(
  0x3ff921fb,
  0x400921fb,
  0x4012d97c,
  0x401921fb,
  0x401f6a7a,
  0x4022d97c,
  0x4025fdbb,
  0x402921fb,
  0x402c463a,
  0x402f6a7a,
  0x4031475c,
  0x4032d97c,
  0x40346b9c,
  0x4035fdbb,
  0x40378fdb,
  0x403921fb,
  0x403ab41b,
  0x403c463a,
  0x403dd85a,
  0x403f6a7a,
  0x40407e4c,
  0x4041475c,
  0x4042106c,
  0x4042d97c,
  0x4043a28c,
  0x40446b9c,
  0x404534ac,
  0x4045fdbb,
  0x4046c6cb,
  0x40478fdb,
  0x404858eb,
  0x404921fb,
);
// pi/2 cut into 24-bit pieces.
const PIO2 = [
  1.570796251296997, 7.549789415861596e-8, 5.390302529957765e-15, 3.282003415807913e-22, 1.270655753080676e-29,
  1.2293330898111133e-36, 2.7337005381646456e-44, 2.1674168387780482e-51,
];
const TWO24 = 16777216;
const TWON24 = 1 / TWO24;

// Scratch (single-threaded JS: no reentrancy). yr: an argument in and the result out, or a reduced argument
// yr[0] + yr[1]. A var: reading a module-level const from a function costs a check that it was initialized (2 bytes
// of bytecode), which would put the wrappers below over the size engines always inline.
var yr = new Float64Array(2);
const iq = new Int32Array(20);
const f = new Float64Array(20);
const fq = new Float64Array(20);
const q = new Float64Array(20);
const tx = new Float64Array(3);
const yk = new Float64Array(2);

/**
 * x - N*pi/2 for the x split into 24-bit chunks xs[0..nx) with exponent e0 (Payne-Hanek): writes the remainder
 * as yk[0] + yk[1] and returns N mod 8. fdlibm's __kernel_rem_pio2 at prec = 2 (jk = 4).
 */
function kernelRemPio2(xs: Float64Array, e0: number, nx: number): number {
  const jk = 4;
  const jp = jk;
  const jx = nx - 1;
  let jv = ((e0 - 3) / 24) | 0;
  if (jv < 0) jv = 0;
  let q0 = e0 - 24 * (jv + 1);
  let j = jv - jx;
  const m = jx + jk;
  for (let i = 0; i <= m; i++, j++) f[i] = j < 0 ? 0 : TWO_OVER_PI[j];
  for (let i = 0; i <= jk; i++) {
    let fw = 0;
    for (j = 0; j <= jx; j++) fw += xs[j] * f[jx + i - j];
    q[i] = fw;
  }
  let jz = jk;
  let z: number;
  let n: number;
  let ih: number;
  for (;;) {
    // distill q[] into iq[] reversingly
    z = q[jz];
    for (let i = 0, k = jz; k > 0; i++, k--) {
      const fw = (TWON24 * z) | 0;
      iq[i] = (z - TWO24 * fw) | 0;
      z = q[k - 1] + fw;
    }
    z = scalbn(z, q0);
    z -= 8 * Math.floor(z * 0.125); // drop the integer part >= 8
    n = z | 0;
    z -= n;
    ih = 0;
    if (q0 > 0) {
      // iq[jz-1] holds part of n
      const i = iq[jz - 1] >> (24 - q0);
      n += i;
      iq[jz - 1] -= i << (24 - q0);
      ih = iq[jz - 1] >> (23 - q0);
    } else if (q0 === 0) ih = iq[jz - 1] >> 23;
    else if (z >= 0.5) ih = 2;
    if (ih > 0) {
      // q > 0.5: take 1 - q
      n += 1;
      let carry = 0;
      for (let i = 0; i < jz; i++) {
        const w = iq[i];
        if (carry === 0) {
          if (w !== 0) {
            carry = 1;
            iq[i] = 0x1000000 - w;
          }
        } else iq[i] = 0xffffff - w;
      }
      if (q0 === 1) iq[jz - 1] &= 0x7fffff;
      else if (q0 === 2) iq[jz - 1] &= 0x3fffff;
      if (ih === 2) {
        z = 1 - z;
        if (carry !== 0) z -= scalbn(1, q0);
      }
    }
    if (z !== 0) break;
    let any = 0;
    for (let i = jz - 1; i >= jk; i--) any |= iq[i];
    if (any !== 0) break;
    // cancellation: pull in more terms of 2/pi and recompute
    let k = 1;
    while (jk >= k && iq[jk - k] === 0) k++;
    for (let i = jz + 1; i <= jz + k; i++) {
      f[jx + i] = TWO_OVER_PI[jv + i];
      let fw = 0;
      for (j = 0; j <= jx; j++) fw += xs[j] * f[jx + i - j];
      q[i] = fw;
    }
    jz += k;
  }
  if (z === 0) {
    // chop off zero terms
    jz -= 1;
    q0 -= 24;
    while (iq[jz] === 0) {
      jz--;
      q0 -= 24;
    }
  } else {
    // break z into 24-bit chunks if needed
    z = scalbn(z, -q0);
    if (z >= TWO24) {
      const fw = (TWON24 * z) | 0;
      iq[jz] = (z - TWO24 * fw) | 0;
      jz += 1;
      q0 += 24;
      iq[jz] = fw;
    } else iq[jz] = z | 0;
  }
  let fw = scalbn(1, q0);
  for (let i = jz; i >= 0; i--) {
    q[i] = fw * iq[i];
    fw *= TWON24;
  }
  for (let i = jz; i >= 0; i--) {
    fw = 0;
    for (let k = 0; k <= jp && k <= jz - i; k++) fw += PIO2[k] * q[i + k];
    fq[jz - i] = fw;
  }
  fw = 0;
  for (let i = jz; i >= 0; i--) fw += fq[i];
  yk[0] = ih === 0 ? fw : -fw;
  fw = fq[0] - fw;
  for (let i = 1; i <= jz; i++) fw += fq[i];
  yk[1] = ih === 0 ? fw : -fw;
  return n & 7;
}

/**
 * x = yr[0] - n*pi/2 into yr[0] + yr[1] for |x| > 2^19 pi/2; returns n. The end of fdlibm's __ieee754_rem_pio2
 * (Payne-Hanek; out of line, rarely run).
 */
function remPio2Huge(): number {
  const x = yr[0];
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  // split |x| into three 24-bit chunks: z = scalbn(|x|, -e0) with e0 = ilogb(x) - 23
  const e0 = (ix >> 20) - 1046;
  let z = fromWords(ix - (e0 << 20), lowWord(x));
  for (let i = 0; i < 2; i++) {
    tx[i] = z | 0;
    z = (z - tx[i]) * TWO24;
  }
  tx[2] = z;
  let nx = 3;
  while (tx[nx - 1] === 0) nx--;
  const n = kernelRemPio2(tx, e0, nx);
  if (hx < 0) {
    yr[0] = -yk[0];
    yr[1] = -yk[1];
    return -n | 0; // an int, never -0 (as in C)
  }
  yr[0] = yk[0];
  yr[1] = yk[1];
  return n;
}

const T = [
  0.3333333333333341, 0.13333333333320124, 0.05396825397622605, 0.021869488294859542, 0.0088632398235993,
  0.0035920791075913124, 0.0014562094543252903, 5.880412408202641e-4, 2.464631348184699e-4, 7.817944429395571e-5,
  7.140724913826082e-5, -1.8558637485527546e-5, 2.590730518636337e-5,
];
const PIO4 = 0.7853981633974483;
const PIO4LO = 3.061616997868383e-17;

/** yr[0] = tan(x + y) (k = 1) or -1/tan(x + y) (k = -1) for x = yr[0], |x| <= ~pi/4, y = yr[1] (fdlibm's __kernel_tan). */
function kernelTan(k: number): void {
  let x = yr[0];
  let y = yr[1];
  const big = Math.abs(x) >= 0.6743354797363281; // high word >= 0x3fe59428
  const negative = x < 0;
  if (Math.abs(x) < 3.725290298461914e-9) {
    // |x| < 2^-28
    if (x === 0 && k === -1) yr[0] = 1 / Math.abs(x);
    else if (k === -1) {
      // -1/(x+y) carefully
      const w = x + y;
      const z = withLowWord(w, 0);
      const v = y - (z - x);
      const a = -1 / w;
      const t = withLowWord(a, 0);
      const s = 1 + t * z;
      yr[0] = t + a * (s + t * v);
    }
    return;
  }
  if (big) {
    // |x| >= 0.6744: tan(pi/4 - y')
    if (negative) {
      x = -x;
      y = -y;
    }
    x = PIO4 - x + (PIO4LO - y);
    y = 0;
  }
  const z = x * x;
  let w = z * z;
  // x^5 (T1 + x^4 T3 + ...) + x^5 (x^2 (T2 + x^4 T4 + ...))
  let r = T[1] + w * (T[3] + w * (T[5] + w * (T[7] + w * (T[9] + w * T[11]))));
  let v = z * (T[2] + w * (T[4] + w * (T[6] + w * (T[8] + w * (T[10] + w * T[12])))));
  const s = z * x;
  r = y + z * (s * (r + v) + y);
  r += T[0] * s;
  w = x + r;
  if (big) {
    v = k;
    yr[0] = (negative ? -1 : 1) * (v - 2 * (x - ((w * w) / (w + v) - r)));
  } else if (k === 1) yr[0] = w;
  else {
    // -1/(x+r) accurately
    const zz = withLowWord(w, 0);
    v = r - (zz - x);
    const a = -1 / w;
    const t = withLowWord(a, 0);
    const ss = 1 + t * zz;
    yr[0] = t + a * (ss + t * v);
  }
}

// sin, cos and tan: the kernel on |x| < pi/4, else reduce to y = x - n pi/2 (|y| <= pi/4) and use
//   n mod 4:   0     1     2     3
//   sin(x)     S(y)  C(y)  -S(y) -C(y)
//   cos(x)     C(y)  -S(y) -C(y) S(y)
//   tan(x)     T(y)  -1/T  T(y)  -1/T
// The exported functions only pass x and the result through yr[0] around trigAt, a call with no arguments. That
// keeps them at most 27 bytes of bytecode, which TurboFan inlines into any caller whatever its inlining budget, and
// trigAt is over the 460 bytes it ever inlines, so the wrappers' own optimized code stays that small too (an inlined
// callee would count): a double argument or result of a call that is not inlined is boxed on the heap, and env steps
// allocate nothing (test/envs/vector/allocation.test.ts).

/** sin(x), the same bits on every engine (fdlibm). */
export function sin(x: number): number {
  const io = yr;
  io[0] = x;
  trigAt(0);
  return io[0];
}

/** cos(x), the same bits on every engine (fdlibm). */
export function cos(x: number): number {
  const io = yr;
  io[0] = x;
  trigAt(1);
  return io[0];
}

/**
 * sin(x) and cos(x) from one argument reduction, left in `sincosOut` ([0] sin, [1] cos): the same bits as sin(x) and
 * cos(x), for about the cost of one. The next call of sin, cos, tan or sincos overwrites them: read them at once.
 */
export function sincos(x: number): void {
  yr[0] = x;
  trigAt(3);
}

/** Where sincos leaves sin(x) and cos(x). */
export const sincosOut: { readonly [i: number]: number } = yr;

/** tan(x), the same bits on every engine (fdlibm). */
export function tan(x: number): number {
  const io = yr;
  io[0] = x;
  trigAt(2);
  return io[0];
}

/**
 * yr[0] = sin, cos or tan (kind 0, 1, 2) of yr[0], or yr[0], yr[1] = its sin, cos (kind 3). fdlibm's
 * __ieee754_rem_pio2 for |x| < 2^19 pi/2 (x - c for x + (-c), and the sign of x taken out as it does: the same
 * operations), then __kernel_sin and/or __kernel_cos, all inline (a kernel that was a call might not be inlined,
 * and a call boxes its double arguments and result).
 */
function trigAt(kind: number): void {
  // constants local, so the compiled code holds them (a module-level one is loaded from the module's context)
  const INVPIO2 = 0.6366197723675814; // 53 bits of 2/pi
  const PIO2_1 = 1.5707963267341256; // first 33 bits of pi/2
  const PIO2_1T = 6.077100506506192e-11; // pi/2 - PIO2_1
  const PIO2_2 = 6.077100506303966e-11; // second 33 bits
  const PIO2_2T = 2.0222662487959506e-21;
  const PIO2_3 = 2.0222662487111665e-21; // third 33 bits
  const PIO2_3T = 8.4784276603689e-32;
  // fdlibm compares high words; these are the same tests on |x| (a high word below 0xHHHHHHHH is |x| below the
  // double with that high word and a zero low word), which skip the bit access on the hot paths
  const PIO4_UP = 0.7853984832763672; // high word 0x3fe921fc
  const THREE_PIO4 = 2.3561935424804688; // 0x4002d97c
  const PIO2_LOW = 1.570796012878418; // 0x3ff921fb
  const PIO2_UP = 1.5707969665527344; // 0x3ff921fc
  const MEDIUM = 1647100; // 0x413921fc, 2^19 pi/2
  const TWO_M27 = 7.450580596923828e-9;
  const TWO_M24 = 1 / 16777216;
  const TWO_M23 = 1 / 8388608;
  const x = yr[0];
  const ax = Math.abs(x);
  // x = n pi/2 + y + tail
  let n = 0;
  let y = x;
  let tail = 0;
  if (ax < PIO4_UP) {
    // no reduction
  } else if (!(ax < Number.POSITIVE_INFINITY)) {
    yr[0] = x - x; // NaN or +-Infinity: NaN (for sincos in both)
    yr[1] = x - x;
    return;
  } else if (ax < THREE_PIO4) {
    // |x| < 3pi/4: n = +-1
    n = x > 0 ? 1 : -1;
    let z = x - n * PIO2_1;
    let t = n * PIO2_1T;
    if (ax >= PIO2_LOW && ax < PIO2_UP) {
      // the high word of pi/2: 33 + 53 bits of pi/2 are not enough
      z -= n * PIO2_2;
      t = n * PIO2_2T;
    }
    y = z - t;
    tail = z - y - t;
  } else if (ax < MEDIUM) {
    // |x| <= 2^19 * pi/2: Cody-Waite on |x| with up to three pieces of pi/2
    n = (ax * INVPIO2 + 0.5) | 0;
    let r = ax - n * PIO2_1;
    let w = n * PIO2_1T; // good to 85 bits
    y = r - w;
    // high words read inline, not through highWord(): engines leave a call in a branch that runs rarely (as this
    // one may, for a caller's arguments) out of line, and a call boxes its double argument on the heap
    f64[0] = ax;
    const ix = i32[HI];
    if (n >= 32 || ix === NPIO2_HW[n - 1]) {
      // near a multiple of pi/2: more bits where the subtraction cancelled many
      const j = ix >> 20;
      f64[0] = y;
      if (j - ((i32[HI] >> 20) & 0x7ff) > 16) {
        // second iteration, good to 118 bits
        let t = r;
        w = n * PIO2_2;
        r = t - w;
        w = n * PIO2_2T - (t - r - w);
        y = r - w;
        f64[0] = y;
        if (j - ((i32[HI] >> 20) & 0x7ff) > 49) {
          // third iteration, 151 bits
          t = r;
          w = n * PIO2_3;
          r = t - w;
          w = n * PIO2_3T - (t - r - w);
          y = r - w;
        }
      }
    }
    tail = r - y - w;
    if (x < 0) {
      y = -y;
      tail = -tail;
      n = -n;
    }
  } else {
    n = remPio2Huge();
    y = yr[0];
    tail = yr[1];
  }
  if (kind === 2) {
    yr[0] = y;
    yr[1] = tail;
    kernelTan(1 - ((n & 1) << 1));
    return;
  }
  // cos(x) = sin(x + pi/2): kind 1 shifts n by one; kind 3 gives sin (first) and cos
  const both = kind === 3;
  const m = both ? n : n + kind;
  const sinFirst = (m & 1) === 0; // the first result from __kernel_sin, else from __kernel_cos
  const ay = Math.abs(y);
  const z = y * y;
  let s = 0;
  let c = 0;
  if (both || sinFirst) {
    // __kernel_sin(y, tail, iy), iy = 0 when not reduced (tail = 0)
    const S1 = -0.16666666666666632;
    const S2 = 0.00833333333332249;
    const S3 = -1.984126982985795e-4;
    const S4 = 2.7557313707070068e-6;
    const S5 = -2.5050760253406863e-8;
    const S6 = 1.58969099521155e-10;
    if (ay < TWO_M27) s = y;
    else {
      const v = z * y;
      const p = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
      if (ax < PIO4_UP) s = y + v * (S1 + z * p);
      else s = y - (z * (0.5 * tail - v * p) - tail - v * S1);
    }
  }
  if (both || !sinFirst) {
    // __kernel_cos(y, tail)
    const C1 = 4.16666666666666e-2;
    const C2 = -0.001388888888887411;
    const C3 = 2.480158728947673e-5;
    const C4 = -2.7557314351390663e-7;
    const C5 = 2.087572321298175e-9;
    const C6 = -1.1359647557788195e-11;
    if (ay < TWO_M27) c = 1;
    else {
      const p = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
      if (ay < 0.2999999523162842)
        c = 1 - (0.5 * z - (z * p - y * tail)); // high word < 0x3fd33333
      else {
        // qx: |y|/4 cut to its high word (20 bits after the point: exact), or 0.28125 above 0.78125
        let qx = 0.28125;
        if (ay < 0.5)
          qx = Math.floor(ay * 4194304) * TWO_M24; // 2^22: ay in [1/4, 1/2)
        else if (ay < 0.7812504768371582) qx = Math.floor(ay * 2097152) * TWO_M23; // 2^21: ay in [1/2, 1)
        c = 1 - qx - (0.5 * z - qx - (z * p - y * tail));
      }
    }
  }
  const first = sinFirst ? s : c;
  yr[0] = (m & 2) === 0 ? first : -first;
  if (both) {
    const second = sinFirst ? c : s; // cos(x) with n + 1
    yr[1] = ((m + 1) & 2) === 0 ? second : -second;
  }
}
