// Public entry point of tsrl: the stable API.

export { Rng, type RngState } from "./core/rng.js";
export * from "./errors.js";
