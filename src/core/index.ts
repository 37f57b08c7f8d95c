// Public API of the numeric core: RNG, engine (arena + kernels + tape), tensors and differentiable ops.
export type { ArenaDType } from "./arena.js";
export { Engine, type EngineOptions, getDefaultEngine } from "./engine.js";
export { defaultThreads, initKernels, type KernelPreference, WorkerError } from "./kernels/index.js";
export { type KernelsInfo, kernelsInfo } from "./kernels-info.js";
export {
  abs,
  add,
  addScalar,
  argmax,
  clamp,
  concat,
  div,
  exp,
  gather,
  type LinearActivation,
  linear,
  log,
  logSoftmax,
  logSumExp,
  maskedFill,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  mulScalar,
  neg,
  relu,
  reshape,
  sigmoid,
  sliceLast,
  softplus,
  sqrt,
  square,
  stopGradient,
  sub,
  sum,
  tanh,
  where,
} from "./ops.js";
export { Rng, type RngState } from "./rng.js";
export { type FloatArray, Tensor } from "./tensor.js";
