// Public API of the environments: spaces, the Env API, registry (built-ins registered on import), wrappers, checker.
import "./builtin.js";

export * from "../spaces/index.js";
export { type CheckEnvOptions, checkEnv } from "./checker.js";
export { AcrobotEnv } from "./classic-control/acrobot.js";
export { CartPoleEnv, type CartPoleOptions } from "./classic-control/cartpole.js";
export { MountainCarEnv, type MountainCarOptions } from "./classic-control/mountain-car.js";
export {
  MountainCarContinuousEnv,
  type MountainCarContinuousOptions,
} from "./classic-control/mountain-car-continuous.js";
export { PendulumEnv, type PendulumOptions } from "./classic-control/pendulum.js";
export {
  checkOptionKeys,
  EMPTY_INFO,
  Env,
  type EnvMetadata,
  type EnvSpec,
  type Info,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StepResult,
} from "./env.js";
export {
  type EntryPoint,
  type MakeOptions,
  make,
  type RegisterOptions,
  register,
  registeredIds,
  spec,
} from "./registry.js";
export { Raster } from "./rendering/raster.js";
export { OrderEnforcing } from "./wrappers/order-enforcing.js";
export { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
export { TimeLimit } from "./wrappers/time-limit.js";
export { ActionWrapper, ObservationWrapper, RewardWrapper, Wrapper } from "./wrappers/wrapper.js";
