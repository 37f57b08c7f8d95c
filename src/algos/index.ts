// Public API of the algorithms: the shared base (learn/predict/save/load, callbacks, logger, evaluation) and
// every algorithm, each registered by name for `Algorithm.load` and the CLI on import.

export { A2C, type A2CConfig } from "./a2c.js";
export type { ActionNoiseSpec } from "./common/action-noise.js";
export {
  Algorithm,
  type AlgorithmClass,
  type AlgorithmState,
  type AnyEnv,
  type BaseConfig,
  type EnvStateSnapshot,
  getAlgorithmClass,
  isVectorEnv,
  type LearnOptions,
  type LoadOptions,
  listAlgorithms,
  type PredictOptions,
  registerAlgorithm,
  type SaveOptions,
  type Scheduled,
  scheduleValue,
  type VectorEnvLike,
} from "./common/algorithm.js";
export {
  type Callback,
  type CallbackContext,
  CallbackList,
  CheckpointCallback,
  type CheckpointCallbackOptions,
  EvalCallback,
  type EvalCallbackOptions,
  type EvaluationRecord,
  ProgressBar,
  type ProgressBarOptions,
  StopOnRewardThreshold,
  type StopOnRewardThresholdOptions,
} from "./common/callbacks.js";
export {
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type CheckpointMeta,
  checkpointFromBytes,
  checkpointToBytes,
  LIBRARY_VERSION,
} from "./common/checkpoint.js";
export { type EvaluateOptions, type EvaluationResult, evaluatePolicy, type Predictor } from "./common/evaluate.js";
export { Logger, type LogSink } from "./common/logger.js";
export type { OffPolicyConfig, OffPolicyNetArch } from "./common/off-policy.js";
export type { OnPolicyConfig, PolicyKwargs } from "./common/on-policy.js";
export type { TabularConfig } from "./common/tabular.js";
export { DDPG, type DDPGConfig } from "./ddpg.js";
export { DQN, type DQNConfig } from "./dqn.js";
export { PPO, type PPOConfig } from "./ppo.js";
export { QLearning } from "./qlearning.js";
export { REINFORCE, type ReinforceConfig } from "./reinforce.js";
export { SAC, type SACConfig } from "./sac.js";
export { ExpectedSarsa, Sarsa } from "./sarsa.js";
export { TD3, type TD3Config } from "./td3.js";
export { TRPO, type TRPOConfig } from "./trpo.js";
