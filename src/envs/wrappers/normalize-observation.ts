import { RunningMeanStd, type RunningMeanStdState } from "../../core/running-mean-std.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { type Env, envName } from "../env.js";
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
}

function positive(name: string, value: number, env: Env<unknown, unknown>): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(
      `NormalizeObservation(${envName(env)}): ${name} must be a number > 0, got ${describe(value)}`,
    );
  }
  return value;
}
