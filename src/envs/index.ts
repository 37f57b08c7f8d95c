// Public API of the environments: spaces, the Env API, registry (built-ins registered on import), wrappers,
// vector envs, checker.
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
  isStatefulEnv,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StatefulEnv,
  type StepResult,
} from "./env.js";
export { isMujocoId, MUJOCO_REGISTRATIONS, type MujocoRegistration } from "./mujoco/ids.js";
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
export {
  canSnapshot,
  type EnvSnapshot,
  type SnapshotArray,
  SnapshotReader,
  type Snapshotting,
} from "./snapshot.js";
export { BlackjackEnv, type BlackjackObservation, type BlackjackOptions } from "./toy-text/blackjack.js";
export { CliffWalkingEnv, type CliffWalkingOptions } from "./toy-text/cliff-walking.js";
export { FROZEN_LAKE_MAPS, FrozenLakeEnv, type FrozenLakeOptions, generateRandomMap } from "./toy-text/frozen-lake.js";
export { TabularEnv, type ToyTextOptions, type Transition, type TransitionTable } from "./toy-text/tabular-env.js";
export { TaxiEnv, type TaxiOptions, taxiDecode, taxiEncode } from "./toy-text/taxi.js";
export * from "./vector/index.js";
export * from "./wrappers/index.js";
export { OrderEnforcing } from "./wrappers/order-enforcing.js";
export { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
export { TimeLimit } from "./wrappers/time-limit.js";
export { ActionWrapper, ObservationWrapper, RewardWrapper, Wrapper, type WrapperState } from "./wrappers/wrapper.js";
