import { InvalidArgumentError } from "../errors.js";
import { cos, log } from "./math/index.js";

/** The full state of an {@link Rng}: four 32-bit words. Saving and restoring it reproduces the stream exactly. */
export interface RngState {
  readonly algorithm: "xoshiro128**";
  readonly s: readonly [number, number, number, number];
}

const TWO_POW_NEG_32 = 2 ** -32;
const TWO_POW_32 = 2 ** 32;

/** splitmix32: spreads a seed over 32 bits so nearby seeds give unrelated xoshiro states. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seedable pseudo-random generator: xoshiro128** (Blackman and Vigna), 32-bit output, period 2^128 - 1.
 * Every random draw in tsrl flows from an instance of this class; `Math.random` is never used.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The last 32-bit output (see advance). */
  private out = Number.NaN;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Reset the stream from an integer seed (any safe integer, negative included). */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`Rng seed must be a safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    let x = splitmix32(lo ^ splitmix32(hi));
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    this.advance();
    return this.out;
  }

  /**
   * Step the state, leaving the output in `out`. The draws below read it from there: a 32-bit integer returned by a
   * call is boxed on the heap when the engine does not inline the call (its inlining budget spent elsewhere).
   */
  private advance(): void {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = rotl(n3, 11);
    this.out = result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    this.advance();
    const hi = this.out >>> 5; // 27 bits
    this.advance();
    const lo = this.out >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Fast uniform in [0, 1) with 32 random bits: enough for sampling actions. */
  uniform32(): number {
    this.advance();
    return this.out * TWO_POW_NEG_32;
  }

  /** Standard normal draw (Box-Muller; one normal per two uniforms, so the state stays four words). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return mean + std * Math.sqrt(-2 * log(u1)) * cos(2 * Math.PI * u2);
  }

  /** Exponential draw with rate 1. */
  exponential(): number {
    return -log(1 - this.uniform());
  }

  /** Uniform integer in [0, n), unbiased (Lemire's nearly-divisionless rejection on 32 bits). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new InvalidArgumentError(`Rng.int(n) needs an integer n in [1, 2^32], got ${n}`);
    }
    return this.intUnchecked(n);
  }

  /** int(n) for an integer n in [1, 2^32] the caller guarantees. */
  private intUnchecked(n: number): number {
    if (n === 1) return 0;
    // rejection above the largest multiple of n below 2^32 keeps every residue equally likely. x - n floor(x / n)
    // is x % n exactly here (x, n <= 2^32 leave floor(x / n) exact) and, unlike % past int32, needs no fmod call.
    const limit = n * Math.floor(TWO_POW_32 / n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x - n * Math.floor(x / n);
    }
  }

  /** Uniform integer in [low, high). */
  integers(low: number, high: number): number {
    return low + this.int(high - low);
  }

  /** Shuffle an array or typed array in place (Fisher-Yates) and return it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.intUnchecked(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /** A random permutation of 0..n-1, written into `out` when given (no allocation in hot loops). */
  permutation(n: number, out: Int32Array = new Int32Array(n)): Int32Array {
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out.length === n ? out : out.subarray(0, n));
  }

  /**
   * Index drawn with probability proportional to `weights[offset + i]`, i in [0, n).
   * Weights must be non-negative with a positive sum.
   */
  categorical(weights: ArrayLike<number>, offset = 0, n = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[offset + i];
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new InvalidArgumentError(
        `Rng.categorical needs non-negative weights with a finite positive sum, got sum ${total}`,
      );
    }
    let u = this.uniform() * total;
    for (let i = 0; i < n - 1; i++) {
      u -= weights[offset + i];
      if (u < 0) return i;
    }
    return n - 1;
  }

  /** A new generator seeded from this one's stream: for giving sub-components their own independent stream. */
  spawn(): Rng {
    const child = new Rng(0);
    child.setState({
      algorithm: "xoshiro128**",
      s: [this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32() | 1],
    });
    return child;
  }

  /** A copy of the state: restore it with {@link setState} to replay the same draws. */
  getState(): RngState {
    return { algorithm: "xoshiro128**", s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  setState(state: RngState): void {
    const s = state?.s;
    if (
      state?.algorithm !== "xoshiro128**" ||
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) ||
      s.every((w) => w === 0)
    ) {
      throw new InvalidArgumentError(
        `Rng.setState expects { algorithm: "xoshiro128**", s: four uint32 words, not all zero }, got ${JSON.stringify(state)}`,
      );
    }
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
