/**
 * Generalized Advantage Estimation (Schulman et al. 2016) over a rollout laid out [nSteps, nEnvs], row-major.
 *
 *   delta_t = r_t + gamma * V(s_{t+1}) * (1 - done_t) + gamma * V(final_t) * truncated_t - V(s_t)
 *   A_t     = delta_t + gamma * lambda * (1 - done_t) * A_{t+1}         (done_t = terminated_t | truncated_t)
 *   R_t     = A_t + V(s_t)                                               (the value target)
 *
 * lambda = 1 gives Monte-Carlo (or n-step, bootstrapped at the rollout end) returns minus the baseline;
 * lambda = 0 gives the one-step TD advantage. A truncated episode bootstraps from V(final observation), which the
 * caller stores in `truncatedValues`; a terminated one does not bootstrap at all.
 */
export interface GaeInputs {
  readonly nSteps: number;
  readonly nEnvs: number;
  readonly rewards: ArrayLike<number>; // [nSteps * nEnvs]
  readonly values: ArrayLike<number>; // V(s_t), [nSteps * nEnvs]
  readonly terminated: ArrayLike<number>; // 0/1, [nSteps * nEnvs]
  readonly truncated: ArrayLike<number>; // 0/1, [nSteps * nEnvs]
  readonly truncatedValues: ArrayLike<number>; // V(final observation) where truncated, ignored elsewhere
  readonly lastValues: ArrayLike<number>; // V(s_T) of the observation after the rollout, [nEnvs]
}

/** Write advantages and returns (value targets), each [nSteps * nEnvs]; allocates nothing. */
export function computeGae(
  inp: GaeInputs,
  gamma: number,
  gaeLambda: number,
  advantages: Float64Array | Float32Array,
  returns: Float64Array | Float32Array,
): void {
  const { nSteps, nEnvs, rewards, values, terminated, truncated, truncatedValues, lastValues } = inp;
  for (let e = 0; e < nEnvs; e++) {
    let nextAdvantage = 0;
    let nextValue = lastValues[e];
    for (let t = nSteps - 1; t >= 0; t--) {
      const i = t * nEnvs + e;
      const term = terminated[i] !== 0;
      const trunc = truncated[i] !== 0 && !term;
      // bootstrap value of the successor: next state's V, V(final obs) on truncation, 0 on termination
      const bootstrap = term ? 0 : trunc ? truncatedValues[i] : nextValue;
      const delta = rewards[i] + gamma * bootstrap - values[i];
      const continues = term || trunc ? 0 : 1;
      nextAdvantage = delta + gamma * gaeLambda * continues * nextAdvantage;
      advantages[i] = nextAdvantage;
      returns[i] = nextAdvantage + values[i];
      nextValue = values[i];
    }
  }
}

/**
 * Discounted reward-to-go G_t = sum_k gamma^k r_{t+k}, cut at episode ends, bootstrapped from V(final
 * observation) on truncation and from `lastValues` at the rollout end (pass zeros for pure Monte Carlo).
 * This is GAE with lambda = 1 and V = 0 inside the episode.
 */
export function computeRewardToGo(
  inp: Omit<GaeInputs, "values">,
  gamma: number,
  returns: Float64Array | Float32Array,
): void {
  const { nSteps, nEnvs, rewards, terminated, truncated, truncatedValues, lastValues } = inp;
  for (let e = 0; e < nEnvs; e++) {
    let next = lastValues[e];
    for (let t = nSteps - 1; t >= 0; t--) {
      const i = t * nEnvs + e;
      if (terminated[i] !== 0) next = 0;
      else if (truncated[i] !== 0) next = truncatedValues[i];
      next = rewards[i] + gamma * next;
      returns[i] = next;
    }
  }
}
