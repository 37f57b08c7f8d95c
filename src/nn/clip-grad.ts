import { checkRange } from "../core/checks.js";
import type { Tensor } from "../core/tensor.js";
import { NonFiniteError } from "../errors.js";
import { checkParameters, paramRunEnd, runLength } from "./module.js";

/**
 * Global gradient-norm clipping as `torch.nn.utils.clip_grad_norm_`: the L2 norm over all gradients together;
 * when it exceeds `maxNorm` every gradient is scaled by maxNorm / (norm + 1e-6). Returns the norm BEFORE clipping.
 * A non-finite norm throws NonFiniteError when the engine is in check mode (and is returned unclipped otherwise).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkParameters("clipGradNorm", params);
  checkRange("clipGradNorm: maxNorm", maxNorm, 0, Infinity, "()");
  const engine = params[0].engine;
  const k = engine.kernels;
  // the sum of squares per tensor (a run of tensors would group the sum differently and move the norm's last bits);
  // the scaling below is exact per element, so it runs once per run of parameters stored back to back
  let sq = 0;
  for (const p of params) {
    const g = p.grad as Tensor;
    sq += k.sumSquares(g.offset, g.size);
  }
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) {
    if (engine.checkFinite) throw new NonFiniteError(`clipGradNorm: the gradient norm is ${norm}`);
    return norm;
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (let i = 0; i < params.length; ) {
      const end = paramRunEnd(params, i);
      const g = (params[i].grad as Tensor).offset;
      k.scale(g, coef, g, runLength(params, i, end));
      i = end;
    }
  }
  return norm;
}
