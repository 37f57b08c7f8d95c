// Public entry point of tsrl for browsers (the package's `browser` export condition): the whole stable API except
// the Node-only helpers, which src/index.ts adds. Nothing reachable from here imports a `node:` module, so esbuild,
// Vite and webpack bundle a page from it with their default settings (test/packaging/browser-bundle.test.ts).
export * from "./algos/index.js";
export * from "./core/index.js";
export * from "./distributions/index.js";
export * from "./envs/index.js";
export * from "./errors.js";
export * from "./interop/index.js";
export * from "./nn/index.js";

// the tuned tables (plain data) behind Algo.fromZoo
import "./train/zoo/index.js";
