import { cos, sincos, sincosOut } from "../../core/math/index.js";
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
import { renderAcrobot } from "../rendering/classic-control.js";
import type { EnvSnapshot } from "../snapshot.js";
import { ClassicControlEnv } from "./classic-control-env.js";
import { discreteActionError, notResetError, parseResetBounds } from "./utils.js";

const DT = 0.2;
const LINK_LENGTH_1 = 1.0; // [m]
const LINK_MASS_1 = 1.0; // [kg]
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5; // [m] centre of mass of link 1
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0; // moment of inertia of both links
const G = 9.8;
export const ACROBOT_MAX_VEL_1 = 4 * Math.PI;
export const ACROBOT_MAX_VEL_2 = 9 * Math.PI;
const AVAIL_TORQUE = [-1.0, 0.0, 1.0];

export interface AcrobotOptions {
  renderMode?: RenderMode;
}

/**
 * Gymnasium's Acrobot-v1: two links, torque -1/0/+1 on the middle joint; swing the tip above height 1.
 * Integrated by one RK4 step of dt = 0.2 with the "book" equations (Sutton and Barto) by default
 * (`bookOrNips = "nips"` gives the NIPS paper's). State [theta1, theta2, dtheta1, dtheta2].
 */
export class AcrobotEnv extends ClassicControlEnv<number> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(3);
  /** Which dynamics equations to use (Gymnasium's `book_or_nips`). */
  bookOrNips: "book" | "nips" = "book";
  /** Uniform noise added to the torque (Gymnasium's `torque_noise_max`, 0 by default). */
  torqueNoiseMax = 0.0;

  private readonly s = new Float64Array(4);
  private readonly k = new Float64Array(16); // k1..k4 of RK4, 4 components each
  private readonly y = new Float64Array(4); // RK4 stage input
  /** cos(s[0]), computed with the observation, for the termination test. */
  private cosTheta1 = Number.NaN;
  /** sin(s[1]) and cos(s[1]), computed with the observation, for the first RK4 stage. */
  private sinTheta2 = Number.NaN;
  private cosTheta2 = Number.NaN;

  constructor(opts: AcrobotOptions = {}) {
    super("Acrobot", opts, [], 15, 6, ["theta1", "theta2", "dtheta1", "dtheta2"]);
    const high = [1.0, 1.0, 1.0, 1.0, ACROBOT_MAX_VEL_1, ACROBOT_MAX_VEL_2];
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
    );
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    let low = -0.1;
    let high = 0.1;
    if (opts?.options !== undefined) [low, high] = parseResetBounds(envName(this), opts.options, low, high);
    // Gymnasium stores the reset state as float32
    for (let i = 0; i < 4; i++) this.s[i] = Math.fround(this.rng.uniformRange(low, high));
    this.hasState = true;
    this.writeObservation();
    return this.resetResult;
  }

  /** Advance 0.2 s. The returned object and its observation are reused by the next call: copy to keep them. */
  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw discreteActionError(envName(this), action, 3);
    if (!this.hasState) throw notResetError(envName(this));
    let torque = AVAIL_TORQUE[action];
    if (this.torqueNoiseMax > 0) torque += this.rng.uniformRange(-this.torqueNoiseMax, this.torqueNoiseMax);

    // one classic RK4 step over [0, dt]: y1 = y0 + dt/6 (k1 + 2 k2 + 2 k3 + k4)
    const s = this.s;
    const k = this.k;
    const y = this.y;
    const dt2 = DT / 2.0;
    this.dsdt(s, torque, 0);
    for (let i = 0; i < 4; i++) y[i] = s[i] + dt2 * k[i];
    this.dsdt(y, torque, 4);
    for (let i = 0; i < 4; i++) y[i] = s[i] + dt2 * k[4 + i];
    this.dsdt(y, torque, 8);
    for (let i = 0; i < 4; i++) y[i] = s[i] + DT * k[8 + i];
    this.dsdt(y, torque, 12);
    const h = DT / 6.0;
    for (let i = 0; i < 4; i++) s[i] = s[i] + h * (k[i] + 2 * k[4 + i] + 2 * k[8 + i] + k[12 + i]);

    // Gymnasium's wrap(): angles back into [-pi, pi] by whole turns
    for (let i = 0; i < 2; i++) {
      while (s[i] > Math.PI) s[i] = s[i] - 2 * Math.PI;
      while (s[i] < -Math.PI) s[i] = s[i] + 2 * Math.PI;
    }
    s[2] = Math.min(Math.max(s[2], -ACROBOT_MAX_VEL_1), ACROBOT_MAX_VEL_1);
    s[3] = Math.min(Math.max(s[3], -ACROBOT_MAX_VEL_2), ACROBOT_MAX_VEL_2);

    this.writeObservation();
    const terminated = -this.cosTheta1 - cos(s[1] + s[0]) > 1.0;
    const r = this.result;
    r.reward = terminated ? 0.0 : -1.0;
    r.terminated = terminated;
    return r;
  }

  /**
   * Time derivative of y = [theta1, theta2, dtheta1, dtheta2] under torque a, written to k[off..off+3]; off = 0
   * is the first RK4 stage, where y is s.
   * (State in and out through typed arrays: doubles passed as call arguments would be boxed on the heap.)
   */
  private dsdt(y: Float64Array, a: number, off: number): void {
    const theta1 = y[0];
    const theta2 = y[1];
    const dtheta1 = y[2];
    const dtheta2 = y[3];
    const m1 = LINK_MASS_1;
    const m2 = LINK_MASS_2;
    const l1 = LINK_LENGTH_1;
    const lc1 = LINK_COM_POS_1;
    const lc2 = LINK_COM_POS_2;
    const I1 = LINK_MOI;
    const I2 = LINK_MOI;
    // sin and cos of theta2: at the first stage, where y is s, those writeObservation kept
    let sin2 = this.sinTheta2;
    let cos2 = this.cosTheta2;
    if (off !== 0) {
      sincos(theta2);
      sin2 = sincosOut[0];
      cos2 = sincosOut[1];
    }
    const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos2) + I1 + I2;
    const d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + I2;
    const phi2 = m2 * lc2 * G * cos(theta1 + theta2 - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2 -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
      (m1 * lc1 + m2 * l1) * G * cos(theta1 - Math.PI / 2) +
      phi2;
    let ddtheta2: number;
    if (this.bookOrNips === "nips") {
      // as in the NIPS paper
      ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    } else {
      // as in the book and the Java implementation
      ddtheta2 =
        (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2) /
        (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
    }
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    const k = this.k;
    k[off] = dtheta1;
    k[off + 1] = dtheta2;
    k[off + 2] = ddtheta1;
    k[off + 3] = ddtheta2;
  }

  /** Gymnasium's `env.unwrapped.state`: [theta1, theta2, dtheta1, dtheta2]. */
  getState(): Float64Array {
    return Float64Array.from(this.s);
  }

  protected applyState(state: ArrayLike<number>): void {
    for (let i = 0; i < 4; i++) this.s[i] = state[i];
  }

  /** The complete state (physics, generators, dynamics options), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "Acrobot",
      { hasState: this.hasState, bookOrNips: this.bookOrNips },
      { state: this.getState(), torqueNoiseMax: Float64Array.of(this.torqueNoiseMax) },
    );
  }

  /** Check a snapshot completely; the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("Acrobot", s);
    const state = reader.array("state", Float64Array, 4);
    const noise = reader.array("torqueNoiseMax", Float64Array, 1)[0];
    const hasState = reader.bool("hasState");
    const bookOrNips = reader.oneOf("bookOrNips", ["book", "nips"] as const);
    return () => {
      applyBase();
      this.s.set(state);
      this.torqueNoiseMax = noise;
      this.hasState = hasState;
      this.bookOrNips = bookOrNips;
      this.writeObservation();
    };
  }

  protected draw(): RgbFrame {
    return renderAcrobot(this.s[0], this.s[1]);
  }

  protected writeObservation(): void {
    const s = this.s;
    const o = this.obs;
    sincos(s[0]);
    this.cosTheta1 = sincosOut[1];
    o[0] = sincosOut[1];
    o[1] = sincosOut[0];
    sincos(s[1]);
    this.sinTheta2 = sincosOut[0];
    this.cosTheta2 = sincosOut[1];
    o[2] = sincosOut[1];
    o[3] = sincosOut[0];
    o[4] = s[2];
    o[5] = s[3];
  }
}
