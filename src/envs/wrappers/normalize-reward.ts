import { RunningMeanStd } from "../../core/running-mean-std.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { type Env, envName, type StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import { checkRms } from "./normalize-observation.js";
import type { WrapperState } from "./wrapper.js";
import { reusedStepResult, Wrapper } from "./wrapper.js";

/** Saved statistics of a NormalizeReward wrapper. */
export interface NormalizeRewardState {
  mean: number;
  var: number;
  count: number;
  discountedReward: number;
}

/**
 * Gymnasium's NormalizeReward: keeps the discounted return G = gamma * G * (1 - terminated) + r, updates a running
 * variance of G (unless frozen with `updateRunningMean = false`), and returns r / sqrt(var(G) + epsilon), optionally
 * clipped to [-clip, clip] (SB3's VecNormalize clips at 10; Gymnasium does not, the default here).
 * As in Gymnasium, G restarts only on termination, not on truncation, and the mean is not subtracted.
 */
export class NormalizeReward<O, A> extends Wrapper<O, A> {
  readonly returnRms = new RunningMeanStd();
  readonly gamma: number;
  readonly epsilon: number;
  readonly clip: number;
  /** When false the statistics are frozen; rewards are still scaled. */
  updateRunningMean = true;
  /** The running discounted return G. */
  discountedReward = 0;
  private readonly g = new Float64Array(1);
  private readonly result = reusedStepResult<O>();

  constructor(env: Env<O, A>, opts: { gamma?: number; epsilon?: number; clip?: number } = {}) {
    super(env);
    const where = `NormalizeReward(${envName(env)})`;
    this.gamma = opts.gamma ?? 0.99;
    if (typeof this.gamma !== "number" || !(this.gamma >= 0 && this.gamma <= 1)) {
      throw new InvalidArgumentError(`${where}: gamma must be a number in [0, 1], got ${describe(opts.gamma)}`);
    }
    this.epsilon = opts.epsilon ?? 1e-8;
    this.clip = opts.clip ?? Infinity;
    for (const [name, v] of [
      ["epsilon", this.epsilon],
      ["clip", this.clip],
    ] as const) {
      if (typeof v !== "number" || !(v > 0)) {
        throw new InvalidArgumentError(`${where}: ${name} must be a number > 0, got ${describe(v)}`);
      }
    }
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.discountedReward = this.discountedReward * this.gamma * (r.terminated ? 0 : 1) + r.reward;
    if (this.updateRunningMean) {
      this.g[0] = this.discountedReward;
      this.returnRms.update(this.g, 1);
    }
    const scaled = r.reward / Math.sqrt(this.returnRms.var[0] + this.epsilon);
    const out = this.result;
    out.observation = r.observation;
    out.reward = Math.min(this.clip, Math.max(-this.clip, scaled));
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }

  getState(): NormalizeRewardState {
    const s = this.returnRms.getState();
    return { mean: s.mean[0], var: s.var[0], count: s.count, discountedReward: this.discountedReward };
  }

  setState(state: NormalizeRewardState): void {
    if (typeof state?.discountedReward !== "number" || !Number.isFinite(state.discountedReward)) {
      throw new InvalidArgumentError(
        `NormalizeReward.setState expects { mean, var, count, discountedReward } with finite numbers, got ${describe(state)}`,
      );
    }
    this.returnRms.setState({ mean: [state.mean], var: [state.var], count: state.count });
    this.discountedReward = state.discountedReward;
  }

  /** The statistics, the running return G (and whether they are frozen); gamma, epsilon and clip must match. */
  protected override snapshotOwn(): WrapperState {
    const s = this.getState();
    return {
      kind: "NormalizeReward",
      json: { updateRunningMean: this.updateRunningMean },
      arrays: {
        stats: Float64Array.of(s.mean, s.var, s.count, s.discountedReward),
        config: Float64Array.of(this.gamma, this.epsilon, this.clip),
      },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    const config = reader.array("config", Float64Array, 3, true);
    if (!Object.is(config[0], this.gamma) || !Object.is(config[1], this.epsilon) || !Object.is(config[2], this.clip)) {
      throw reader.error(
        `gamma, epsilon, clip are ${config.join(", ")}; this wrapper has ${this.gamma}, ${this.epsilon}, ${this.clip}`,
      );
    }
    const update = reader.bool("updateRunningMean");
    const [mean, variance, count, discountedReward] = reader.array("stats", Float64Array, 4);
    checkRms(reader, this.returnRms, { mean: [mean], var: [variance], count });
    return () => {
      this.setState({ mean, var: variance, count, discountedReward });
      this.updateRunningMean = update;
    };
  }
}
