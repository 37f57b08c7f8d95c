import type { Checkpoint, StateTensor } from "../algos/common/checkpoint.js";
import { Sb3ImportError } from "../errors.js";
import { isTorchTensor, type TorchTensor, type TorchValue, torchKind } from "./torch-pth.js";

/**
 * SB3's `policy.optimizer.pth`: a torch.optim `state_dict()`, `{ state: { <param index>: { step, exp_avg,
 * exp_avg_sq } (Adam) | { step, square_avg } (RMSprop) ... }, param_groups: [{ lr, betas, eps, ..., params: [<param
 * index>, ...] }] }`. The parameter indices count the parameters the optimizer was built over, in order (SB3: the
 * policy's `parameters()`, DQN's `q_net.parameters()`), which is the order of their keys in `policy.pth`.
 */
export interface TorchOptimizerState {
  /** per parameter index: buffer name (exp_avg, exp_avg_sq, square_avg, ...) -> tensor */
  buffers: Map<number, Map<string, TorchTensor>>;
  /** the step count every parameter's state shares (0 when no step was taken) */
  step: number;
  /** every parameter index of the param groups, in order */
  params: number[];
}

/** Validate an optimizer state_dict read by readTorchObject (shapes are checked when it is applied). */
export function parseOptimizerState(v: TorchValue): TorchOptimizerState {
  const bad = (what: string): never => {
    throw new Sb3ImportError(`SB3 policy.optimizer.pth: ${what}`);
  };
  if (!(v instanceof Map)) return bad(`holds a ${torchKind(v)}, expected an optimizer state_dict`);
  const state = v.get("state");
  const groups = v.get("param_groups");
  if (!(state instanceof Map)) return bad(`"state" is a ${torchKind(state)}, expected a dict`);
  if (!Array.isArray(groups)) return bad(`"param_groups" is a ${torchKind(groups)}, expected a list`);
  const params: number[] = [];
  for (const g of groups as readonly TorchValue[]) {
    const ps = g instanceof Map ? g.get("params") : undefined;
    if (!Array.isArray(ps) || !ps.every((p) => typeof p === "number" && Number.isInteger(p) && p >= 0))
      return bad("a param group without a list of parameter indices");
    params.push(...(ps as number[]));
  }
  const buffers = new Map<number, Map<string, TorchTensor>>();
  const steps = new Set<number>();
  for (const [index, entry] of state) {
    if (typeof index !== "number" || !params.includes(index))
      return bad(`state of parameter ${JSON.stringify(index)}, which no param group lists`);
    if (!(entry instanceof Map)) return bad(`state of parameter ${index} is a ${torchKind(entry)}, expected a dict`);
    const named = new Map<string, TorchTensor>();
    for (const [name, t] of entry) {
      if (name === "step") {
        // a float tensor of one element (torch >= 1.12) or a Python int
        const s = isTorchTensor(t) && t.data.length === 1 ? Number(t.data[0]) : t;
        if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0)
          return bad(`parameter ${index} has step ${torchKind(t)}, expected a count`);
        steps.add(s);
      } else if (isTorchTensor(t) && (t.dtype === "float32" || t.dtype === "float64")) {
        named.set(String(name), t);
      } else return bad(`parameter ${index}'s ${String(name)} is a ${torchKind(t)}, expected a float tensor`);
    }
    buffers.set(index, named);
  }
  if (steps.size > 1) return bad(`the parameters' step counts differ (${[...steps].join(", ")})`);
  return { buffers, step: steps.size === 0 ? 0 : [...steps][0], params };
}

/**
 * Write SB3's optimizer state into a tsrl checkpoint: each buffer of SB3 parameter index i goes to the tsrl
 * optimizer tensor of the parameter `paramNames[i]` names (tsrl keeps PyTorch's buffer names), and the step count
 * to the algorithm's optimizer step counter. A buffer tsrl's optimizer does not keep (another optimizer class or
 * option) is an error naming it.
 */
export function applyOptimizerState(
  ckpt: Checkpoint,
  opt: TorchOptimizerState,
  paramNames: readonly string[],
  stepKey: "optimizerSteps" | "nUpdates",
): void {
  if (opt.params.length !== paramNames.length) {
    throw new Sb3ImportError(
      `SB3 policy.optimizer.pth covers ${opt.params.length} parameters, tsrl's optimizer ${paramNames.length}`,
    );
  }
  for (const [index, named] of opt.buffers) {
    const param = paramNames[opt.params.indexOf(index)];
    for (const [buffer, t] of named) {
      const name = optimizerTensorName(ckpt.tensors, param, buffer);
      if (name === null) {
        throw new Sb3ImportError(
          `SB3's optimizer keeps ${buffer} for ${param}, tsrl's does not (another optimizer or option); pass { optimizerState: false } to start a fresh optimizer`,
        );
      }
      const want = ckpt.tensors[name];
      if (want.data.length !== t.data.length) {
        throw new Sb3ImportError(
          `SB3's ${buffer} of ${param} has shape [${t.shape.join(", ")}], tsrl's ${name} [${want.shape.join(", ")}]`,
        );
      }
      const data =
        want.dtype === "F64" ? Float64Array.from(t.data as Float32Array) : Float32Array.from(t.data as Float32Array);
      ckpt.tensors[name] = { dtype: want.dtype, shape: want.shape, data } as StateTensor;
    }
  }
  ckpt.meta.algorithmState[stepKey] = opt.step;
}

/**
 * tsrl's checkpoint name of an optimizer buffer: `optimizer.<param>.<buffer>` (the actor-critic algorithms), or
 * DQN's `optimizer/m/<name>` and `optimizer/v/<name>` for Adam's exp_avg and exp_avg_sq of `q_net/<name>`.
 */
function optimizerTensorName(tensors: Checkpoint["tensors"], param: string, buffer: string): string | null {
  const direct = `optimizer.${param}.${buffer}`;
  if (direct in tensors) return direct;
  const dqn = /^q_net\/(.+)$/.exec(param);
  const moment = buffer === "exp_avg" ? "m" : buffer === "exp_avg_sq" ? "v" : null;
  if (dqn !== null && moment !== null && `optimizer/${moment}/${dqn[1]}` in tensors)
    return `optimizer/${moment}/${dqn[1]}`;
  return null;
}
