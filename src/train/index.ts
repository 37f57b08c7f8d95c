// Public API of the training tools (Node): run folders, metric files, TensorBoard logs, plots, progress, zoo.
export { formatMetricsTable, TableSink } from "../algos/common/table-sink.js";
export { CsvSink, JsonlSink, parseJsonl } from "./metrics-files.js";
export { aggregateRuns, type CurveRun, type CurveSeries, learningCurveSvg, type PlotOptions, smooth } from "./plot.js";
export { type ProgressMode, type ProgressStream, terminalProgress } from "./progress.js";
export {
  evaluateModel,
  latestCheckpoint,
  loadModelWithEnv,
  locateModel,
  makeTrainEnv,
  type RunConfig,
  type RunConfigFile,
  type RunSummary,
  readEpisodes,
  readRunConfig,
  resolveRunConfig,
  resumeRun,
  type TrainRunOptions,
  trainRun,
} from "./run.js";
export {
  type DecodedEvent,
  decodeEvent,
  encodeEvent,
  readEventFile,
  readTfRecords,
  TensorBoardSink,
  tfRecord,
} from "./tensorboard.js";
export { type AlgoZoo, listZooEntries, ZOOS, type ZooEntry, zooEntry } from "./zoo/index.js";
