import { describe, InvalidArgumentError, NonFiniteError, ShapeError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { type Env, envName } from "../env.js";
import type { WrapperState } from "./wrapper.js";
import { ActionWrapper } from "./wrapper.js";

/**
 * Gymnasium's RescaleAction: the agent acts in [minAction, maxAction] (scalars or per-dimension arrays) and each
 * action is mapped affinely onto the inner Box's [low, high], then clipped to it:
 *   a_env = clip(low + (high - low) * (a - minAction) / (maxAction - minAction), low, high).
 * Both boxes must be bounded. A non-finite action throws NonFiniteError.
 */
export class RescaleAction<O> extends ActionWrapper<O, ArrayLike<number>, Float32Array> {
  private readonly gradient: Float64Array;
  private readonly intercept: Float64Array;
  private readonly box: Box;
  private readonly out: Float32Array;

  constructor(env: Env<O, Float32Array>, minAction: number | ArrayLike<number>, maxAction: number | ArrayLike<number>) {
    super(env);
    const where = `RescaleAction(${envName(env)})`;
    const space = env.actionSpace;
    if (!(space instanceof Box) || !space.isBounded("both")) {
      throw new InvalidArgumentError(`${where}: the action space must be a bounded Box, got ${space}`);
    }
    const target = new Box(minAction, maxAction, space.shape);
    if (!target.isBounded("both") || target.low.some((lo, i) => !(lo < target.high[i]))) {
      throw new InvalidArgumentError(
        `${where}: need finite minAction < maxAction elementwise, got ${describe(minAction)} and ${describe(maxAction)}`,
      );
    }
    this.box = space;
    this.gradient = new Float64Array(space.size);
    this.intercept = new Float64Array(space.size);
    for (let i = 0; i < space.size; i++) {
      this.gradient[i] = (space.high[i] - space.low[i]) / (target.high[i] - target.low[i]);
      this.intercept[i] = space.low[i] - this.gradient[i] * target.low[i];
    }
    this.out = new Float32Array(space.size);
    this.actionSpace = target as unknown as typeof this.actionSpace;
  }

  action(action: ArrayLike<number>): Float32Array {
    if (action === null || typeof action !== "object" || action.length !== this.out.length) {
      throw new ShapeError(
        `RescaleAction(${envName(this)}): action must hold ${this.out.length} numbers, got ${describe(action)}`,
      );
    }
    const { low, high } = this.box;
    for (let i = 0; i < this.out.length; i++) {
      const a = action[i];
      if (typeof a !== "number" || !Number.isFinite(a)) {
        throw new NonFiniteError(
          `RescaleAction(${envName(this)}): action[${i}] is ${describe(a)}; expected a finite number`,
        );
      }
      this.out[i] = Math.min(high[i], Math.max(low[i], a * this.gradient[i] + this.intercept[i]));
    }
    return this.out;
  }
  /** No state of its own. */
  protected override snapshotOwn(): WrapperState {
    return { kind: "RescaleAction", json: {} };
  }
}
