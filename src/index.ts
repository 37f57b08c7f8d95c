// Public entry point of tsrl: the stable API. Each layer's barrel decides what it exports.
// Everything here runs in a browser as in Node; the Node-only training tools (run folders, metric files,
// TensorBoard logs, the zoo runner) are the `tsrl/train` entry (src/train/index.ts).
export * from "./algos/index.js";
export * from "./core/index.js";
export * from "./distributions/index.js";
export * from "./envs/index.js";
export * from "./errors.js";
export * from "./nn/index.js";
export { gifFolderSink } from "./platform/gif-folder.js";

// the tuned tables (plain data) behind Algo.fromZoo
import "./train/zoo/index.js";
