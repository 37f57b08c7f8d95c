import { cos } from "../../core/math/index.js";
import { Discrete } from "../../spaces/discrete.js";
import { envName, type StepResult } from "../env.js";
import {
  MOUNTAIN_CAR_MAX_POSITION,
  MOUNTAIN_CAR_MAX_SPEED,
  MOUNTAIN_CAR_MIN_POSITION,
  MountainCarBase,
  type MountainCarOptions,
} from "./mountain-car-base.js";
import { discreteActionError, notResetError } from "./utils.js";

export type { MountainCarOptions };

const GOAL_POSITION = 0.5;
const FORCE = 0.001;
const GRAVITY = 0.0025;

/**
 * Gymnasium's MountainCar-v0: push left (0), nothing (1) or right (2) to drive an underpowered car up the right
 * hill to position 0.5. Reward -1 per step. State [position, velocity] (float64).
 */
export class MountainCarEnv extends MountainCarBase<number> {
  readonly actionSpace = new Discrete(3);

  constructor(opts: MountainCarOptions = {}) {
    super("MountainCar", GOAL_POSITION, opts);
  }

  /** The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw discreteActionError(envName(this), action, 3);
    if (!this.hasState) throw notResetError(envName(this));
    let position = this.position;
    let velocity = this.velocity;
    velocity += (action - 1) * FORCE + cos(3 * position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MOUNTAIN_CAR_MAX_SPEED), MOUNTAIN_CAR_MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MOUNTAIN_CAR_MIN_POSITION), MOUNTAIN_CAR_MAX_POSITION);
    if (position === MOUNTAIN_CAR_MIN_POSITION && velocity < 0) velocity = 0;
    this.position = position;
    this.velocity = velocity;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    this.writeObservation();
    const r = this.result;
    r.reward = -1.0;
    r.terminated = terminated;
    return r;
  }
}
