import type { Arena } from "../arena.js";
import { pow } from "../math/index.js";
import type { BinaryKernel, Broadcast, Kernels, LayerActivation, UnaryKernel } from "./kernels.js";
import { checkAdamStep, checkMask, checkRowIndex } from "./reference.js";

/**
 * Epilogue codes of assembly/kernels.ts's matmul: relu (tanh runs as a pass after it), or the product with an
 * activation's gradient.
 */
export const Epilogue = { none: 0, tanh: 0, relu: 2 } as const satisfies Record<LayerActivation, number>;
export const EpilogueGrad = { none: 0, tanh: 3, relu: 4 } as const satisfies Record<LayerActivation, number>;

/** The exports of assembly/kernels.ts: byte addresses, booleans as 0/1. */
export interface WasmExports {
  heapBase(): number;
  matmulPacksB(m: number, n: number, transA: number, transB: number): number;
  packB(b: number, scratch: number, n: number, k: number): void;
  matmulRows(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    acc: number,
    scratch: number,
    bias: number,
    epilogue: number,
    aux: number,
    i0: number,
    i1: number,
  ): void;
  matmulCols(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    acc: number,
    scratch: number,
    bias: number,
    epilogue: number,
    aux: number,
    j0: number,
    j1: number,
  ): void;
  matmul(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    acc: number,
    scratch: number,
    bias: number,
    epilogue: number,
    aux: number,
  ): void;
  fill(out: number, value: number, n: number): void;
  copy(src: number, out: number, n: number): void;
  scale(x: number, s: number, out: number, n: number): void;
  addScalar(x: number, s: number, out: number, n: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  broadcast(src: number, mode: number, out: number, rows: number, cols: number): void;
  add: WasmBinary;
  sub: WasmBinary;
  mul: WasmBinary;
  div: WasmBinary;
  minimum: WasmBinary;
  maximum: WasmBinary;
  where(
    mask: number,
    a: number,
    aMode: number,
    b: number,
    bMode: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  neg: WasmUnary;
  exp: WasmUnary;
  log: WasmUnary;
  sqrt: WasmUnary;
  square: WasmUnary;
  tanh: WasmUnary;
  relu: WasmUnary;
  clamp(x: number, lo: number, hi: number, out: number, n: number): void;
  tanhBackward(y: number, gy: number, gx: number, n: number, acc: number): void;
  reluBackward(x: number, gy: number, gx: number, n: number, acc: number): void;
  clampBackward(x: number, lo: number, hi: number, gy: number, gx: number, n: number, acc: number): void;
  minMaxBackward(a: number, b: number, gy: number, ga: number, gb: number, n: number, isMax: number): void;
  maskedGrad(mask: number, negate: number, gy: number, gx: number, n: number, acc: number): void;
  sumAll(x: number, out: number, n: number, acc: number): void;
  sumRows(x: number, out: number, rows: number, cols: number, acc: number): void;
  sumCols(x: number, out: number, rows: number, cols: number, acc: number): void;
  maxRows(x: number, out: number, rows: number, cols: number): void;
  argmaxRows(x: number, out: number, rows: number, cols: number): void;
  sumSquares(x: number, n: number): number;
  dot(x: number, y: number, n: number): number;
  logSoftmax(x: number, out: number, rows: number, cols: number): void;
  logSoftmaxBackward(y: number, gy: number, gx: number, rows: number, cols: number, acc: number): void;
  gather(x: number, index: number, out: number, rows: number, cols: number): void;
  scatterAddRows(g: number, index: number, gx: number, rows: number, cols: number): void;
  adamStep(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    stepSize: number,
    invBc2Sqrt: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    eps: number,
    weightDecay: number,
  ): void;
  rmspropStep(
    param: number,
    grad: number,
    sq: number,
    buf: number,
    gradAvg: number,
    n: number,
    lr: number,
    alpha: number,
    oneMinusAlpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    centered: number,
    epsInsideSqrt: number,
  ): void;
  sgdStep(
    param: number,
    grad: number,
    buf: number,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    nesterov: number,
    weightDecay: number,
    firstStep: number,
  ): void;
}

type WasmBinary = (
  a: number,
  aMode: number,
  b: number,
  bMode: number,
  out: number,
  rows: number,
  cols: number,
  acc: number,
) => void;
type WasmUnary = (x: number, out: number, n: number) => void;

/** Float32 element offset -> byte address. */
const B = 4;

function wrapBinary(f: WasmBinary): BinaryKernel {
  return (a, aMode, b, bMode, out, rows, cols, accumulate) =>
    f(a * B, aMode, b * B, bMode, out * B, rows, cols, accumulate ? 1 : 0);
}

function wrapUnary(f: WasmUnary): UnaryKernel {
  return (x, out, n) => f(x * B, out * B, n);
}

/**
 * The WebAssembly SIMD kernels (float32 arenas only), one instance per arena, bound to the arena's memory.
 * Index and mask arguments given as JS arrays are copied into a temporary arena block for the call.
 */
export class WasmKernels implements Kernels {
  readonly add: BinaryKernel;
  readonly sub: BinaryKernel;
  readonly mul: BinaryKernel;
  readonly div: BinaryKernel;
  readonly minimum: BinaryKernel;
  readonly maximum: BinaryKernel;
  readonly neg: UnaryKernel;
  readonly exp: UnaryKernel;
  readonly log: UnaryKernel;
  readonly sqrt: UnaryKernel;
  readonly square: UnaryKernel;
  readonly tanh: UnaryKernel;
  readonly relu: UnaryKernel;
  protected readonly w: WasmExports;

  constructor(
    readonly arena: Arena,
    module: WebAssembly.Module,
    readonly name: "wasm-simd" | "wasm-relaxed",
  ) {
    if (arena.memory === null) throw new TypeError("WasmKernels need a float32 arena (a WebAssembly.Memory)");
    const instance = new WebAssembly.Instance(module, { env: { memory: arena.memory } });
    const w = instance.exports as unknown as WasmExports;
    if (w.heapBase() > arena.reservedBytes) {
      throw new RangeError(`wasm kernels' static data ends at byte ${w.heapBase()}, past the arena's reserved head`);
    }
    this.w = w;
    this.add = wrapBinary(w.add);
    this.sub = wrapBinary(w.sub);
    this.mul = wrapBinary(w.mul);
    this.div = wrapBinary(w.div);
    this.minimum = wrapBinary(w.minimum);
    this.maximum = wrapBinary(w.maximum);
    this.neg = wrapUnary(w.neg);
    this.exp = wrapUnary(w.exp);
    this.log = wrapUnary(w.log);
    this.sqrt = wrapUnary(w.sqrt);
    this.square = wrapUnary(w.square);
    this.tanh = wrapUnary(w.tanh);
    this.relu = wrapUnary(w.relu);
  }

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
    packedB = -1,
    packedFresh = false,
  ): void {
    this.product(a, b, c, m, k, n, transA, transB, accumulate, packedB, packedFresh, 0, 0);
  }

  linear(
    x: number,
    w: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    act: LayerActivation,
    packedW = -1,
    packedFresh = false,
  ): void {
    this.product(x, w, out, m, k, n, false, true, false, packedW, packedFresh, b * B, Epilogue[act]);
    // tanh as a separate pass: see the epilogue notes in assembly/kernels.ts
    if (act === "tanh") this.w.tanh(out * B, out * B, m * n);
  }

  packsB(m: number, n: number, transA: boolean, transB: boolean): boolean {
    return this.w.matmulPacksB(m, n, transA ? 1 : 0, transB ? 1 : 0) !== 0;
  }

  /** matmul with a bias and epilogue, packing B^T (where it does) into `packedB` if given, else into scratch. */
  private product(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
    packedB: number,
    packedFresh: boolean,
    biasByte: number,
    epilogue: number,
  ): void {
    const acc = accumulate ? 1 : 0;
    const tA = transA ? 1 : 0;
    if (packedB >= 0 && transB && this.packsB(m, n, transA, transB)) {
      // fresh: op(A) times B^T stored [k,n] as it is, the packed path's arithmetic without its packing step
      if (packedFresh) this.w.matmul(a * B, packedB * B, c * B, m, k, n, tA, 0, acc, 0, biasByte, epilogue, 0);
      else this.w.matmul(a * B, b * B, c * B, m, k, n, tA, 1, acc, packedB * B, biasByte, epilogue, 0);
      return;
    }
    const arena = this.arena;
    const mark = arena.mark();
    // room to pack B^T; the kernel skips packing when it multiplies by dot products instead
    const scratch = transB ? arena.alloc(k * n) : 0;
    this.w.matmul(a * B, b * B, c * B, m, k, n, tA, transB ? 1 : 0, acc, scratch * B, biasByte, epilogue, 0);
    arena.release(mark);
  }

  linearInputGrad(
    gy: number,
    w: number,
    y: number,
    gx: number,
    m: number,
    n: number,
    k: number,
    act: LayerActivation,
  ): void {
    this.w.matmul(gy * B, w * B, gx * B, m, n, k, 0, 0, 0, 0, 0, EpilogueGrad[act], y * B);
  }

  fill(out: number, value: number, n: number): void {
    this.w.fill(out * B, value, n);
  }

  copy(src: number, out: number, n: number): void {
    this.w.copy(src * B, out * B, n);
  }

  scale(x: number, s: number, out: number, n: number): void {
    this.w.scale(x * B, s, out * B, n);
  }

  addScalar(x: number, s: number, out: number, n: number): void {
    this.w.addScalar(x * B, s, out * B, n);
  }

  axpy(alpha: number, x: number, y: number, n: number): void {
    this.w.axpy(alpha, x * B, y * B, n);
  }

  broadcast(src: number, mode: Broadcast, out: number, rows: number, cols: number): void {
    this.w.broadcast(src * B, mode, out * B, rows, cols);
  }

  where(
    mask: Uint8Array,
    a: number,
    aMode: Broadcast,
    b: number,
    bMode: Broadcast,
    out: number,
    rows: number,
    cols: number,
  ): void {
    checkMask(mask, rows * cols, "where");
    const mark = this.arena.mark();
    const m = this.copyBytes(mask, rows * cols);
    this.w.where(m, a * B, aMode, b * B, bMode, out * B, rows, cols);
    this.arena.release(mark);
  }

  clamp(x: number, lo: number, hi: number, out: number, n: number): void {
    this.w.clamp(x * B, lo, hi, out * B, n);
  }

  tanhBackward(y: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    this.w.tanhBackward(y * B, gy * B, gx * B, n, accumulate ? 1 : 0);
  }

  reluBackward(x: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    this.w.reluBackward(x * B, gy * B, gx * B, n, accumulate ? 1 : 0);
  }

  clampBackward(x: number, lo: number, hi: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    this.w.clampBackward(x * B, lo, hi, gy * B, gx * B, n, accumulate ? 1 : 0);
  }

  minMaxBackward(a: number, b: number, gy: number, ga: number, gb: number, n: number, isMax: boolean): void {
    this.w.minMaxBackward(a * B, b * B, gy * B, ga * B, gb * B, n, isMax ? 1 : 0);
  }

  maskedGrad(mask: Uint8Array, negate: boolean, gy: number, gx: number, n: number, accumulate: boolean): void {
    checkMask(mask, n, "maskedGrad");
    const mark = this.arena.mark();
    const m = this.copyBytes(mask, n);
    this.w.maskedGrad(m, negate ? 1 : 0, gy * B, gx * B, n, accumulate ? 1 : 0);
    this.arena.release(mark);
  }

  sumAll(x: number, out: number, n: number, accumulate: boolean): void {
    this.w.sumAll(x * B, out * B, n, accumulate ? 1 : 0);
  }

  sumRows(x: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    this.w.sumRows(x * B, out * B, rows, cols, accumulate ? 1 : 0);
  }

  sumCols(x: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    this.w.sumCols(x * B, out * B, rows, cols, accumulate ? 1 : 0);
  }

  maxRows(x: number, out: number, rows: number, cols: number): void {
    this.w.maxRows(x * B, out * B, rows, cols);
  }

  argmaxRows(x: number, out: Int32Array, rows: number, cols: number): void {
    const arena = this.arena;
    const mark = arena.mark();
    const tmp = arena.alloc(rows);
    this.w.argmaxRows(x * B, tmp * B, rows, cols);
    out.set(arena.int32View(tmp, rows));
    arena.release(mark);
  }

  sumSquares(x: number, n: number): number {
    return this.w.sumSquares(x * B, n);
  }

  dot(x: number, y: number, n: number): number {
    return this.w.dot(x * B, y * B, n);
  }

  logSoftmax(x: number, out: number, rows: number, cols: number): void {
    this.w.logSoftmax(x * B, out * B, rows, cols);
  }

  logSoftmaxBackward(y: number, gy: number, gx: number, rows: number, cols: number, accumulate: boolean): void {
    this.w.logSoftmaxBackward(y * B, gy * B, gx * B, rows, cols, accumulate ? 1 : 0);
  }

  gather(x: number, index: Int32Array, out: number, rows: number, cols: number): void {
    checkRowIndex(index, rows, cols, "gather");
    const mark = this.arena.mark();
    const idx = this.copyIndex(index, rows);
    this.w.gather(x * B, idx, out * B, rows, cols);
    this.arena.release(mark);
  }

  scatterAddRows(g: number, index: Int32Array, gx: number, rows: number, cols: number): void {
    checkRowIndex(index, rows, cols, "scatterAddRows");
    const mark = this.arena.mark();
    const idx = this.copyIndex(index, rows);
    this.w.scatterAddRows(g * B, idx, gx * B, rows, cols);
    this.arena.release(mark);
  }

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
  ): void {
    const s = this.adamScalars(lr, beta1, beta2, step);
    this.w.adamStep(param * B, grad * B, m * B, v * B, n, s[0], s[1], beta1, s[2], beta2, s[3], eps, weightDecay);
  }

