import { cos } from "../../core/math/index.js";
import { Box } from "../../spaces/box.js";
import { envName, type StepResult } from "../env.js";
import {
  MOUNTAIN_CAR_MAX_POSITION,
  MOUNTAIN_CAR_MAX_SPEED,
  MOUNTAIN_CAR_MIN_POSITION,
  MountainCarBase,
  type MountainCarOptions,
} from "./mountain-car-base.js";
import { isFiniteScalarAction, notResetError, scalarActionError } from "./utils.js";

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const GOAL_POSITION = 0.45; // was 0.5 in gym, 0.45 in Arnaud de Broissia's version
const POWER = 0.0015;

export type MountainCarContinuousOptions = MountainCarOptions;

/**
 * Gymnasium's MountainCarContinuous-v0: a force in [-1, 1] (actions outside are clipped); reward 100 on reaching
 * position 0.45 minus 0.1 * action^2 (of the unclipped action) per step. State [position, velocity], rounded to
 * float32 after every step as in Gymnasium.
 */
export class MountainCarContinuousEnv extends MountainCarBase<Float32Array> {
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);

  constructor(opts: MountainCarContinuousOptions = {}) {
    super("MountainCarContinuous", GOAL_POSITION, opts);
  }

  /** The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: Float32Array): StepResult<Float32Array> {
    if (!isFiniteScalarAction(action)) throw scalarActionError(envName(this), action, MIN_ACTION, MAX_ACTION);
    const a = action[0];
    if (!this.hasState) throw notResetError(envName(this));
    let position = this.position;
    let velocity = this.velocity;
    const force = Math.min(Math.max(a, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * cos(3 * position);
    // clamps as min/max (same values as Gymnasium's if-chains; a branch that assigns an imported constant
    // would make V8 box the result)
    velocity = Math.min(Math.max(velocity, -MOUNTAIN_CAR_MAX_SPEED), MOUNTAIN_CAR_MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MOUNTAIN_CAR_MIN_POSITION), MOUNTAIN_CAR_MAX_POSITION);
    if (position === MOUNTAIN_CAR_MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    let reward = terminated ? 100.0 : 0;
    reward -= a * a * 0.1;
    // Gymnasium keeps the state as float32 after a step
    this.position = Math.fround(position);
    this.velocity = Math.fround(velocity);
    this.writeObservation();
    const r = this.result;
    r.reward = reward;
    r.terminated = terminated;
    return r;
  }
}
