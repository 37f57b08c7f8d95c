import type { Info, StepResult } from "../env.js";
import { boolOption, f64, MujocoEnv, type MujocoEnvOptions, numberOption, rangeOption } from "./mujoco-env.js";
import { sumClippedSquares, sumSquares } from "./rewards.js";
import { distanceInfo, XyVelocity, xyPositionInfo } from "./xy-motion.js";

export interface AntOptions extends MujocoEnvOptions {
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  contactCostWeight?: number;
  healthyReward?: number;
  /** The body whose x, y velocity is rewarded: index or name (default 1, the torso). */
  mainBody?: number | string;
  terminateWhenUnhealthy?: boolean;
  healthyZRange?: [number, number];
  contactForceRange?: [number, number];
  excludeCurrentPositionsFromObservation?: boolean;
  includeCfrcExtInObservation?: boolean;
}

/**
 * Gymnasium's Ant-v5: a four-legged robot walks forward. Observation qpos (without x, y), qvel and the external
 * contact forces of every body but the world, clipped to contactForceRange (105). Reward forwardRewardWeight * x
 * velocity of the main body + healthyReward - ctrlCostWeight * |a|^2 - contactCostWeight * |clipped forces|^2.
 * Healthy: the state is finite and the torso's z within healthyZRange (closed); unhealthy terminates.
 */
export class AntEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly contactCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: readonly [number, number];
  readonly contactForceRange: readonly [number, number];
  readonly excludeCurrentPositions: boolean;
  readonly includeCfrcExt: boolean;
  private readonly mainBody: number;
  declare private xpos: Float64Array;
  declare private cfrcExt: Float64Array;
  private readonly velocity = new XyVelocity();

  constructor(opts: AntOptions = {}) {
    const exclude = boolOption(
      "Ant",
      "excludeCurrentPositionsFromObservation",
      opts.excludeCurrentPositionsFromObservation ?? true,
    );
    const cfrc = boolOption("Ant", "includeCfrcExtInObservation", opts.includeCfrcExtInObservation ?? true);
    super("Ant", opts, {
      optionKeys: [
        "forwardRewardWeight",
        "ctrlCostWeight",
        "contactCostWeight",
        "healthyReward",
        "mainBody",
        "terminateWhenUnhealthy",
        "healthyZRange",
        "contactForceRange",
        "excludeCurrentPositionsFromObservation",
        "includeCfrcExtInObservation",
      ],
      xmlFile: "ant.xml",
      frameSkip: 5,
      resetNoiseScale: 0.1,
      observationSize: (m) => m.nq + m.nv - (exclude ? 2 : 0) + (cfrc ? 6 * (m.nbody - 1) : 0),
      camera: { trackBodyId: 1, distance: 4 },
    });
    const n = this.name;
    this.excludeCurrentPositions = exclude;
    this.includeCfrcExt = cfrc;
    this.forwardRewardWeight = numberOption(n, "forwardRewardWeight", opts.forwardRewardWeight ?? 1);
    this.ctrlCostWeight = numberOption(n, "ctrlCostWeight", opts.ctrlCostWeight ?? 0.5);
    this.contactCostWeight = numberOption(n, "contactCostWeight", opts.contactCostWeight ?? 5e-4);
    this.healthyReward = numberOption(n, "healthyReward", opts.healthyReward ?? 1);
    this.terminateWhenUnhealthy = boolOption(n, "terminateWhenUnhealthy", opts.terminateWhenUnhealthy ?? true);
    this.healthyZRange = rangeOption(n, "healthyZRange", opts.healthyZRange ?? [0.2, 1.0]);
    this.contactForceRange = rangeOption(n, "contactForceRange", opts.contactForceRange ?? [-1, 1]);
    this.mainBody = this.bodyId(opts.mainBody ?? 1);
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xpos = f64(this.data.xpos);
    this.cfrcExt = f64(this.data.cfrc_ext);
  }

  get isHealthy(): boolean {
    for (let i = 0; i < this.qpos.length; i++) if (!Number.isFinite(this.qpos[i])) return false;
    for (let i = 0; i < this.qvel.length; i++) if (!Number.isFinite(this.qvel[i])) return false;
    const z = this.qpos[2];
    return this.healthyZRange[0] <= z && z <= this.healthyZRange[1];
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.normalNoise(this.qvel, this.initQvel);
  }

  protected override resetInfo(info: Info): void {
    xyPositionInfo(info, this.qpos);
    distanceInfo(info, this.qpos);
  }

  protected writeObservation(out: Float64Array): void {
    const skip = this.excludeCurrentPositions ? 2 : 0;
    let k = 0;
    for (let i = skip; i < this.qpos.length; i++) out[k++] = this.qpos[i];
    for (let i = 0; i < this.qvel.length; i++) out[k++] = this.qvel[i];
    if (!this.includeCfrcExt) return;
    const lo = this.contactForceRange[0]; // (no destructuring: it allocates an iterator)
    const hi = this.contactForceRange[1];
    for (let i = 6; i < this.cfrcExt.length; i++) out[k++] = Math.min(Math.max(this.cfrcExt[i], lo), hi);
  }

  protected override beforeStep(): void {
    this.velocity.start(this.xpos[3 * this.mainBody], this.xpos[3 * this.mainBody + 1]);
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    this.velocity.end(this.xpos[3 * this.mainBody], this.xpos[3 * this.mainBody + 1], this.dt);
    const forward = this.velocity.x * this.forwardRewardWeight;
    const healthy = this.isHealthy;
    const survive = healthy ? this.healthyReward : 0;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    const lo = this.contactForceRange[0];
    const hi = this.contactForceRange[1];
    const contactCost = this.contactCostWeight * sumClippedSquares(this.cfrcExt, lo, hi);
    r.reward = forward + survive - (ctrlCost + contactCost);
    r.terminated = !healthy && this.terminateWhenUnhealthy;
    this.resetInfo(this.info);
    const info = this.info;
    this.velocity.writeInfo(info);
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
    info.reward_contact = -contactCost;
    info.reward_survive = survive;
  }
}