  /**
   * Adam's per-step scalars [stepSize, 1/sqrt(bias correction 2), 1 - beta1, 1 - beta2], in float64 here as the
   * reference computes them (the module's pow would need its lookup tables); one reused array, no allocation.
   */
  protected adamScalars(lr: number, beta1: number, beta2: number, step: number): Float64Array {
    checkAdamStep(step);
    const s = this.adamS;
    s[0] = lr / (1 - pow(beta1, step));
    s[1] = 1 / Math.sqrt(1 - pow(beta2, step));
    s[2] = 1 - beta1;
    s[3] = 1 - beta2;
    return s;
  }

  private readonly adamS = new Float64Array(4);

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
  ): void {
    this.w.rmspropStep(
      param * B,
      grad * B,
      sq * B,
      buf * B,
      gradAvg * B,
      n,
      lr,
      alpha,
      1 - alpha,
      eps,
      weightDecay,
      momentum,
      centered ? 1 : 0,
      epsInsideSqrt ? 1 : 0,
    );
  }

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
  ): void {
    this.w.sgdStep(
      param * B,
      grad * B,
      buf * B,
      n,
      lr,
      momentum,
      dampening,
      nesterov ? 1 : 0,
      weightDecay,
      firstStep ? 1 : 0,
    );
  }

  /** Copy `n` mask bytes into a fresh arena block (inside the caller's mark); returns its byte address. */
  private copyBytes(mask: Uint8Array, n: number): number {
    const off = this.arena.alloc(Math.ceil(n / 4));
    const memory = this.arena.memory as WebAssembly.Memory;
    new Uint8Array(memory.buffer, off * B, n).set(mask.subarray(0, n));
    return off * B;
  }

  private indexView: Int32Array = new Int32Array(0);

  /**
   * Copy `rows` indices into a fresh arena block (inside the caller's mark); returns its byte address. Through one
   * int32 view of the whole arena, remade only when the memory grows: two views made per call were garbage on every
   * env step of a Discrete policy (its log-probability gathers the actions taken).
   */
  private copyIndex(index: Int32Array, rows: number): number {
    const arena = this.arena;
    const off = arena.alloc(rows);
    if (this.indexView.buffer !== arena.view.buffer) this.indexView = new Int32Array(arena.view.buffer);
    const v = this.indexView;
    for (let i = 0; i < rows; i++) v[off + i] = index[i];
    return off * B;
  }
}
