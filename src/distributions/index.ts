// Public API of distributions: the action distributions of policy-gradient methods, differentiable through the tape.
export { Categorical } from "./categorical.js";
export { DiagGaussian } from "./diag-gaussian.js";
