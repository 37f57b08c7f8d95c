import { Box } from "../../spaces/box.js";
import {
  checkOptionKeys,
  EMPTY_INFO,
  Env,
  envName,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StatefulEnv,
  type StepResult,
} from "../env.js";
import { renderMountainCar } from "../rendering/classic-control.js";
import { checkRenderMode } from "../rendering/render-mode.js";
import type { EnvSnapshot, Snapshotting } from "../snapshot.js";
import { MOUNTAIN_CAR_MAX_POSITION, MOUNTAIN_CAR_MAX_SPEED, MOUNTAIN_CAR_MIN_POSITION } from "./mountain-car.js";
import {
  checkState,
  finiteOption,
  isFiniteScalarAction,
  notResetError,
  parseResetBounds,
  scalarActionError,
} from "./utils.js";

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const GOAL_POSITION = 0.45; // was 0.5 in gym, 0.45 in Arnaud de Broissia's version
const POWER = 0.0015;

export interface MountainCarContinuousOptions {
  renderMode?: RenderMode;
  goalVelocity?: number;
}

/**
 * Gymnasium's MountainCarContinuous-v0: a force in [-1, 1] (actions outside are clipped); reward 100 on reaching
 * position 0.45 minus 0.1 * action^2 (of the unclipped action) per step. State [position, velocity], rounded to
 * float32 after every step as in Gymnasium.
 */
export class MountainCarContinuousEnv extends Env<Float32Array, Float32Array> implements StatefulEnv, Snapshotting {
  readonly observationSpace = new Box(
    [MOUNTAIN_CAR_MIN_POSITION, -MOUNTAIN_CAR_MAX_SPEED],
    [MOUNTAIN_CAR_MAX_POSITION, MOUNTAIN_CAR_MAX_SPEED],
  );
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);
  readonly goalPosition = GOAL_POSITION;
  readonly goalVelocity: number;

  private position = 0;
  private velocity = 0;
  private hasState = false;
  private readonly obs = new Float32Array(2);
  private readonly result: StepResult<Float32Array>;
  private readonly resetResult: ResetResult<Float32Array> = { observation: this.obs, info: EMPTY_INFO };

  constructor(opts: MountainCarContinuousOptions = {}) {
    super();
    checkOptionKeys("MountainCarContinuous", opts as Record<string, unknown>, ["renderMode", "goalVelocity"]);
    this.metadata = { renderModes: ["rgb_array"], renderFps: 30 };
    this.renderMode = checkRenderMode("MountainCarContinuous", opts.renderMode, this.metadata.renderModes);
    this.goalVelocity =
      opts.goalVelocity === undefined ? 0 : finiteOption("MountainCarContinuous", "goalVelocity", opts.goalVelocity);
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: EMPTY_INFO };
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    let low = -0.6;
    let high = -0.4;
    if (opts?.options !== undefined) [low, high] = parseResetBounds(envName(this), opts.options, low, high);
    this.position = this.rng.uniformRange(low, high);
    this.velocity = 0;
    this.hasState = true;
    this.writeObservation();
    return this.resetResult;
  }

  /** The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: Float32Array): StepResult<Float32Array> {
    if (!isFiniteScalarAction(action)) throw scalarActionError(envName(this), action, MIN_ACTION, MAX_ACTION);
    const a = action[0];
    if (!this.hasState) throw notResetError(envName(this));
    let position = this.position;
    let velocity = this.velocity;
    const force = Math.min(Math.max(a, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * Math.cos(3 * position);
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

  /** Gymnasium's `env.unwrapped.state`: [position, velocity]. */
  getState(): Float64Array {
    return Float64Array.of(this.position, this.velocity);
  }

  setState(state: ArrayLike<number>): void {
    checkState(envName(this), state, 2, "position, velocity");
    this.position = state[0];
    this.velocity = state[1];
    this.hasState = true;
    this.writeObservation();
  }

  /** The complete state (physics, generators), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "MountainCarContinuous",
      { hasState: this.hasState },
      { state: this.getState(), goalVelocity: Float64Array.of(this.goalVelocity) },
    );
  }

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  /** Check a snapshot completely (the goal velocity must be this env's); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("MountainCarContinuous", s);
    const state = reader.array("state", Float64Array, 2);
    const goal = reader.array("goalVelocity", Float64Array, 1)[0];
    if (!Object.is(goal, this.goalVelocity)) {
      throw reader.error(`goalVelocity is ${goal}, this env has ${this.goalVelocity}`);
    }
    const hasState = reader.bool("hasState");
    return () => {
      applyBase();
      this.position = state[0];
      this.velocity = state[1];
      this.hasState = hasState;
      this.writeObservation();
    };
  }

  override render(): RgbFrame | null {
    if (this.renderMode !== "rgb_array" || !this.hasState) return null;
    return renderMountainCar(this.position, this.goalPosition);
  }

  private writeObservation(): void {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
  }
}
