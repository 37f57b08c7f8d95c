import { sincos, sincosOut } from "../../core/math/index.js";
import { Box } from "../../spaces/box.js";
import { Discrete } from "../../spaces/discrete.js";
import {
  envName,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StepResult,
} from "../env.js";
import { renderCartPole } from "../rendering/classic-control.js";
import type { EnvSnapshot } from "../snapshot.js";
import { ClassicControlEnv } from "./classic-control-env.js";
import { discreteActionError, notResetError, parseResetBounds } from "./utils.js";

const GRAVITY = 9.8;
const MASSCART = 1.0;
const MASSPOLE = 0.1;
const TOTAL_MASS = MASSPOLE + MASSCART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASSPOLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02; // seconds between state updates
/** Angle at which the episode fails: 12 degrees. */
export const CARTPOLE_THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
export const CARTPOLE_X_THRESHOLD = 2.4;

export interface CartPoleOptions {
  renderMode?: RenderMode;
  /** Reward 0 per step and -1 on termination (Sutton and Barto's formulation) instead of +1 per step. */
  suttonBartoReward?: boolean;
}

/**
 * Gymnasium's CartPole-v1: a pole hinged on a cart, pushed left (0) or right (1) with force 10; explicit Euler
 * with tau = 0.02. Terminates when |x| > 2.4 or |theta| > 12 degrees. State [x, x_dot, theta, theta_dot] (float64).
 */
export class CartPoleEnv extends ClassicControlEnv<number> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  readonly suttonBartoReward: boolean;
  /** "euler" (Gymnasium's default) or "semi-implicit euler". */
  kinematicsIntegrator: "euler" | "semi-implicit euler" = "euler";

  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  private stepsBeyondTerminated = -1; // -1: not terminated yet (Gymnasium's None)

  constructor(opts: CartPoleOptions = {}) {
    super("CartPole", opts, ["suttonBartoReward"], 50, 4, ["x", "x_dot", "theta", "theta_dot"]);
    this.suttonBartoReward = opts.suttonBartoReward ?? false;
    const high = [CARTPOLE_X_THRESHOLD * 2, Infinity, CARTPOLE_THETA_THRESHOLD * 2, Infinity];
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
    );
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    let low = -0.05;
    let high = 0.05;
    if (opts?.options !== undefined) [low, high] = parseResetBounds(envName(this), opts.options, low, high);
    const rng = this.rng;
    this.x = rng.uniformRange(low, high);
    this.xDot = rng.uniformRange(low, high);
    this.theta = rng.uniformRange(low, high);
    this.thetaDot = rng.uniformRange(low, high);
    this.hasState = true;
    this.stepsBeyondTerminated = -1;
    this.writeObservation();
    return this.resetResult;
  }

  /** Advance 0.02 s. The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1) throw discreteActionError(envName(this), action, 2);
    if (!this.hasState) throw notResetError(envName(this));
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    sincos(this.theta);
    const sintheta = sincosOut[0];
    const costheta = sincosOut[1];
    const thetaDot = this.thetaDot;
    // https://coneural.org/florian/papers/05_cart_pole.pdf
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
    const thetaacc =
      (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;

    if (this.kinematicsIntegrator === "euler") {
      this.x = this.x + TAU * this.xDot;
      this.xDot = this.xDot + TAU * xacc;
      this.theta = this.theta + TAU * thetaDot;
      this.thetaDot = thetaDot + TAU * thetaacc;
    } else {
      this.xDot = this.xDot + TAU * xacc;
      this.x = this.x + TAU * this.xDot;
      this.thetaDot = thetaDot + TAU * thetaacc;
      this.theta = this.theta + TAU * this.thetaDot;
    }

    const terminated =
      this.x < -CARTPOLE_X_THRESHOLD ||
      this.x > CARTPOLE_X_THRESHOLD ||
      this.theta < -CARTPOLE_THETA_THRESHOLD ||
      this.theta > CARTPOLE_THETA_THRESHOLD;

    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === -1) {
      this.stepsBeyondTerminated = 0; // the pole just fell
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      // stepping on after termination is undefined behaviour in Gymnasium; it pays 0 (-1 with Sutton-Barto)
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }

    this.writeObservation();
    const r = this.result;
    r.reward = reward;
    r.terminated = terminated;
    return r;
  }

  /** Gymnasium's `env.unwrapped.state`: [x, x_dot, theta, theta_dot]. */
  getState(): Float64Array {
    return Float64Array.of(this.x, this.xDot, this.theta, this.thetaDot);
  }

  protected applyState(state: ArrayLike<number>): void {
    this.x = state[0];
    this.xDot = state[1];
    this.theta = state[2];
    this.thetaDot = state[3];
    this.stepsBeyondTerminated = -1;
  }

  /** The complete state (physics, generators, episode flags), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "CartPole",
      {
        suttonBartoReward: this.suttonBartoReward,
        hasState: this.hasState,
        stepsBeyondTerminated: this.stepsBeyondTerminated,
        kinematicsIntegrator: this.kinematicsIntegrator,
      },
      { state: this.getState() },
    );
  }

  /** Check a snapshot completely; the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("CartPole", s);
    reader.expect("suttonBartoReward", this.suttonBartoReward);
    const state = reader.array("state", Float64Array, 4);
    const hasState = reader.bool("hasState");
    const beyond = reader.int("stepsBeyondTerminated", -1);
    const integrator = reader.oneOf("kinematicsIntegrator", ["euler", "semi-implicit euler"] as const);
    return () => {
      applyBase();
      [this.x, this.xDot, this.theta, this.thetaDot] = state;
      this.hasState = hasState;
      this.stepsBeyondTerminated = beyond;
      this.kinematicsIntegrator = integrator;
      this.writeObservation();
    };
  }

  protected draw(): RgbFrame {
    return renderCartPole(this.x, this.theta);
  }

  protected writeObservation(): void {
    const o = this.obs;
    o[0] = this.x;
    o[1] = this.xDot;
    o[2] = this.theta;
    o[3] = this.thetaDot;
  }
}
