import { RunningMeanStd, type RunningMeanStdState } from "../../core/running-mean-std.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { type Env, envName } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { ObservationWrapper } from "./wrapper.js";

/**
 * Gymnasium's NormalizeObservation: each observation updates a running mean/variance (unless frozen with
 * `updateRunningMean = false`) and is returned as (obs - mean) / sqrt(var + epsilon), optionally clipped to
 * [-clip, clip] (SB3's VecNormalize clips at 10; Gymnasium does not clip, the default here). The observation space
 * becomes unbounded, as in Gymnasium 1.x. The statistics are `obsRms`; `getState`/`setState` save and restore them.
 * The returned Float32Array is owned by the wrapper and overwritten by the next reset/step.
 */
export class NormalizeObservation<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
  readonly obsRms: RunningMeanStd;
  readonly epsilon: number;
  readonly clip: number;
  /** When false the statistics are frozen (evaluation); observations are still normalized. */
  updateRunningMean = true;
  private readonly out: Float32Array;

  constructor(env: Env<Float32Array, A>, opts: { epsilon?: number; clip?: number } = {}) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box)) {
      throw new InvalidArgumentError(
        `NormalizeObservation(${envName(env)}): the observation space must be a Box, got ${space}`,
      );
    }
    this.epsilon = positive("epsilon", opts.epsilon ?? 1e-8, env);
    this.clip = positive("clip", opts.clip ?? Infinity, env);
    this.obsRms = new RunningMeanStd(space.shape.length === 0 ? [] : space.shape);
    this.out = new Float32Array(space.size);
    this.observationSpace = new Box(-Infinity, Infinity, space.shape);
  }

  observation(observation: Float32Array): Float32Array {
    if (this.updateRunningMean) this.obsRms.update(observation, 1);
    return this.obsRms.normalize(observation, this.out, this.clip, this.epsilon);
  }

  getState(): RunningMeanStdState {
    return this.obsRms.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.obsRms.setState(state);
  }

  /** The statistics (and whether they are frozen); epsilon and clip must match. */
  protected override snapshotOwn(): WrapperState {
    const s = this.obsRms.getState();
    return {
      kind: "NormalizeObservation",
      json: { updateRunningMean: this.updateRunningMean },
      arrays: {
        mean: Float64Array.from(s.mean),
        var: Float64Array.from(s.var),
        count: Float64Array.of(s.count),
        config: Float64Array.of(this.epsilon, this.clip),
      },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    const config = reader.array("config", Float64Array, 2, true);
    if (!Object.is(config[0], this.epsilon) || !Object.is(config[1], this.clip)) {
      throw reader.error(
        `epsilon, clip are ${config[0]}, ${config[1]}; this wrapper has ${this.epsilon}, ${this.clip}`,
      );
    }
    const update = reader.bool("updateRunningMean");
    const size = this.obsRms.mean.length;
    const state = {
      mean: Array.from(reader.array("mean", Float64Array, size)),
      var: Array.from(reader.array("var", Float64Array, size)),
      count: reader.array("count", Float64Array, 1)[0],
    };
    checkRms(reader, this.obsRms, state);
    return () => {
      this.obsRms.setState(state);
      this.updateRunningMean = update;
    };
  }
}

/** Validate statistics for `rms` without changing it (RunningMeanStd.setState on a copy). */
export function checkRms(reader: SnapshotReader, rms: RunningMeanStd, state: RunningMeanStdState): void {
  try {
    rms.clone().setState(state);
  } catch (e) {
    throw reader.error((e as Error).message);
  }
}

function positive(name: string, value: number, env: Env<unknown, unknown>): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(
      `NormalizeObservation(${envName(env)}): ${name} must be a number > 0, got ${describe(value)}`,
    );
  }
  return value;
}
