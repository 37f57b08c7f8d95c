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
  const base = inputs.map((inp) => Float64Array.from(inp.values));

  let projection: Float64Array | null = null;
  const evaluate = (values: Float64Array[], withGrad: boolean): { loss: number; grads: number[][] } =>
    engine.scope(() => {
      const ts = values.map((v, i) => engine.tensor(v, inputs[i].shape, { requiresGrad: withGrad }));
      const out = fn(ts, engine);
      if (projection === null) {
        // a fixed projection in [0.5, 1.5) with varied values (deterministic, no Rng needed)
        projection = new Float64Array(out.size);
        for (let i = 0; i < out.size; i++) projection[i] = 0.5 + ((i * 0.618033988749895) % 1);
      }
      const loss = sum(mul(out, engine.tensor(projection, out.shape)));
      const value = loss.item();
      if (!withGrad) return { loss: value, grads: [] };
      engine.backward(loss);
      return { loss: value, grads: ts.map((t) => (t.grad === null ? new Array(t.size).fill(0) : t.grad.toArray())) };
    });

  const analytic = evaluate(base, true).grads;
  const result: GradCheckResult = { maxRelError: 0, inputs: [] };
  for (let i = 0; i < base.length; i++) {
    const numeric: number[] = [];
    for (let j = 0; j < base[i].length; j++) {
      const orig = base[i][j];
      base[i][j] = orig + eps;
      const plus = engine.noGrad(() => evaluate(base, false).loss);
      base[i][j] = orig - eps;
      const minus = engine.noGrad(() => evaluate(base, false).loss);
      base[i][j] = orig;
      numeric.push((plus - minus) / (2 * eps));
    }
    let diff = 0;
    let na = 0;
    let nn = 0;
    for (let j = 0; j < numeric.length; j++) {
      diff += (analytic[i][j] - numeric[j]) ** 2;
      na += analytic[i][j] ** 2;
      nn += numeric[j] ** 2;
    }
    const denom = Math.max(Math.sqrt(na), Math.sqrt(nn));
    const relError = denom === 0 ? 0 : Math.sqrt(diff) / denom;
    result.inputs.push({ relError, analytic: analytic[i], numeric });
    if (relError > result.maxRelError) result.maxRelError = relError;
  }
  return result;
}
