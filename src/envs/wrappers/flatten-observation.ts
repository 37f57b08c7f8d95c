import type { Box } from "../../spaces/box.js";
import { flatten, flattenSpace } from "../../spaces/utils.js";
import type { Env } from "../env.js";
import type { WrapperState } from "./wrapper.js";
import { ObservationWrapper } from "./wrapper.js";

/**
 * Gymnasium's FlattenObservation: observations become flat Float32Arrays in `flattenSpace(inner space)` (Box values
 * as they are, Discrete as one-hot, Tuple/Dict concatenated). The returned array is owned by the wrapper and
 * overwritten by the next reset/step.
 */
export class FlattenObservation<O, A> extends ObservationWrapper<Float32Array, A, O> {
  private readonly innerSpace: Env<O, A>["observationSpace"];
  private readonly out: Float32Array;

  constructor(env: Env<O, A>) {
    super(env);
    this.innerSpace = env.observationSpace;
    const flat: Box = flattenSpace(env.observationSpace);
    this.out = new Float32Array(flat.size);
    this.observationSpace = flat;
  }

  observation(observation: O): Float32Array {
    return flatten(this.innerSpace, observation, this.out);
  }
  /** No state of its own. */
  protected override snapshotOwn(): WrapperState {
    return { kind: "FlattenObservation", json: {} };
  }
}
