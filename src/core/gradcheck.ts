import { InvalidArgumentError } from "../errors.js";
import { Engine } from "./engine.js";
import { mul, sum } from "./ops.js";
import type { Tensor } from "./tensor.js";

export interface GradCheckInput {
  values: ArrayLike<number>;
  shape: readonly number[];
}

export interface GradCheckResult {
  /** Largest relative error over the inputs: ||analytic - numeric||_2 / max(||analytic||_2, ||numeric||_2). */
  maxRelError: number;
  /** Per input: relative error, analytic and numeric gradients. */
  inputs: { relError: number; analytic: number[]; numeric: number[] }[];
}

/** A fixed projection in [0.5, 1.5) with varied values (deterministic, no Rng needed). */
function projection(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 + ((i * 0.618033988749895) % 1);
  return w;
}

/**
 * The value of `sum(fn(inputs) * w)` (w a fixed projection) on `engine`, and, when `withGrad`, its gradient w.r.t.
 * each input from `backward`.
 */
export function projectedGradients(
  engine: Engine,
  fn: (inputs: Tensor[], engine: Engine) => Tensor,
  inputs: readonly GradCheckInput[],
  withGrad = true,
): { loss: number; grads: number[][] } {
  return engine.scope(() => {
    const ts = inputs.map((inp) => engine.tensor(inp.values, inp.shape, { requiresGrad: withGrad }));
    const out = fn(ts, engine);
    const loss = sum(mul(out, engine.tensor(projection(out.size), out.shape)));
    const value = loss.item();
    if (!withGrad) return { loss: value, grads: [] };
    engine.backward(loss);
    return { loss: value, grads: ts.map((t) => (t.grad === null ? new Array(t.size).fill(0) : t.grad.toArray())) };
  });
}

/** ||a - b||_2 / max(||a||_2, ||b||_2), 0 when both are zero. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    diff += (a[j] - b[j]) * (a[j] - b[j]);
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  const denom = Math.max(Math.sqrt(na), Math.sqrt(nb));
  return denom === 0 ? 0 : Math.sqrt(diff) / denom;
}

/**
 * Central-difference gradient check in float64. `fn` maps the input tensors to an output of any shape; a fixed
 * pseudo-random projection `sum(out * w)` makes it a scalar, so the op's backward sees a non-trivial upstream
 * gradient. Each input element is perturbed by +-eps and the analytic gradient (from `backward`) is compared with
 * (f(x + eps) - f(x - eps)) / (2 eps).
 */
export function gradCheck(
  fn: (inputs: Tensor[], engine: Engine) => Tensor,
  inputs: readonly GradCheckInput[],
  opts: { eps?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-6;
  if (!(eps > 0)) throw new InvalidArgumentError(`gradCheck: eps must be > 0, got ${eps}`);
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  const base = inputs.map((inp) => ({ values: Float64Array.from(inp.values), shape: inp.shape }));
  const analytic = projectedGradients(engine, fn, base).grads;
  const lossAt = () => engine.noGrad(() => projectedGradients(engine, fn, base, false).loss);
  const result: GradCheckResult = { maxRelError: 0, inputs: [] };
  for (let i = 0; i < base.length; i++) {
    const numeric: number[] = [];
    const v = base[i].values;
    for (let j = 0; j < v.length; j++) {
      const orig = v[j];
      v[j] = orig + eps;
      const plus = lossAt();
      v[j] = orig - eps;
      const minus = lossAt();
      v[j] = orig;
      numeric.push((plus - minus) / (2 * eps));
    }
    const relError = relativeError(analytic[i], numeric);
    result.inputs.push({ relError, analytic: analytic[i], numeric });
    if (relError > result.maxRelError) result.maxRelError = relError;
  }
  return result;
}
