// Public API of distributions: the action distributions of policy-gradient methods, differentiable through the tape.
export { Bernoulli } from "./bernoulli.js";
export { Categorical, type CategoricalOptions } from "./categorical.js";
export { DiagGaussian } from "./diag-gaussian.js";
export { Gsde, GsdeDistribution, type GsdeOptions } from "./gsde.js";
export { MultiCategorical } from "./multi-categorical.js";
export { SquashedDiagGaussian, tanhLogDetJacobian } from "./squashed-diag-gaussian.js";
