import type { Info } from "../env.js";
import { boolOption, f64, MujocoEnv, type MujocoEnvConfig, type MujocoEnvOptions } from "./mujoco-env.js";
import { sumSquares } from "./rewards.js";
import { xyPositionInfo } from "./xy-motion.js";

/** The observation options Humanoid-v5 and HumanoidStandup-v5 share. */
export interface HumanoidObservationOptions extends MujocoEnvOptions {
  excludeCurrentPositionsFromObservation?: boolean;
  includeCinertInObservation?: boolean;
  includeCvelInObservation?: boolean;
  includeQfrcActuatorInObservation?: boolean;
  includeCfrcExtInObservation?: boolean;
}

const OBSERVATION_KEYS = [
  "excludeCurrentPositionsFromObservation",
  "includeCinertInObservation",
  "includeCvelInObservation",
  "includeQfrcActuatorInObservation",
  "includeCfrcExtInObservation",
] as const;

interface Parts {
  exclude: boolean;
  cinert: boolean;
  cvel: boolean;
  qfrcActuator: boolean;
  cfrcExt: boolean;
}

function parts(name: string, opts: HumanoidObservationOptions): Parts {
  return {
    exclude: boolOption(name, OBSERVATION_KEYS[0], opts.excludeCurrentPositionsFromObservation ?? true),
    cinert: boolOption(name, OBSERVATION_KEYS[1], opts.includeCinertInObservation ?? true),
    cvel: boolOption(name, OBSERVATION_KEYS[2], opts.includeCvelInObservation ?? true),
    qfrcActuator: boolOption(name, OBSERVATION_KEYS[3], opts.includeQfrcActuatorInObservation ?? true),
    cfrcExt: boolOption(name, OBSERVATION_KEYS[4], opts.includeCfrcExtInObservation ?? true),
  };
}

/**
 * What Humanoid-v5 and HumanoidStandup-v5 share: the observation (qpos without x, y; qvel; then, of every body but
 * the world, the com-based inertia (10 each) and velocity (6), the actuator forces on the non-root joints, and the
 * external contact forces (6), each part optional), uniform reset noise on qpos and qvel, and the tendon info.
 */
export abstract class HumanoidBase extends MujocoEnv {
  private readonly parts: Parts;
  declare protected cfrcExt: Float64Array;
  declare private cinert: Float64Array;
  declare private cvel: Float64Array;
  declare private qfrcActuator: Float64Array;
  declare private tenLength: Float64Array;
  declare private tenVelocity: Float64Array;
  private readonly tendonLength: Float64Array;
  private readonly tendonVelocity: Float64Array;

  constructor(name: string, opts: HumanoidObservationOptions, config: Omit<MujocoEnvConfig, "observationSize">) {
    const p = parts(name, opts);
    super(name, opts, {
      ...config,
      optionKeys: [...config.optionKeys, ...OBSERVATION_KEYS],
      observationSize: (m) =>
        m.nq +
        m.nv -
        (p.exclude ? 2 : 0) +
        (m.nbody - 1) * ((p.cinert ? 10 : 0) + (p.cvel ? 6 : 0) + (p.cfrcExt ? 6 : 0)) +
        (p.qfrcActuator ? m.nv - 6 : 0),
    });
    this.parts = p;
    this.tendonLength = new Float64Array(this.model.ntendon);
    this.tendonVelocity = new Float64Array(this.model.ntendon);
  }

  protected override bindViews(): void {
    super.bindViews();
    this.cfrcExt = f64(this.data.cfrc_ext);
    this.cinert = f64(this.data.cinert);
    this.cvel = f64(this.data.cvel);
    this.qfrcActuator = f64(this.data.qfrc_actuator);
    this.tenLength = f64(this.data.ten_length);
    this.tenVelocity = f64(this.data.ten_velocity);
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.uniformNoise(this.qvel, this.initQvel);
  }

  protected writeObservation(out: Float64Array): void {
    const p = this.parts;
    let k = 0;
    for (let i = p.exclude ? 2 : 0; i < this.qpos.length; i++) out[k++] = this.qpos[i];
    for (let i = 0; i < this.qvel.length; i++) out[k++] = this.qvel[i];
    if (p.cinert) for (let i = 10; i < this.cinert.length; i++) out[k++] = this.cinert[i];
    if (p.cvel) for (let i = 6; i < this.cvel.length; i++) out[k++] = this.cvel[i];
    if (p.qfrcActuator) for (let i = 6; i < this.qfrcActuator.length; i++) out[k++] = this.qfrcActuator[i];
    if (p.cfrcExt) for (let i = 6; i < this.cfrcExt.length; i++) out[k++] = this.cfrcExt[i];
  }

  /**
   * The control cost: weight * |ctrl|^2. Gymnasium charges the controls as stored in MuJoCo's data (the action
   * before MuJoCo clamps it).
   */
  protected controlCost(weight: number): number {
    return weight * sumSquares(this.ctrl);
  }

  /** weight * |contact forces|^2 clipped to range: Humanoid's contact cost, HumanoidStandup's impact cost. */
  protected contactCost(weight: number, range: readonly [number, number]): number {
    const lo = range[0]; // (no destructuring: it allocates an iterator)
    const hi = range[1];
    return Math.min(Math.max(weight * sumSquares(this.cfrcExt), lo), hi);
  }

  /** x, y positions and the tendons' lengths and velocities (Gymnasium's key spelling, copied into reused arrays). */
  protected positionInfo(info: Info): void {
    xyPositionInfo(info, this.qpos);
    this.tendonLength.set(this.tenLength);
    this.tendonVelocity.set(this.tenVelocity);
    info.tendon_lenght = this.tendonLength;
    info.tendon_velocity = this.tendonVelocity;
  }
}
