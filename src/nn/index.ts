// Public API of nn: layers, initialisers, optimizers, gradient clipping, Polyak averaging and schedules.
export { clipGradNorm } from "./clip-grad.js";
export { type FisherHead, fisherParameters, fisherVectorProduct, type JvpModule } from "./fisher-vector-product.js";
export { constantInit, defaultLinearInit, orthogonalInit, uniformInit } from "./init.js";
export { Linear, type LinearOptions } from "./linear.js";
export { type Activation, MLP, type MLPOptions } from "./mlp.js";
export { type Module, parameterCount, zeroGrad } from "./module.js";
export { Adam, type AdamOptions } from "./optim/adam.js";
export { Optimizer, type OptimizerState } from "./optim/optimizer.js";
export { RMSprop, type RMSpropOptions } from "./optim/rmsprop.js";
export { SGD, type SGDOptions } from "./optim/sgd.js";
export { polyakUpdate } from "./polyak.js";
export { constantSchedule, linearSchedule, type Schedule, toSchedule } from "./schedules.js";
export { loadParameters, type ParametersSidecar, type SavedParameters, saveParameters } from "./serialize.js";
