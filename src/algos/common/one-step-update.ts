import type { ActorCriticPolicy } from "./actor-critic-policy.js";
import type { ArenaOptimizer } from "./arena-optimizer.js";
import { normalizeInPlace } from "./normalize-advantages.js";
import type { RolloutBuffer } from "./rollout-buffer.js";

// The single-gradient-step update on the whole rollout (A2C, REINFORCE): evaluate every row, let the algorithm
// write its per-row loss weights into gLogProb and gValue, then step.

/** What the current policy says about the rollout, all rows at once. */
export interface RolloutEvaluation {
  n: number;
  /** the buffer's advantages (standardized in place when asked) */
  adv: Float64Array;
  values: Float64Array;
  logProb: Float64Array;
  entropy: Float64Array;
}

export class WholeRolloutStep {
  /** dL/dlog pi(a_i|s_i) per row, written by the algorithm between `evaluate` and `apply` */
  readonly gLogProb: Float64Array;
  /** dL/dV(s_i) per row, likewise */
  readonly gValue: Float64Array;
  /** log pi_old(a_i|s_i) of the rows before the step, for the approx-KL diagnostic after it */
  readonly oldLogProb: Float64Array;

  constructor(rows: number) {
    this.gLogProb = new Float64Array(rows);
    this.gValue = new Float64Array(rows);
    this.oldLogProb = new Float64Array(rows);
  }

  /**
   * Forward the whole rollout through the policy: V(s), log pi(a|s) (kept in `oldLogProb`) and H(pi(.|s));
   * standardize the advantages first when `normalizeAdvantage`.
   */
  evaluate(policy: ActorCriticPolicy, buffer: RolloutBuffer, normalizeAdvantage: boolean): RolloutEvaluation {
    const n = buffer.size;
    const adv = buffer.advantages;
    if (normalizeAdvantage) normalizeInPlace(adv, n);
    const values = policy.forward(buffer.observations, n);
    const logProb = policy.logProb(buffer.actions);
    this.oldLogProb.set(logProb.subarray(0, n));
    return { n, adv, values, logProb, entropy: policy.entropy() };
  }

  /**
   * One gradient step: backpropagate `gLogProb`, the entropy coefficient `gEntropy` and (with `valueLoss`)
   * `gValue` for the rows of the last forward, clip to global norm `maxGradNorm`, step the optimizer.
   * Returns the gradient norm before clipping.
   */
  apply(
    policy: ActorCriticPolicy,
    buffer: RolloutBuffer,
    optimizer: ArenaOptimizer,
    gEntropy: number,
    valueLoss: boolean,
    maxGradNorm: number,
  ): number {
    const gValue = valueLoss ? this.gValue : null;
    return policy.arenaGradientStep(buffer.actions, this.gLogProb, gEntropy, gValue, optimizer, maxGradNorm);
  }
}
