// Public entry point of tsrl: the stable API. Each layer's barrel decides what it exports.
// src/browser.ts is this API without the Node-only helpers below, and is what bundlers pick for a browser (package.json
// `exports` conditions). The Node-only training tools (run folders, metric files, TensorBoard logs, the zoo runner)
// are the `tsrl/train` entry (src/train/index.ts); the tuned hyperparameter tables alone, browser-safe, `tsrl/zoo`.
export * from "./browser.js";
export { gifFolderSink } from "./platform/gif-folder.js";
