import type { ActorCriticPolicy } from "./actor-critic-policy.js";
import { clipGradNormFlat, type FlatOptimizer } from "./flat-optimizer.js";
import { normalizeInPlace } from "./normalize-advantages.js";
import type { RolloutBuffer } from "./rollout-buffer.js";

// The two halves of a single-gradient-step update on the whole rollout (A2C, REINFORCE), which differ only in the
// per-row loss weights computed between them.

/** What the current policy says about the rollout, all rows at once. */
export interface RolloutEvaluation {
  n: number;
  /** the buffer's advantages (standardized in place when asked) */
  adv: Float64Array;
  values: Float64Array;
  logProb: Float64Array;
  entropy: Float64Array;
}

/**
 * Forward the whole rollout through the policy: V(s), log pi(a|s) (copied into `oldLogProb` for the KL diagnostic
 * after the step) and H(pi(.|s)); standardize the advantages first when `normalizeAdvantage`.
 */
export function evaluateRollout(
  policy: ActorCriticPolicy,
  buffer: RolloutBuffer,
  normalizeAdvantage: boolean,
  oldLogProb: Float64Array,
): RolloutEvaluation {
  const n = buffer.size;
  const adv = buffer.advantages;
  if (normalizeAdvantage) normalizeInPlace(adv, n);
  const values = policy.forward(buffer.observations, n);
  const logProb = policy.logProb(buffer.actions);
  oldLogProb.set(logProb.subarray(0, n));
  return { n, adv, values, logProb, entropy: policy.entropy() };
}

/**
 * One gradient step: backpropagate dL/dlog pi (`gLogProb`), the entropy coefficient `gEntropy` and dL/dV
 * (`gValue`, null without a value loss) for the rows of the last forward, clip to global norm `maxGradNorm`,
 * step the optimizer. Returns the gradient norm before clipping.
 */
export function applyGradientStep(
  policy: ActorCriticPolicy,
  buffer: RolloutBuffer,
  optimizer: FlatOptimizer,
  gLogProb: Float64Array,
  gEntropy: number,
  gValue: Float64Array | null,
  maxGradNorm: number,
): number {
  policy.grads.fill(0);
  policy.backward(buffer.actions, gLogProb, gEntropy, gValue);
  const gradNorm = clipGradNormFlat(policy.grads, 0, policy.numParams, maxGradNorm);
  optimizer.step(policy.params, policy.grads);
  policy.markParamsChanged();
  return gradNorm;
}
