import { Tensor } from "../core/tensor.js";
import { InvalidArgumentError } from "../errors.js";

/** Anything with trainable parameters. */
export interface Module {
  parameters(): Tensor[];
}

/** Set every parameter's `.grad` to zero (call before each backward, since backward accumulates). */
export function zeroGrad(params: readonly Tensor[]): void {
  for (const p of params) {
    const g = p.grad;
    if (g !== null) p.engine.kernels.fill(g.live(), 0, g.size);
  }
}

/** Total number of scalar parameters. */
export function parameterCount(params: readonly Tensor[]): number {
  let n = 0;
  for (const p of params) n += p.size;
  return n;
}

/** Check that `params` is a non-empty list of persistent trainable tensors of one engine (optimizers, clipping). */
export function checkParameters(where: string, params: readonly Tensor[]): void {
  if (!Array.isArray(params) || params.length === 0) {
    throw new InvalidArgumentError(`${where}: params must be a non-empty array of parameter tensors`);
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (!(p instanceof Tensor)) throw new InvalidArgumentError(`${where}: params[${i}] is not a Tensor`);
    if (p.engine !== params[0].engine) throw new InvalidArgumentError(`${where}: params belong to different engines`);
    if (!p.requiresGrad || p.grad === null || !p.persistent) {
      throw new InvalidArgumentError(
        `${where}: params[${i}] (shape [${p.shape.join(", ")}]) must be a persistent tensor with requiresGrad ` +
          "(made by engine.parameter() outside any scope)",
      );
    }
  }
}
