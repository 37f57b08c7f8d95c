import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { type Env, envName } from "../env.js";
import type { WrapperState } from "./wrapper.js";
import { ActionWrapper } from "./wrapper.js";

/**
 * Gymnasium's ClipAction: clips each action to the inner Box's [low, high] before it reaches the env; the wrapper's
 * action space is unbounded, as in Gymnasium 1.x. NaN cannot be clipped and throws NonFiniteError.
 */
export class ClipAction<O> extends ActionWrapper<O, ArrayLike<number>, Float32Array> {
  private readonly box: Box;
  private readonly out: Float32Array;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    const space = env.actionSpace;
    if (!(space instanceof Box)) {
      throw new InvalidArgumentError(`ClipAction(${envName(env)}): the action space must be a Box, got ${space}`);
    }
    this.box = space;
    this.out = new Float32Array(space.size);
    this.actionSpace = new Box(-Infinity, Infinity, space.shape) as unknown as typeof this.actionSpace;
  }

  action(action: ArrayLike<number>): Float32Array {
    const { low, high } = this.box;
    if (action === null || typeof action !== "object" || action.length !== this.out.length) {
      throw new ShapeError(
        `ClipAction(${envName(this)}): action must hold ${this.out.length} numbers, got ${describe(action)}`,
      );
    }
    for (let i = 0; i < this.out.length; i++) {
      const a = action[i];
      if (Number.isNaN(a) || typeof a !== "number") {
        throw new NonFiniteError(`ClipAction(${envName(this)}): action[${i}] is ${describe(a)}; expected a number`);
      }
      this.out[i] = Math.min(high[i], Math.max(low[i], a));
    }
    return this.out;
  }
  /** No state of its own. */
  protected override snapshotOwn(): WrapperState {
    return { kind: "ClipAction", json: {} };
  }
}
