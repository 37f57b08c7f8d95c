import type { Info, StepResult } from "../env.js";
import { HumanoidBase, type HumanoidObservationOptions } from "./humanoid-base.js";
import { boolOption, f64, numberOption, rangeOption } from "./mujoco-env.js";
import { distanceInfo, XyVelocity } from "./xy-motion.js";

export interface HumanoidOptions extends HumanoidObservationOptions {
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  contactCostWeight?: number;
  contactCostRange?: [number, number];
  healthyReward?: number;
  terminateWhenUnhealthy?: boolean;
  healthyZRange?: [number, number];
}

/**
 * Gymnasium's Humanoid-v5: a humanoid walks forward. Observation (348) as {@link HumanoidBase}. Reward
 * forwardRewardWeight * x velocity of the centre of mass + healthyReward (when healthy) - ctrlCostWeight * |ctrl|^2
 * - contactCostWeight * |contact forces|^2 (clipped to contactCostRange). Healthy: torso z in healthyZRange (open).
 */
export class HumanoidEnv extends HumanoidBase {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly contactCostWeight: number;
  readonly contactCostRange: readonly [number, number];
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: readonly [number, number];
  declare private xipos: Float64Array;
  private readonly bodyMass: Float64Array;
  private readonly totalMass: number;
  private readonly velocity = new XyVelocity();
  private xCom = 0;
  private yCom = 0;

  constructor(opts: HumanoidOptions = {}) {
    super("Humanoid", opts, {
      optionKeys: [
        "forwardRewardWeight",
        "ctrlCostWeight",
        "contactCostWeight",
        "contactCostRange",
        "healthyReward",
        "terminateWhenUnhealthy",
        "healthyZRange",
      ],
      xmlFile: "humanoid.xml",
      frameSkip: 5,
      resetNoiseScale: 1e-2,
      camera: { trackBodyId: 1, distance: 4, lookat: [0, 0, 2], elevation: -20 },
    });
    const n = this.name;
    this.forwardRewardWeight = numberOption(n, "forwardRewardWeight", opts.forwardRewardWeight ?? 1.25);
    this.ctrlCostWeight = numberOption(n, "ctrlCostWeight", opts.ctrlCostWeight ?? 0.1);
    this.contactCostWeight = numberOption(n, "contactCostWeight", opts.contactCostWeight ?? 5e-7);
    this.contactCostRange = rangeOption(n, "contactCostRange", opts.contactCostRange ?? [-Infinity, 10]);
    this.healthyReward = numberOption(n, "healthyReward", opts.healthyReward ?? 5);
    this.terminateWhenUnhealthy = boolOption(n, "terminateWhenUnhealthy", opts.terminateWhenUnhealthy ?? true);
    this.healthyZRange = rangeOption(n, "healthyZRange", opts.healthyZRange ?? [1, 2]);
    this.bodyMass = Float64Array.from(f64(this.model.body_mass));
    this.totalMass = this.bodyMass.reduce((a, b) => a + b, 0);
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xipos = f64(this.data.xipos);
  }

  get isHealthy(): boolean {
    const z = this.qpos[2];
    return this.healthyZRange[0] < z && z < this.healthyZRange[1];
  }

  protected override resetInfo(info: Info): void {
    this.positionInfo(info);
    distanceInfo(info, this.qpos);
  }

  protected override beforeStep(): void {
    this.massCenter();
    this.velocity.start(this.xCom, this.yCom);
  }

  protected afterStep(_action: Float64Array, r: StepResult<Float32Array>): void {
    this.massCenter();
    this.velocity.end(this.xCom, this.yCom, this.dt);
    const forward = this.forwardRewardWeight * this.velocity.x;
    const healthy = this.isHealthy;
    const survive = healthy ? this.healthyReward : 0;
    const ctrlCost = this.controlCost(this.ctrlCostWeight);
    const contactCost = this.contactCost(this.contactCostWeight, this.contactCostRange);
    r.reward = forward + survive - (ctrlCost + contactCost);
    r.terminated = !healthy && this.terminateWhenUnhealthy;
    this.resetInfo(this.info);
    const info = this.info;
    this.velocity.writeInfo(info);
    info.reward_survive = survive;
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
    info.reward_contact = -contactCost;
  }

  /** The x, y of the centre of mass: sum(mass * body com) / total mass. */
  private massCenter(): void {
    let x = 0;
    let y = 0;
    for (let b = 0; b < this.bodyMass.length; b++) {
      x += this.bodyMass[b] * this.xipos[3 * b];
      y += this.bodyMass[b] * this.xipos[3 * b + 1];
    }
    this.xCom = x / this.totalMass;
    this.yCom = y / this.totalMass;
  }
}
