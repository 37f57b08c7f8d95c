// Public entry point of tsrl: the stable API. Each layer's barrel decides what it exports.
export * from "./algos/index.js";
export * from "./core/index.js";
export * from "./distributions/index.js";
export * from "./envs/index.js";
export * from "./errors.js";
export * from "./nn/index.js";
export { gifFolderSink } from "./platform/gif-folder.js";
export * from "./train/index.js";
