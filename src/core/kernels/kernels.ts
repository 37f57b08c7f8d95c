import type { Arena } from "../arena.js";

/**
 * How an operand of a binary elementwise kernel is laid out against the output [rows, cols] (row-major):
 * Full: rows*cols values; Row: a row vector of `cols` values repeated on every row (bias-like);
 * Col: `rows` values, one per row, repeated along the row; Scalar: one value.
 */
export const Broadcast = { Full: 0, Row: 1, Col: 2, Scalar: 3 } as const;
export type Broadcast = (typeof Broadcast)[keyof typeof Broadcast];

/** out[r,c] (+)= a[..] op b[..] with each operand laid out as its {@link Broadcast} mode says. */
export type BinaryKernel = (
  a: number,
  aMode: Broadcast,
  b: number,
  bMode: Broadcast,
  out: number,
  rows: number,
  cols: number,
  accumulate: boolean,
) => void;

/** The activation a dense-layer kernel applies (or differentiates) in the same pass as its matmul. */
export type LayerActivation = "none" | "tanh" | "relu";

/** out[i] = f(x[i]) for i < n; out may equal x. */
export type UnaryKernel = (x: number, out: number, n: number) => void;

/**
 * The numeric kernels behind every tensor op. Every argument named like a buffer (`a`, `x`, `out`, `grad`...) is an
 * ELEMENT offset into `arena.view`; sizes are element counts; matrices are row-major. Unless a kernel says otherwise
 * an output may be the same buffer as an input of the same layout, but must not partially overlap one.
 * Kernels do not validate shapes (the tensor layer does), except index arguments, which would reach outside the
 * arena (InvalidArgumentError).
 *
 * "accumulate" kernels add into their output (gradient accumulation) instead of overwriting it.
 */
export interface Kernels {
  /** "wasm-simd", "wasm-relaxed" (f32x4.relaxed_madd FMA) or "ts" (reference, also float64). */
  readonly name: "wasm-simd" | "wasm-relaxed" | "ts";
  readonly arena: Arena;

  // ---- linear algebra ----
  /**
   * C[m,n] (+)= op(A)[m,k] · op(B)[k,n], op(X) = X^T when its flag is set (so A is stored [k,m] when transA,
   * B is stored [n,k] when transB). C must not overlap A or B.
   *
   * `packedB` (default -1: none), where `packsB` holds: a buffer of k*n for B^T, kept between calls. With
   * `packedFresh` it holds B^T of the current B and the product multiplies by it as stored; otherwise the product
   * packs B^T there (instead of into scratch) for later calls. The result is the same bit for bit either way.
   */
  matmul(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
    packedB?: number,
    packedFresh?: boolean,
  ): void;
  /**
   * Dense layer forward in one pass: out[m,n] = act(x[m,k] · W^T + b), W stored [n,k] (PyTorch's layout), b [n].
   * The same arithmetic as matmul, add (Row) and the activation kernel in turn, up to float rounding order.
   * out must not overlap x, W or b. `packedW`, `packedFresh`: a kept W^T, as matmul's `packedB`.
   */
  linear(
    x: number,
    w: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    act: LayerActivation,
    packedW?: number,
    packedFresh?: boolean,
  ): void;
  /**
   * Whether `matmul` with these sizes and flags (and `linear`: transB, not transA) multiplies by B^T packed from B,
   * which it builds on every call unless given a fresh `packedB`. The TS kernels never pack.
   */
  packsB(m: number, n: number, transA: boolean, transB: boolean): boolean;
  /**
   * Dense layer backward to the layer below, in one pass: gx[m,k] = (gy[m,n] · W[n,k]) * act'(y), where y [m,k]
   * is the lower layer's activation OUTPUT (tanh: 1 - y^2; relu: y > 0; "none": 1). gx may equal y; it must not
   * overlap gy or W.
   */
  linearInputGrad(
    gy: number,
    w: number,
    y: number,
    gx: number,
    m: number,
    n: number,
    k: number,
    act: LayerActivation,
  ): void;

  // ---- fill / copy / scalar arithmetic ----
  fill(out: number, value: number, n: number): void;
  copy(src: number, out: number, n: number): void;
  /** out = s * x */
  scale(x: number, s: number, out: number, n: number): void;
  /** out = x + s */
  addScalar(x: number, s: number, out: number, n: number): void;
  /** y += alpha * x */
  axpy(alpha: number, x: number, y: number, n: number): void;
  /** Expand a broadcast operand to a full [rows, cols] matrix: out = src laid out by `mode`. */
  broadcast(src: number, mode: Broadcast, out: number, rows: number, cols: number): void;

  // ---- elementwise binary (with broadcasting) ----
  add: BinaryKernel;
  sub: BinaryKernel;
  mul: BinaryKernel;
  div: BinaryKernel;
  minimum: BinaryKernel;
  maximum: BinaryKernel;
  /** out = mask[i] ? a : b (mask: one byte per output element, nonzero = true). */
  where(
    mask: Uint8Array,
    a: number,
    aMode: Broadcast,
    b: number,
    bMode: Broadcast,
    out: number,
    rows: number,
    cols: number,
  ): void;

