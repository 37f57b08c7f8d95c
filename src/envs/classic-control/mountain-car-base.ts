import { Box } from "../../spaces/box.js";
import { envName, type RenderMode, type ResetOptions, type ResetResult, type RgbFrame } from "../env.js";
import { renderMountainCar } from "../rendering/classic-control.js";
import type { EnvSnapshot } from "../snapshot.js";
import { ClassicControlEnv } from "./classic-control-env.js";
import { finiteOption, parseResetBounds } from "./utils.js";

export const MOUNTAIN_CAR_MIN_POSITION = -1.2;
export const MOUNTAIN_CAR_MAX_POSITION = 0.6;
export const MOUNTAIN_CAR_MAX_SPEED = 0.07;

export interface MountainCarOptions {
  renderMode?: RenderMode;
  /** Minimum velocity at the goal for the episode to end (default 0). */
  goalVelocity?: number;
}

/**
 * MountainCar-v0 and MountainCarContinuous-v0 share all but their action and `step`: the car on the hill
 * y = sin(3x), its state [position, velocity], the reset to a position in [-0.6, -0.4] at rest, the goal velocity
 * option, snapshots and rendering.
 */
export abstract class MountainCarBase<A> extends ClassicControlEnv<A> {
  readonly observationSpace = new Box(
    [MOUNTAIN_CAR_MIN_POSITION, -MOUNTAIN_CAR_MAX_SPEED],
    [MOUNTAIN_CAR_MAX_POSITION, MOUNTAIN_CAR_MAX_SPEED],
  );
  readonly goalVelocity: number;
  protected position = 0;
  protected velocity = 0;

  constructor(
    private readonly kind: string,
    readonly goalPosition: number,
    opts: MountainCarOptions,
  ) {
    super(kind, opts, ["goalVelocity"], 30, 2, ["position", "velocity"]);
    this.goalVelocity = opts.goalVelocity === undefined ? 0 : finiteOption(kind, "goalVelocity", opts.goalVelocity);
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

  getState(): Float64Array {
    return Float64Array.of(this.position, this.velocity);
  }

  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      this.kind,
      { hasState: this.hasState },
      { state: this.getState(), goalVelocity: Float64Array.of(this.goalVelocity) },
    );
  }

  /** Check a snapshot completely (the goal velocity must be this env's); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot(this.kind, s);
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

  protected applyState(state: ArrayLike<number>): void {
    this.position = state[0];
    this.velocity = state[1];
  }

  protected writeObservation(): void {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
  }

  protected draw(): RgbFrame {
    return renderMountainCar(this.position, this.goalPosition);
  }
}
