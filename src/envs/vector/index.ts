// Vector environments. AsyncVectorEnv (and makeVec's "async" mode) need Node >= 20.16; the rest runs anywhere.
export { AsyncVectorEnv, type AsyncVectorEnvOptions } from "./async-vector-env.js";
export { type MakeVecOptions, makeVec } from "./make-vec.js";
export { SyncVectorEnv } from "./sync-vector-env.js";
export type {
  AutoresetMode,
  VectorEnv,
  VectorResetOptions,
  VectorResetResult,
  VectorStepResult,
} from "./vector-env.js";
export type { AsyncEnvSource } from "./worker-protocol.js";
