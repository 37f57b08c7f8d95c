import { Box } from "../../spaces/box.js";
import { Discrete } from "../../spaces/discrete.js";
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
import { checkState, discreteActionError, finiteOption, notResetError, parseResetBounds } from "./utils.js";

export const MOUNTAIN_CAR_MIN_POSITION = -1.2;
export const MOUNTAIN_CAR_MAX_POSITION = 0.6;
export const MOUNTAIN_CAR_MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const FORCE = 0.001;
const GRAVITY = 0.0025;

export interface MountainCarOptions {
  renderMode?: RenderMode;
  /** Minimum velocity at the goal for the episode to end (default 0). */
  goalVelocity?: number;
}

/**
 * Gymnasium's MountainCar-v0: push left (0), nothing (1) or right (2) to drive an underpowered car up the right
 * hill to position 0.5. Reward -1 per step. State [position, velocity] (float64).
 */
export class MountainCarEnv extends Env<Float32Array, number> implements StatefulEnv, Snapshotting {
  readonly observationSpace = new Box(
    [MOUNTAIN_CAR_MIN_POSITION, -MOUNTAIN_CAR_MAX_SPEED],
    [MOUNTAIN_CAR_MAX_POSITION, MOUNTAIN_CAR_MAX_SPEED],
  );
  readonly actionSpace = new Discrete(3);
  readonly goalPosition = GOAL_POSITION;
  readonly goalVelocity: number;

  private position = 0;
  private velocity = 0;
  private hasState = false;
  private readonly obs = new Float32Array(2);
  private readonly result: StepResult<Float32Array>;
  private readonly resetResult: ResetResult<Float32Array> = { observation: this.obs, info: EMPTY_INFO };

  constructor(opts: MountainCarOptions = {}) {
    super();
    checkOptionKeys("MountainCar", opts as Record<string, unknown>, ["renderMode", "goalVelocity"]);
    this.metadata = { renderModes: ["rgb_array"], renderFps: 30 };
    this.renderMode = checkRenderMode("MountainCar", opts.renderMode, this.metadata.renderModes);
    this.goalVelocity =
      opts.goalVelocity === undefined ? 0 : finiteOption("MountainCar", "goalVelocity", opts.goalVelocity);
    this.result = { observation: this.obs, reward: -1.0, terminated: false, truncated: false, info: EMPTY_INFO };
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
  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw discreteActionError(envName(this), action, 3);
    if (!this.hasState) throw notResetError(envName(this));
    let position = this.position;
    let velocity = this.velocity;
    velocity += (action - 1) * FORCE + Math.cos(3 * position) * -GRAVITY;
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
      "MountainCar",
      { hasState: this.hasState },
      { state: this.getState(), goalVelocity: Float64Array.of(this.goalVelocity) },
    );
  }

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  /** Check a snapshot completely (the goal velocity must be this env's); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("MountainCar", s);
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
