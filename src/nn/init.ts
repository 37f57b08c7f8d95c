/**
 * Parameter initialisers. They write in place (outside the tape) and accept any tensor, usually a parameter.
 */

import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { InvalidArgumentError } from "../errors.js";

/** Fill with `value` (zero bias init: `constantInit(b, 0)`). */
export function constantInit(t: Tensor, value: number): void {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new InvalidArgumentError(`constantInit: value must be a number, got ${String(value)}`);
  }
  t.engine.kernels.fill(t.live(), value, t.size);
  t.markWritten();
}

/** Independent draws from U[lo, hi). */
export function uniformInit(t: Tensor, lo: number, hi: number, rng: Rng): void {
  if (!(lo <= hi)) throw new InvalidArgumentError(`uniformInit: need lo <= hi, got lo=${lo}, hi=${hi}`);
  const v = new Float64Array(t.size);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniformRange(lo, hi);
  t.set(v);
}

/**
 * Orthogonal init as `torch.nn.init.orthogonal_` (used by the PPO implementation details): a [rows, cols] matrix
 * (trailing dimensions flattened into cols) of N(0,1) draws, QR-decomposed (of its transpose when rows < cols),
 * Q's columns multiplied by sign(diag(R)) so the result is unique, scaled by `gain`. Rows (or columns) come out
 * orthonormal times `gain`.
 */
export function orthogonalInit(t: Tensor, gain: number, rng: Rng): void {
  if (t.rank < 2) {
    throw new InvalidArgumentError(
      `orthogonalInit: needs a tensor with at least 2 dimensions, got [${t.shape.join(", ")}]`,
    );
  }
  t.set(orthogonalMatrix(t.shape[0], t.size / t.shape[0], gain, rng));
}

/** The row-major [rows, cols] matrix of {@link orthogonalInit}, as plain numbers (for flat parameter vectors). */
export function orthogonalMatrix(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  if (typeof gain !== "number" || !Number.isFinite(gain)) {
    throw new InvalidArgumentError(`orthogonalInit: gain must be a finite number, got ${String(gain)}`);
  }
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < flat.length; i++) flat[i] = rng.normal();
  // Work on a tall matrix A [m, n], m >= n, stored column-major as n columns of length m.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const colsOfA: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = tall ? flat[i * cols + j] : flat[j * cols + i];
    colsOfA.push(c);
  }
  // Modified Gram-Schmidt, applied twice for orthogonality to rounding. It yields the Q of A = QR with diag(R) > 0,
  // which is exactly Householder QR's Q after the sign correction torch applies.
  for (let j = 0; j < n; j++) {
    const q = colsOfA[j];
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const p = colsOfA[k];
        let d = 0;
        for (let i = 0; i < m; i++) d += p[i] * q[i];
        for (let i = 0; i < m; i++) q[i] -= d * p[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i] * q[i];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12))
      throw new InvalidArgumentError("orthogonalInit: degenerate random matrix (retry with another seed)");
    for (let i = 0; i < m; i++) q[i] /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    const q = colsOfA[j];
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = gain * q[i];
      else out[j * cols + i] = gain * q[i];
    }
  }
  return out;
}

/**
 * PyTorch's default `nn.Linear` init: weight and bias from U(-1/sqrt(in), 1/sqrt(in))
 * (kaiming_uniform with a = sqrt(5) reduces to this bound for the weight).
 */
export function defaultLinearInit(weight: Tensor, bias: Tensor | null, rng: Rng): void {
  const fanIn = weight.size / weight.shape[0];
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniformInit(weight, -bound, bound, rng);
  if (bias !== null) uniformInit(bias, -bound, bound, rng);
}
