// Public API of studies (Node): grids of runs on local worker processes or a BullMQ queue, and their statistics.
export { executeRun, type RunHooks, readSummary } from "./execute-run.js";
export { type IntervalPanel, intervalBarsSvg } from "./interval-bars.js";
export {
  connectRedis,
  DEFAULT_QUEUE_NAME,
  QueueError,
  type QueueWorker,
  runOnQueue,
  startWorker,
  type WorkerOptions,
} from "./queue.js";
export {
  randomPolicyScore,
  type StudyReport,
  type StudyReportOptions,
  studyReport,
  writeStudyReport,
} from "./report.js";
export { RunFailedError, RunPool } from "./run-pool.js";
export {
  loadStudyFile,
  type RunStudyOptions,
  readStudyFolder,
  runStudy,
  type StudyResult,
  type StudyRunResult,
} from "./run-study.js";
export { expandRuns, parseStudy, type StudyRun, type StudySpec, type StudyVariant, slug, studySeeds } from "./spec.js";
export {
  type Aggregate,
  aggregate,
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  type BootstrapOptions,
  bootstrapInterval,
  type Interval,
  interquartileMean,
  medianOf,
  optimalityGap,
  performanceProfile,
  performanceProfileInterval,
  probabilityOfImprovement,
  probabilityOfImprovementInterval,
  type Scores,
} from "./stats.js";
