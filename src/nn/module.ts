import { Tensor } from "../core/tensor.js";
import { InvalidArgumentError } from "../errors.js";

/** Anything with trainable parameters. */
export interface Module {
  parameters(): Tensor[];
}

/** Set every parameter's `.grad` to zero (call before each backward, since backward accumulates). */
export function zeroGrad(params: readonly Tensor[]): void {
  for (let i = 0; i < params.length; ) {
    const p = params[i];
    if (p.grad === null) {
      i++;
      continue;
    }
    const end = paramRunEnd(params, i);
    p.engine.kernels.fill(p.grad.live(), 0, runLength(params, i, end));
    i = end;
  }
}

/**
 * One past the last index of the run of parameters starting at `i` that lie back to back in the arena (each
 * directly after the previous one's padded end, as `engine.parameter()` lays them out), with their gradients at one
 * fixed distance from them. A run is then one kernel call: its padding elements are never handed out, stay zero in the
 * gradients and the optimizer state, and so never change. Needs no allocation.
 */
export function paramRunEnd(params: readonly Tensor[], i: number): number {
  const first = params[i];
  const arena = first.engine.arena;
  const gradShift = first.grad === null ? 0 : first.grad.offset - first.offset;
  let prev = first;
  let j = i + 1;
  for (; j < params.length; j++) {
    const p = params[j];
    if (p.engine !== first.engine || p.offset !== prev.offset + arena.paddedLength(prev.size)) break;
    if ((p.grad === null) !== (first.grad === null)) break;
    if (p.grad !== null && p.grad.offset - p.offset !== gradShift) break;
    prev = p;
  }
  return j;
}

/** Elements from the start of params[i] to the end of params[end - 1] (a run of `paramRunEnd`). */
export function runLength(params: readonly Tensor[], i: number, end: number): number {
  const last = params[end - 1];
  return last.offset + last.size - params[i].offset;
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
