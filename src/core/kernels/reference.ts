import { InvalidArgumentError } from "../../errors.js";
import type { Arena } from "../arena.js";
import { exp, log, pow, tanh } from "../math/index.js";
import { type BinaryKernel, Broadcast, type Kernels, type LayerActivation, type UnaryKernel } from "./kernels.js";

/** Offset of element (r, c) of an operand laid out by `mode` against [rows, cols]. */
function at(base: number, mode: Broadcast, r: number, c: number, cols: number): number {
  switch (mode) {
    case Broadcast.Full:
      return base + r * cols + c;
    case Broadcast.Row:
      return base + c;
    case Broadcast.Col:
      return base + r;
    default:
      return base;
  }
}

function binary(op: (x: number, y: number) => number, arena: Arena): BinaryKernel {
  return (a, aMode, b, bMode, out, rows, cols, accumulate) => {
    const v = arena.view;
    if (aMode === Broadcast.Full && bMode === Broadcast.Full) {
      const n = rows * cols;
      if (accumulate) for (let i = 0; i < n; i++) v[out + i] += op(v[a + i], v[b + i]);
      else for (let i = 0; i < n; i++) v[out + i] = op(v[a + i], v[b + i]);
      return;
    }
    for (let r = 0; r < rows; r++) {
      const o = out + r * cols;
      for (let c = 0; c < cols; c++) {
        const y = op(v[at(a, aMode, r, c, cols)], v[at(b, bMode, r, c, cols)]);
        if (accumulate) v[o + c] += y;
        else v[o + c] = y;
      }
    }
  };
}

function unary(f: (x: number) => number, arena: Arena): UnaryKernel {
  return (x, out, n) => {
    const v = arena.view;
    for (let i = 0; i < n; i++) v[out + i] = f(v[x + i]);
  };
}

/** Throw unless the mask has one byte per element. */
export function checkMask(mask: Uint8Array, n: number, kernel: string): void {
  if (mask.length < n) {
    throw new InvalidArgumentError(`${kernel}: mask must hold ${n} entries (one per element), got ${mask.length}`);
  }
}

/** Throw unless `step` is an Adam step count t >= 1 (t = 0 would divide by 1 - b^0 = 0). */
export function checkAdamStep(step: number): void {
  if (!Number.isInteger(step) || step < 1) {
    throw new InvalidArgumentError(
      `adamStep: step must be an integer >= 1 (the count including this step), got ${step}`,
    );
  }
}

/** Throw unless index[0..rows) are all column numbers of a [rows, cols] matrix. */
export function checkRowIndex(index: Int32Array, rows: number, cols: number, kernel: string): void {
  if (index.length < rows) {
    throw new InvalidArgumentError(`${kernel}: index must hold ${rows} entries (one per row), got ${index.length}`);
  }
  for (let r = 0; r < rows; r++) {
    const j = index[r];
    if (j < 0 || j >= cols) {
      throw new InvalidArgumentError(`${kernel}: index[${r}] must be in [0, ${cols}), got ${j}`);
    }
  }
}

/**
 * Plain TypeScript kernels: the reference the wasm kernels are tested against, the fallback where WebAssembly SIMD
 * is missing, and the only kernels of a float64 arena (gradient checks). Sums run in float64 JS numbers.
 */
export class ReferenceKernels implements Kernels {
  readonly name = "ts" as const;

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

