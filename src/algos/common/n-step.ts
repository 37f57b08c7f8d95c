/**
 * Turns 1-step transitions into n-step ones (Sutton 1988; used by Rainbow): per env it holds the last n steps and
 * emits (s_t, a_t, R = sum_{i<k} gamma^i r_{t+i}, s_{t+k}, terminated, k) with k = n, or k < n for the steps still
 * pending when an episode ends (then s_{t+k} is the episode's final observation and `terminated` says whether it
 * is terminal). The learner bootstraps with gamma^k max_a Q(s_{t+k}, a) unless terminated.
 */
export type NStepSink = (
  obs: Float32Array,
  action: number,
  ret: number,
  nextObs: Float32Array,
  terminated: boolean,
  truncated: boolean,
  steps: number,
) => void;

export class NStepAccumulator {
  private readonly obs: Float32Array; // [numEnvs, n, obsDim] ring per env
  private readonly actions: Int32Array; // [numEnvs, n]
  private readonly rewards: Float64Array; // [numEnvs, n]
  private readonly head: Int32Array; // oldest entry of each env's ring
  private readonly count: Int32Array;

  constructor(
    readonly n: number,
    readonly gamma: number,
    readonly numEnvs: number,
    readonly obsDim: number,
  ) {
    this.obs = new Float32Array(numEnvs * n * obsDim);
    this.actions = new Int32Array(numEnvs * n);
    this.rewards = new Float64Array(numEnvs * n);
    this.head = new Int32Array(numEnvs);
    this.count = new Int32Array(numEnvs);
  }

  /**
   * Record env `e`'s step (s, a, r) -> s' and emit every n-step transition it completes. `nextObs` is s' (the final
   * observation when the episode ended).
   */
  push(
    e: number,
    obs: Float32Array,
    action: number,
    reward: number,
    nextObs: Float32Array,
    terminated: boolean,
    truncated: boolean,
    sink: NStepSink,
  ): void {
    const { n, obsDim } = this;
    const slot = (this.head[e] + this.count[e]) % n;
    this.obs.set(obs, (e * n + slot) * obsDim);
    this.actions[e * n + slot] = action;
    this.rewards[e * n + slot] = reward;
    this.count[e]++;
    if (terminated || truncated) {
      // the episode ended: every pending start gets its (shorter) return, bootstrapped or not by the end's kind
      while (this.count[e] > 0) this.emitOldest(e, nextObs, terminated, truncated, sink);
      this.head[e] = 0;
    } else if (this.count[e] === n) {
      this.emitOldest(e, nextObs, false, false, sink);
    }
  }

  private emitOldest(e: number, nextObs: Float32Array, terminated: boolean, truncated: boolean, sink: NStepSink): void {
    const { n, obsDim, gamma } = this;
    const h = this.head[e];
    const k = this.count[e];
    let ret = 0;
    let discount = 1;
    for (let i = 0; i < k; i++) {
      ret += discount * this.rewards[e * n + ((h + i) % n)];
      discount *= gamma;
    }
    const base = (e * n + h) * obsDim;
    sink(this.obs.subarray(base, base + obsDim), this.actions[e * n + h], ret, nextObs, terminated, truncated, k);
    this.head[e] = (h + 1) % n;
    this.count[e]--;
  }
}