  // ---- elementwise unary ----
  neg: UnaryKernel;
  exp: UnaryKernel;
  log: UnaryKernel;
  sqrt: UnaryKernel;
  square: UnaryKernel;
  tanh: UnaryKernel;
  relu: UnaryKernel;
  /** out = min(max(x, lo), hi) */
  clamp(x: number, lo: number, hi: number, out: number, n: number): void;

  // ---- backward helpers (gx (+)= ...) ----
  /** gx (+)= gy * (1 - y^2), y = tanh(x) (the forward OUTPUT). */
  tanhBackward(y: number, gy: number, gx: number, n: number, accumulate: boolean): void;
  /** gx (+)= x > 0 ? gy : 0; `x` may be relu's input or its output (same sign test). */
  reluBackward(x: number, gy: number, gx: number, n: number, accumulate: boolean): void;
  /** gx (+)= lo <= x <= hi ? gy : 0 (PyTorch's clamp gradient: boundaries pass). */
  clampBackward(x: number, lo: number, hi: number, gy: number, gx: number, n: number, accumulate: boolean): void;
  /**
   * Gradient of out = minimum(a, b) (or maximum when `isMax`) for full, same-shape a and b: ga = gy where a wins,
   * gb = gy where b wins, each gets gy/2 on ties (PyTorch). ga and gb are OVERWRITTEN (accumulate them yourself).
   */
  minMaxBackward(a: number, b: number, gy: number, ga: number, gb: number, n: number, isMax: boolean): void;
  /** gx (+)= mask[i] ? gy : 0 (or `!mask[i]` when `negate`), the gradient of one branch of `where`. */
  maskedGrad(mask: Uint8Array, negate: boolean, gy: number, gx: number, n: number, accumulate: boolean): void;

  // ---- reductions ----
  /** out[0] (+)= sum of x[0..n) */
  sumAll(x: number, out: number, n: number, accumulate: boolean): void;
  /** out[r] (+)= sum_c x[r,c] */
  sumRows(x: number, out: number, rows: number, cols: number, accumulate: boolean): void;
  /** out[c] (+)= sum_r x[r,c] (also the gradient of a bias / Row-broadcast operand) */
  sumCols(x: number, out: number, rows: number, cols: number, accumulate: boolean): void;
  /** out[r] = max_c x[r,c] */
  maxRows(x: number, out: number, rows: number, cols: number): void;
  /** out[r] = first c with x[r,c] maximal (greedy actions). */
  argmaxRows(x: number, out: Int32Array, rows: number, cols: number): void;
  /** sum of x[i]^2, returned (grad norm) */
  sumSquares(x: number, n: number): number;
  /** sum of x[i]*y[i], returned (conjugate gradient) */
  dot(x: number, y: number, n: number): number;

  // ---- softmax family ----
  /** out[r,:] = x[r,:] - logsumexp(x[r,:]) (max-shifted). out may equal x. */
  logSoftmax(x: number, out: number, rows: number, cols: number): void;
  /** gx[r,c] (+)= gy[r,c] - exp(y[r,c]) * sum_c gy[r,c], y the forward OUTPUT. gx must not overlap gy or y. */
  logSoftmaxBackward(y: number, gy: number, gx: number, rows: number, cols: number, accumulate: boolean): void;

  // ---- indexing ----
  /** out[r] = x[r, index[r]]; every index must be in [0, cols) (InvalidArgumentError otherwise). */
  gather(x: number, index: Int32Array, out: number, rows: number, cols: number): void;
  /** gx[r, index[r]] += g[r] (gather's backward; always accumulates). */
  scatterAddRows(g: number, index: Int32Array, gx: number, rows: number, cols: number): void;

  // ---- fused optimizer steps (PyTorch semantics; `grad` is read, never written) ----
  /**
   * Adam (PyTorch, L2 weight decay added to the gradient): g = grad + wd*p; m = b1 m + (1-b1) g;
   * v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). `step` is t >= 1.
   */
  adamStep(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void;
  /**
   * RMSprop: g = grad + wd*p; sq = alpha sq + (1-alpha) g^2; if centered: ga = alpha ga + (1-alpha) g, s = sq - ga^2
   * else s = sq; denom = sqrt(s) + eps (PyTorch) or sqrt(s + eps) (epsInsideSqrt: TF / SB3's RMSpropTFLike, whose
   * `sq` starts at ONE, which the caller initialises); momentum > 0: buf = momentum buf + g/denom, p -= lr buf;
   * else p -= lr g/denom. `buf` / `gradAvg` are 0 when unused.
   */
  rmspropStep(
    param: number,
    grad: number,
    sq: number,
    buf: number,
    gradAvg: number,
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    centered: boolean,
    epsInsideSqrt: boolean,
  ): void;
  /**
   * SGD (PyTorch): g = grad + wd*p; with momentum: buf = g on the first step else buf = momentum buf + (1-dampening) g,
   * g = nesterov ? g + momentum buf : buf; p -= lr g. `buf` is 0 when momentum is 0.
   */
  sgdStep(
    param: number,
    grad: number,
    buf: number,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    weightDecay: number,
    firstStep: boolean,
  ): void;
}
