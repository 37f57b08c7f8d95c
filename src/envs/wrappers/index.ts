// Gymnasium-style wrappers. Base classes, TimeLimit, OrderEnforcing and PassiveEnvChecker are exported by
// src/envs/index.ts from their own files.
export { ClipAction } from "./clip-action.js";
export { FlattenObservation } from "./flatten-observation.js";
export { FrameStackObservation } from "./frame-stack-observation.js";
export { NormalizeObservation } from "./normalize-observation.js";
export { NormalizeReward, type NormalizeRewardState } from "./normalize-reward.js";
export { type EpisodeStatistics, RecordEpisodeStatistics } from "./record-episode-statistics.js";
export {
  cappedCubicVideoSchedule,
  type GifSink,
  RecordVideo,
  type RecordVideoOptions,
  type VideoInfo,
} from "./record-video.js";
export { RescaleAction } from "./rescale-action.js";
export { TransformObservation } from "./transform-observation.js";
export { TransformReward } from "./transform-reward.js";
