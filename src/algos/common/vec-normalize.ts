import { RunningMeanStd, type RunningMeanStdState } from "../../core/running-mean-std.js";
import { describe, InvalidArgumentError } from "../../errors.js";

export interface VecNormalizeOptions {
  normalizeObs: boolean;
  normalizeReward: boolean;
  /** observations are clipped to [-clipObs, clipObs] after normalization (default 10) */
  clipObs: number;
  /** scaled rewards are clipped to [-clipReward, clipReward] (default 10) */
  clipReward: number;
  /** discount of the running return whose std scales rewards (the algorithm's gamma) */
  gamma: number;
  epsilon: number;
}

/** Saved form: running statistics (and the per-env discounted returns), plain JSON. */
export interface VecNormalizeState {
  obs: RunningMeanStdState | null;
  ret: RunningMeanStdState | null;
  returns: number[];
}

/**
 * Observation and reward normalization for a vector of envs, as SB3's VecNormalize, but owned by the model so
 * its statistics are saved with it (SB3 saves them in a separate file):
 *   obs'  = clip((obs - mean_obs) / sqrt(var_obs + eps), -clipObs, clipObs), statistics updated with every raw obs
 *   ret   = gamma ret (1 - done_prev) + r ;   r' = clip(r / sqrt(var_ret + eps), -clipReward, clipReward)
 * Rewards are only scaled (never shifted), which keeps the sign of what the agent is paid.
 */
export class VecNormalize {
  readonly obsRms: RunningMeanStd | null;
  readonly retRms: RunningMeanStd | null;
  private readonly returns: Float64Array;

  constructor(
    readonly obsDim: number,
    readonly numEnvs: number,
    readonly opts: VecNormalizeOptions,
  ) {
    for (const k of ["clipObs", "clipReward", "epsilon"] as const) {
      if (!(opts[k] > 0)) throw new InvalidArgumentError(`${k} must be > 0, got ${describe(opts[k])}`);
    }
    this.obsRms = opts.normalizeObs ? new RunningMeanStd([obsDim]) : null;
    this.retRms = opts.normalizeReward ? new RunningMeanStd([]) : null;
    this.returns = new Float64Array(numEnvs);
  }

  get active(): boolean {
    return this.obsRms !== null;
  }

  /** Update the observation statistics with `count` raw rows (training only). */
  updateObs(raw: Float32Array, count: number): void {
    this.obsRms?.update(raw, count);
  }

  /** Normalize `count` rows of raw observations into `out` (copies when observation normalization is off). */
  normalizeObs(raw: Float32Array, count: number, out: Float32Array): Float32Array {
    const n = count * this.obsDim;
    if (this.obsRms === null) {
      for (let i = 0; i < n; i++) out[i] = raw[i];
      return out;
    }
    const { mean, var: v } = this.obsRms;
    const { clipObs, epsilon } = this.opts;
    const d = this.obsDim;
    for (let i = 0; i < n; i++) {
      const j = i % d;
      const x = (raw[i] - mean[j]) / Math.sqrt(v[j] + epsilon);
      out[i] = Math.min(Math.max(x, -clipObs), clipObs);
    }
    return out;
  }

  /** Scale one vector step of rewards into `out`, updating the return statistics; `dones` end the running returns. */
  normalizeRewards(
    rewards: Float64Array,
    terminated: Uint8Array,
    truncated: Uint8Array,
    out: Float64Array,
  ): Float64Array {
    if (this.retRms === null) {
      for (let e = 0; e < this.numEnvs; e++) out[e] = rewards[e];
      return out;
    }
    const { gamma, clipReward, epsilon } = this.opts;
    for (let e = 0; e < this.numEnvs; e++) this.returns[e] = this.returns[e] * gamma + rewards[e];
    this.retRms.update(this.returns, this.numEnvs);
    const scale = 1 / Math.sqrt(this.retRms.var[0] + epsilon);
    for (let e = 0; e < this.numEnvs; e++) {
      const r = rewards[e] * scale;
      out[e] = Math.min(Math.max(r, -clipReward), clipReward);
      if (terminated[e] || truncated[e]) this.returns[e] = 0;
    }
    return out;
  }

  getState(): VecNormalizeState {
    return {
      obs: this.obsRms?.getState() ?? null,
      ret: this.retRms?.getState() ?? null,
      returns: Array.from(this.returns),
    };
  }

  setState(s: VecNormalizeState): void {
    if (
      s === null ||
      typeof s !== "object" ||
      !Array.isArray(s.returns) ||
      !s.returns.every((r) => typeof r === "number" && Number.isFinite(r))
    ) {
      throw new InvalidArgumentError(
        `normalizer state must be { obs, ret, returns: finite numbers }, got ${describe(s)}`,
      );
    }
    if ((s.obs === null) !== (this.obsRms === null) || (s.ret === null) !== (this.retRms === null)) {
      throw new InvalidArgumentError("normalizer state does not match the normalizeObs/normalizeReward options");
    }
    if (s.obs !== null) this.obsRms?.setState(s.obs);
    if (s.ret !== null) this.retRms?.setState(s.ret);
    // the running discounted returns belong to the episodes in progress: a model attached to another number of
    // envs (evaluation) starts its episodes afresh
    if (s.returns.length === this.numEnvs) this.returns.set(s.returns);
    else this.returns.fill(0);
  }
}
