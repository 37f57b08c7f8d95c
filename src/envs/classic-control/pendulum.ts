import { sincos, sincosOut } from "../../core/math/index.js";
import { Box } from "../../spaces/box.js";
import {
  checkOptionKeys,
  envName,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StepResult,
} from "../env.js";
import { renderPendulum } from "../rendering/classic-control.js";
import type { EnvSnapshot } from "../snapshot.js";
import { ClassicControlEnv } from "./classic-control-env.js";
import { finiteOption, isFiniteScalarAction, notResetError, scalarActionError } from "./utils.js";

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const M = 1.0;
const L = 1.0;

export interface PendulumOptions {
  renderMode?: RenderMode;
  /** Gravity (default 10). */
  g?: number;
}

/**
 * Gymnasium's Pendulum-v1: swing up and balance a pendulum with a torque in [-2, 2] (clipped).
 * Reward -(theta^2 + 0.1 thetadot^2 + 0.001 u^2) of the state before the step, theta normalized to [-pi, pi).
 * Never terminates (the registered TimeLimit truncates at 200). State [theta, thetadot] (float64, theta unwrapped).
 */
export class PendulumEnv extends ClassicControlEnv<Float32Array> {
  readonly observationSpace = new Box([-1.0, -1.0, -MAX_SPEED], [1.0, 1.0, MAX_SPEED]);
  readonly actionSpace = new Box(-MAX_TORQUE, MAX_TORQUE, [1]);
  readonly g: number;

  private theta = 0;
  private thetaDot = 0;
  private lastU = Number.NaN; // NaN until the first step (a number-only field: no boxing per step)
  /** sin(theta), computed with the observation (every change of theta writes one), for the next step. */
  private sinTheta = Number.NaN;

  constructor(opts: PendulumOptions = {}) {
    super("Pendulum", opts, ["g"], 30, 3, ["theta", "thetadot"]);
    this.g = opts.g === undefined ? 10.0 : finiteOption("Pendulum", "g", opts.g);
  }

  /** Reset options `{ x_init, y_init }` (Gymnasium's names) set the range of the initial angle and velocity. */
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    let x = Math.PI;
    let y = 1.0;
    const options = opts?.options;
    if (options !== undefined) {
      const where = `${envName(this)}.reset`;
      checkOptionKeys(where, options, ["x_init", "y_init"]);
      if (options.x_init !== undefined) x = finiteOption(where, "x_init", options.x_init);
      if (options.y_init !== undefined) y = finiteOption(where, "y_init", options.y_init);
    }
    this.theta = this.rng.uniformRange(-x, x);
    this.thetaDot = this.rng.uniformRange(-y, y);
    this.hasState = true;
    this.lastU = Number.NaN;
    this.writeObservation();
    return this.resetResult;
  }

  /** The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: Float32Array): StepResult<Float32Array> {
    if (!isFiniteScalarAction(action)) throw scalarActionError(envName(this), action, -MAX_TORQUE, MAX_TORQUE);
    const a = action[0];
    if (!this.hasState) throw notResetError(envName(this));
    const th = this.theta;
    const thdot = this.thetaDot;
    const u = Math.min(Math.max(a, -MAX_TORQUE), MAX_TORQUE);
    this.lastU = u;
    // Gymnasium's angle_normalize: ((th + pi) % 2pi) - pi with Python's floored modulo (written out: a helper
    // returning a double that is not inlined would box it on the heap every step)
    let an = (th + Math.PI) % (2 * Math.PI);
    if (an < 0) an += 2 * Math.PI;
    an -= Math.PI;
    const costs = an * an + 0.1 * (thdot * thdot) + 0.001 * (u * u);
    let newthdot = thdot + (((3 * this.g) / (2 * L)) * this.sinTheta + (3.0 / (M * (L * L))) * u) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    this.theta = th + newthdot * DT;
    this.thetaDot = newthdot;
    this.writeObservation();
    const r = this.result;
    r.reward = -costs;
    return r;
  }

  /** Gymnasium's `env.unwrapped.state`: [theta, thetadot]. */
  getState(): Float64Array {
    return Float64Array.of(this.theta, this.thetaDot);
  }

  protected applyState(state: ArrayLike<number>): void {
    this.theta = state[0];
    this.thetaDot = state[1];
  }

  /** The complete state (physics, last torque for rendering, generators), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "Pendulum",
      { hasState: this.hasState },
      { state: Float64Array.of(this.theta, this.thetaDot, this.lastU), g: Float64Array.of(this.g) },
    );
  }

  /** Check a snapshot completely (gravity must be this env's); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("Pendulum", s);
    // lastU is NaN before the first step
    const state = reader.array("state", Float64Array, 3, true);
    if (!Number.isFinite(state[0]) || !Number.isFinite(state[1])) {
      throw reader.error(`theta and thetadot must be finite, got ${state[0]} and ${state[1]}`);
    }
    const g = reader.array("g", Float64Array, 1)[0];
    if (!Object.is(g, this.g)) throw reader.error(`g is ${g}, this env has ${this.g}`);
    const hasState = reader.bool("hasState");
    return () => {
      applyBase();
      this.theta = state[0];
      this.thetaDot = state[1];
      this.lastU = state[2];
      this.hasState = hasState;
      this.writeObservation();
    };
  }

  protected draw(): RgbFrame {
    return renderPendulum(this.theta, Number.isNaN(this.lastU) ? null : this.lastU);
  }

  protected writeObservation(): void {
    sincos(this.theta);
    this.sinTheta = sincosOut[0];
    this.obs[0] = sincosOut[1];
    this.obs[1] = sincosOut[0];
    this.obs[2] = this.thetaDot;
  }
}
