import type { Info, StepResult } from "../env.js";
import { HumanoidBase, type HumanoidObservationOptions } from "./humanoid-base.js";
import { numberOption, rangeOption } from "./mujoco-env.js";

export interface HumanoidStandupOptions extends HumanoidObservationOptions {
  uphCostWeight?: number;
  ctrlCostWeight?: number;
  impactCostWeight?: number;
  impactCostRange?: [number, number];
}

/**
 * Gymnasium's HumanoidStandup-v5: a humanoid lying down stands up. Observation (348) as {@link HumanoidBase}. Reward
 * uphCostWeight * torso z / model timestep - ctrlCostWeight * |ctrl|^2 - impactCostWeight * |contact forces|^2
 * (clipped to impactCostRange) + 1; never terminates.
 */
export class HumanoidStandupEnv extends HumanoidBase {
  readonly uphCostWeight: number;
  readonly ctrlCostWeight: number;
  readonly impactCostWeight: number;
  readonly impactCostRange: readonly [number, number];

  constructor(opts: HumanoidStandupOptions = {}) {
    super("HumanoidStandup", opts, {
      optionKeys: ["uphCostWeight", "ctrlCostWeight", "impactCostWeight", "impactCostRange"],
      xmlFile: "humanoidstandup.xml",
      frameSkip: 5,
      resetNoiseScale: 1e-2,
      camera: { trackBodyId: 1, distance: 4, lookat: [0, 0, 0.8925], elevation: -20 },
    });
    const n = this.name;
    this.uphCostWeight = numberOption(n, "uphCostWeight", opts.uphCostWeight ?? 1);
    this.ctrlCostWeight = numberOption(n, "ctrlCostWeight", opts.ctrlCostWeight ?? 0.1);
    this.impactCostWeight = numberOption(n, "impactCostWeight", opts.impactCostWeight ?? 0.5e-6);
    this.impactCostRange = rangeOption(n, "impactCostRange", opts.impactCostRange ?? [-Infinity, 10]);
  }

  protected override resetInfo(info: Info): void {
    this.positionInfo(info);
    info.z_distance_from_origin = this.qpos[2] - this.initQpos[2];
  }

  protected afterStep(_action: Float64Array, r: StepResult<Float32Array>): void {
    const uph = (this.uphCostWeight * this.qpos[2]) / this.timestep;
    const ctrlCost = this.controlCost(this.ctrlCostWeight);
    const impactCost = this.contactCost(this.impactCostWeight, this.impactCostRange);
    r.reward = uph - ctrlCost - impactCost + 1;
    this.resetInfo(this.info);
    this.info.reward_linup = uph;
    this.info.reward_quadctrl = -ctrlCost;
    this.info.reward_impact = -impactCost;
  }
}
