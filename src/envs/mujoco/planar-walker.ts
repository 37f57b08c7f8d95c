import type { Info, StepResult } from "../env.js";
import {
  boolOption,
  MujocoEnv,
  type MujocoEnvConfig,
  type MujocoEnvOptions,
  numberOption,
  rangeOption,
} from "./mujoco-env.js";

/** The options Hopper-v5 and Walker2d-v5 share. */
export interface PlanarWalkerOptions extends MujocoEnvOptions {
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  healthyReward?: number;
  terminateWhenUnhealthy?: boolean;
  healthyZRange?: [number, number];
  healthyAngleRange?: [number, number];
  excludeCurrentPositionsFromObservation?: boolean;
}

const OPTION_KEYS = [
  "forwardRewardWeight",
  "ctrlCostWeight",
  "healthyReward",
  "terminateWhenUnhealthy",
  "healthyZRange",
  "healthyAngleRange",
  "excludeCurrentPositionsFromObservation",
];

/** What a planar walker says about itself besides the base's config. */
export interface PlanarWalkerConfig extends Omit<MujocoEnvConfig, "observationSize" | "resetNoiseScale" | "camera"> {
  healthyZRange: [number, number];
  healthyAngleRange: [number, number];
}

/**
 * What Hopper-v5 and Walker2d-v5 share (Gymnasium keeps two copies): a body moving in the x-z plane with qpos =
 * (x, z, torso angle, joints). Observation qpos (without x unless asked) and qvel clipped to [-10, 10]; reset noise
 * U(-5e-3, 5e-3) on both; reward forwardRewardWeight * x velocity + healthyReward (when healthy) - ctrlCostWeight *
 * |a|^2; healthy: z in healthyZRange and the torso angle in healthyAngleRange (open intervals), plus whatever a
 * subclass adds; unhealthy terminates.
 */
export abstract class PlanarWalkerEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: readonly [number, number];
  readonly healthyAngleRange: readonly [number, number];
  readonly excludeCurrentPositions: boolean;
  private xBefore = 0;

  constructor(name: string, opts: PlanarWalkerOptions, config: PlanarWalkerConfig) {
    const exclude = boolOption(
      name,
      "excludeCurrentPositionsFromObservation",
      opts.excludeCurrentPositionsFromObservation ?? true,
    );
    super(name, opts, {
      ...config,
      optionKeys: [...OPTION_KEYS, ...config.optionKeys],
      resetNoiseScale: 5e-3,
      observationSize: (m) => m.nq + m.nv - (exclude ? 1 : 0),
      camera: { trackBodyId: 1, distance: 4, lookat: [0, 0, 1.15], elevation: -20 },
    });
    this.excludeCurrentPositions = exclude;
    this.forwardRewardWeight = numberOption(name, "forwardRewardWeight", opts.forwardRewardWeight ?? 1);
    this.ctrlCostWeight = numberOption(name, "ctrlCostWeight", opts.ctrlCostWeight ?? 1e-3);
    this.healthyReward = numberOption(name, "healthyReward", opts.healthyReward ?? 1);
    this.terminateWhenUnhealthy = boolOption(name, "terminateWhenUnhealthy", opts.terminateWhenUnhealthy ?? true);
    this.healthyZRange = rangeOption(name, "healthyZRange", opts.healthyZRange ?? config.healthyZRange);
    this.healthyAngleRange = rangeOption(name, "healthyAngleRange", opts.healthyAngleRange ?? config.healthyAngleRange);
  }

  /** z and the torso angle within their ranges. */
  get isHealthy(): boolean {
    const z = this.qpos[1];
    const angle = this.qpos[2];
    const zs = this.healthyZRange;
    const angles = this.healthyAngleRange;
    return zs[0] < z && z < zs[1] && angles[0] < angle && angle < angles[1];
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.uniformNoise(this.qvel, this.initQvel);
  }

  protected override resetInfo(info: Info): void {
    info.x_position = this.qpos[0];
    info.z_distance_from_origin = this.qpos[1] - this.initQpos[1];
  }

  protected writeObservation(out: Float64Array): void {
    const skip = this.excludeCurrentPositions ? 1 : 0;
    const nq = this.qpos.length - skip;
    for (let i = 0; i < nq; i++) out[i] = this.qpos[i + skip];
    for (let i = 0; i < this.qvel.length; i++) out[nq + i] = Math.min(Math.max(this.qvel[i], -10), 10);
  }

  protected override beforeStep(): void {
    this.xBefore = this.qpos[0];
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    const xVelocity = (this.qpos[0] - this.xBefore) / this.dt;
    let a2 = 0;
    for (let i = 0; i < action.length; i++) a2 += action[i] * action[i];
    const ctrlCost = this.ctrlCostWeight * a2;
    const forward = this.forwardRewardWeight * xVelocity;
    const healthy = this.isHealthy;
    const survive = healthy ? this.healthyReward : 0;
    r.reward = forward + survive - ctrlCost;
    r.terminated = !healthy && this.terminateWhenUnhealthy;
    const info = this.info;
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
    info.reward_survive = survive;
    info.x_position = this.qpos[0];
    info.z_distance_from_origin = this.qpos[1] - this.initQpos[1];
    info.x_velocity = xVelocity;
  }
}