  constructor(readonly arena: Arena) {
    this.add = binary((x, y) => x + y, arena);
    this.sub = binary((x, y) => x - y, arena);
    this.mul = binary((x, y) => x * y, arena);
    this.div = binary((x, y) => x / y, arena);
    this.minimum = binary(Math.min, arena); // NaN propagates, as in PyTorch and wasm's f32x4.min
    this.maximum = binary(Math.max, arena);
    this.neg = unary((x) => -x, arena);
    this.exp = unary(exp, arena);
    this.log = unary(log, arena);
    this.sqrt = unary(Math.sqrt, arena);
    this.square = unary((x) => x * x, arena);
    this.tanh = unary(tanh, arena);
    this.relu = unary((x) => Math.max(x, 0), arena);
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
  ): void {
    const v = this.arena.view;
    // element (i, p) of op(A) sits at a + i*ai + p*ap
    const ai = transA ? 1 : k;
    const ap = transA ? m : 1;
    if (transB) {
      // B stored [n, k]: C[i, j] = dot(op(A) row i, B row j), four B rows at a time
      for (let i = 0; i < m; i++) {
        const aRow = a + i * ai;
        const ci = c + i * n;
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          const b0 = b + j * k;
          const b1 = b0 + k;
          const b2 = b1 + k;
          const b3 = b2 + k;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let p = 0; p < k; p++) {
            const x = v[aRow + p * ap];
            s0 += x * v[b0 + p];
            s1 += x * v[b1 + p];
            s2 += x * v[b2 + p];
            s3 += x * v[b3 + p];
          }
          if (accumulate) {
            s0 += v[ci + j];
            s1 += v[ci + j + 1];
            s2 += v[ci + j + 2];
            s3 += v[ci + j + 3];
          }
          v[ci + j] = s0;
          v[ci + j + 1] = s1;
          v[ci + j + 2] = s2;
          v[ci + j + 3] = s3;
        }
        for (; j < n; j++) {
          const bj = b + j * k;
          let s = accumulate ? v[ci + j] : 0;
          for (let p = 0; p < k; p++) s += v[aRow + p * ap] * v[bj + p];
          v[ci + j] = s;
        }
      }
      return;
    }
    // B stored [k, n], rows contiguous along j: C row i += A(i, p) * B row p, four p at a time
    for (let i = 0; i < m; i++) {
      const ci = c + i * n;
      const aRow = a + i * ai;
      if (!accumulate) v.fill(0, ci, ci + n);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const x0 = v[aRow + p * ap];
        const x1 = v[aRow + (p + 1) * ap];
        const x2 = v[aRow + (p + 2) * ap];
        const x3 = v[aRow + (p + 3) * ap];
        const b0 = b + p * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++) v[ci + j] += x0 * v[b0 + j] + x1 * v[b1 + j] + x2 * v[b2 + j] + x3 * v[b3 + j];
      }
      for (; p < k; p++) {
        const x = v[aRow + p * ap];
        const bp = b + p * n;
        for (let j = 0; j < n; j++) v[ci + j] += x * v[bp + j];
      }
    }
  }

  packsB(): boolean {
    return false;
  }

  linear(x: number, w: number, b: number, out: number, m: number, k: number, n: number, act: LayerActivation): void {
    this.matmul(x, w, out, m, k, n, false, true, false);
    this.add(out, Broadcast.Full, b, Broadcast.Row, out, m, n, false);
    if (act === "tanh") this.tanh(out, out, m * n);
    else if (act === "relu") this.relu(out, out, m * n);
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
    if (act === "none") {
      this.matmul(gy, w, gx, m, n, k, false, false, false);
      return;
    }
    // the product goes to scratch first: gx may be y
    const arena = this.arena;
    const mark = arena.mark();
    const t = arena.alloc(m * k);
    this.matmul(gy, w, t, m, n, k, false, false, false);
    if (act === "tanh") this.tanhBackward(y, t, gx, m * k, false);
    else this.reluBackward(y, t, gx, m * k, false);
    arena.release(mark);
  }

  fill(out: number, value: number, n: number): void {
    this.arena.view.fill(value, out, out + n);
  }

  copy(src: number, out: number, n: number): void {
    this.arena.view.copyWithin(out, src, src + n);
  }

  scale(x: number, s: number, out: number, n: number): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) v[out + i] = s * v[x + i];
  }

  addScalar(x: number, s: number, out: number, n: number): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) v[out + i] = v[x + i] + s;
  }

  axpy(alpha: number, x: number, y: number, n: number): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) v[y + i] += alpha * v[x + i];
  }

  broadcast(src: number, mode: Broadcast, out: number, rows: number, cols: number): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) v[out + r * cols + c] = v[at(src, mode, r, c, cols)];
    }
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
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        v[out + i] = mask[i] !== 0 ? v[at(a, aMode, r, c, cols)] : v[at(b, bMode, r, c, cols)];
      }
    }
  }

  clamp(x: number, lo: number, hi: number, out: number, n: number): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      v[out + i] = Math.min(Math.max(v[x + i], lo), hi);
    }
  }

  tanhBackward(y: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      const t = v[y + i];
      const d = v[gy + i] * (1 - t * t);
      v[gx + i] = accumulate ? v[gx + i] + d : d;
    }
  }

  reluBackward(x: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      const d = v[x + i] > 0 ? v[gy + i] : 0;
      v[gx + i] = accumulate ? v[gx + i] + d : d;
    }
  }

  clampBackward(x: number, lo: number, hi: number, gy: number, gx: number, n: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      const y = v[x + i];
      const d = y >= lo && y <= hi ? v[gy + i] : 0;
      v[gx + i] = accumulate ? v[gx + i] + d : d;
    }
  }

  minMaxBackward(a: number, b: number, gy: number, ga: number, gb: number, n: number, isMax: boolean): void {
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      const x = v[a + i];
      const y = v[b + i];
      const g = v[gy + i];
      if (x === y) {
        v[ga + i] = 0.5 * g;
        v[gb + i] = 0.5 * g;
      } else if (isMax ? x > y : x < y) {
        v[ga + i] = g;
        v[gb + i] = 0;
      } else {
        v[ga + i] = 0;
        v[gb + i] = g;
      }
    }
  }

  maskedGrad(mask: Uint8Array, negate: boolean, gy: number, gx: number, n: number, accumulate: boolean): void {
    checkMask(mask, n, "maskedGrad");
    const v = this.arena.view;
    for (let i = 0; i < n; i++) {
      const d = (mask[i] !== 0) !== negate ? v[gy + i] : 0;
      v[gx + i] = accumulate ? v[gx + i] + d : d;
    }
  }

  sumAll(x: number, out: number, n: number, accumulate: boolean): void {
    const v = this.arena.view;
    let s = 0;
    for (let i = 0; i < n; i++) s += v[x + i];
    v[out] = accumulate ? v[out] + s : s;
  }

  sumRows(x: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const row = x + r * cols;
      for (let c = 0; c < cols; c++) s += v[row + c];
      v[out + r] = accumulate ? v[out + r] + s : s;
    }
  }

  sumCols(x: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += v[x + r * cols + c];
      v[out + c] = accumulate ? v[out + c] + s : s;
    }
  }

  maxRows(x: number, out: number, rows: number, cols: number): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      let best = v[row];
      for (let c = 1; c < cols; c++) if (v[row + c] > best) best = v[row + c];
      v[out + r] = best;
    }
  }

  argmaxRows(x: number, out: Int32Array, rows: number, cols: number): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      const row = x + r * cols;
      let best = 0;
      for (let c = 1; c < cols; c++) if (v[row + c] > v[row + best]) best = c;
      out[r] = best;
    }
  }

  sumSquares(x: number, n: number): number {
    const v = this.arena.view;
    let s = 0;
    for (let i = 0; i < n; i++) s += v[x + i] * v[x + i];
    return s;
  }

  dot(x: number, y: number, n: number): number {
    const v = this.arena.view;
    let s = 0;
    for (let i = 0; i < n; i++) s += v[x + i] * v[y + i];
    return s;
  }

  logSoftmax(x: number, out: number, rows: number, cols: number): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      const xi = x + r * cols;
      const oi = out + r * cols;
      let mx = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < cols; c++) if (v[xi + c] > mx) mx = v[xi + c];
      let s = 0;
      for (let c = 0; c < cols; c++) s += exp(v[xi + c] - mx);
      const lse = mx + log(s);
      for (let c = 0; c < cols; c++) v[oi + c] = v[xi + c] - lse;
    }
  }

  logSoftmaxBackward(y: number, gy: number, gx: number, rows: number, cols: number, accumulate: boolean): void {
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let c = 0; c < cols; c++) s += v[gy + o + c];
      for (let c = 0; c < cols; c++) {
        const d = v[gy + o + c] - exp(v[y + o + c]) * s;
        v[gx + o + c] = accumulate ? v[gx + o + c] + d : d;
      }
    }
  }

  gather(x: number, index: Int32Array, out: number, rows: number, cols: number): void {
    checkRowIndex(index, rows, cols, "gather");
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) v[out + r] = v[x + r * cols + index[r]];
  }

  scatterAddRows(g: number, index: Int32Array, gx: number, rows: number, cols: number): void {
    checkRowIndex(index, rows, cols, "scatterAddRows");
    const v = this.arena.view;
    for (let r = 0; r < rows; r++) v[gx + r * cols + index[r]] += v[g + r];
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
    checkAdamStep(step);
    const w = this.arena.view;
    const stepSize = lr / (1 - pow(beta1, step));
    const bc2Sqrt = Math.sqrt(1 - pow(beta2, step));
    for (let i = 0; i < n; i++) {
      const g = w[grad + i] + weightDecay * w[param + i];
      const mi = beta1 * w[m + i] + (1 - beta1) * g;
      const vi = beta2 * w[v + i] + (1 - beta2) * g * g;
      w[m + i] = mi;
      w[v + i] = vi;
      w[param + i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }

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
    const w = this.arena.view;
    for (let i = 0; i < n; i++) {
      const g = w[grad + i] + weightDecay * w[param + i];
      const s = alpha * w[sq + i] + (1 - alpha) * g * g;
      w[sq + i] = s;
      let avg = s;
      if (centered) {
        const ga = alpha * w[gradAvg + i] + (1 - alpha) * g;
        w[gradAvg + i] = ga;
        avg = s - ga * ga;
      }
      const denom = epsInsideSqrt ? Math.sqrt(avg + eps) : Math.sqrt(avg) + eps;
      if (momentum > 0) {
        const bi = momentum * w[buf + i] + g / denom;
        w[buf + i] = bi;
        w[param + i] -= lr * bi;
      } else {
        w[param + i] -= (lr * g) / denom;
      }
    }
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
    const w = this.arena.view;
    for (let i = 0; i < n; i++) {
      let g = w[grad + i] + weightDecay * w[param + i];
      if (momentum !== 0) {
        const bi = firstStep ? g : momentum * w[buf + i] + (1 - dampening) * g;
        w[buf + i] = bi;
        g = nesterov ? g + momentum * bi : bi;
      }
      w[param + i] -= lr * g;
    }
  }
}
