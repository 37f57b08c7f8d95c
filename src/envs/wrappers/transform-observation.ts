import type { Space } from "../../spaces/space.js";
import type { Env } from "../env.js";
import type { WrapperState } from "./wrapper.js";
import { ObservationWrapper } from "./wrapper.js";

/**
 * Gymnasium's TransformObservation: applies `fn` to every observation. Pass the transformed observation space when
 * `fn` changes it (otherwise the inner space is kept).
 */
export class TransformObservation<WO, A, O> extends ObservationWrapper<WO, A, O> {
  private readonly fn: (observation: O) => WO;

  constructor(env: Env<O, A>, fn: (observation: O) => WO, observationSpace?: Space<WO>) {
    super(env);
    this.fn = fn;
    if (observationSpace !== undefined) this.observationSpace = observationSpace;
  }

  observation(observation: O): WO {
    return this.fn(observation);
  }
  /** No state of its own (`fn` must be a pure function for a snapshot to be exact). */
  protected override snapshotOwn(): WrapperState {
    return { kind: "TransformObservation", json: {} };
  }
}
