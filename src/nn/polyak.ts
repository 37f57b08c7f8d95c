import { checkRange } from "../core/checks.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, ShapeError } from "../errors.js";

/**
 * Polyak averaging of target parameters, in place: target <- tau * source + (1 - tau) * target, pairwise over two
 * lists of the same shapes (SB3's polyak_update). tau = 1 copies (DQN's hard target update); SAC/TD3/DDPG use a
 * small tau such as 0.005. Arithmetic: target = (1 - tau) * target, then target += tau * source.
 */
export function polyakUpdate(source: readonly Tensor[], target: readonly Tensor[], tau: number): void {
  checkRange("polyakUpdate: tau", tau, 0, 1, "(]");
  if (!Array.isArray(source) || !Array.isArray(target) || source.length !== target.length || source.length === 0) {
    throw new InvalidArgumentError(
      `polyakUpdate: source and target must be non-empty arrays of Tensors of equal length, got ${describe(source?.length)} and ${describe(target?.length)}`,
    );
  }
  for (let i = 0; i < source.length; i++) {
    const s = source[i];
    const t = target[i];
    if (!(s instanceof Tensor) || !(t instanceof Tensor)) {
      throw new InvalidArgumentError(`polyakUpdate: source[${i}] and target[${i}] must be Tensors`);
    }
    if (s.engine !== t.engine)
      throw new InvalidArgumentError(`polyakUpdate: source[${i}] and target[${i}] use different engines`);
    if (s.size !== t.size || s.shape.some((d, j) => d !== t.shape[j]) || s.rank !== t.rank) {
      throw new ShapeError(
        `polyakUpdate: source[${i}] has shape [${s.shape.join(", ")}], target[${i}] has [${t.shape.join(", ")}]`,
      );
    }
  }
  const k = source[0].engine.kernels;
  // per tensor, like Adam: axpy's vector path fuses the multiply-add and its scalar tail does not, so one call over a
  // run of tensors would move the last bits of each tensor's tail
  for (let i = 0; i < source.length; i++) {
    const s = source[i].live();
    const t = target[i].live();
    const n = source[i].size;
    if (tau === 1) k.copy(s, t, n);
    else {
      k.scale(t, 1 - tau, t, n);
      k.axpy(tau, s, t, n);
    }
    target[i].markWritten();
  }
}
