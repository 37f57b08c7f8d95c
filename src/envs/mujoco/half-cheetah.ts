import type { Info, StepResult } from "../env.js";
import { boolOption, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";

export interface HalfCheetahOptions extends MujocoEnvOptions {
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  excludeCurrentPositionsFromObservation?: boolean;
}

/**
 * Gymnasium's HalfCheetah-v5: run forward. Observation qpos (without x) and qvel (17); reward
 * forwardRewardWeight * x velocity - ctrlCostWeight * |a|^2; never terminates.
 */
export class HalfCheetahEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly excludeCurrentPositions: boolean;
  private xBefore = 0;

  constructor(opts: HalfCheetahOptions = {}) {
    const exclude = boolOption(
      "HalfCheetah",
      "excludeCurrentPositionsFromObservation",
      opts.excludeCurrentPositionsFromObservation ?? true,
    );
    super("HalfCheetah", opts, {
      optionKeys: ["forwardRewardWeight", "ctrlCostWeight", "excludeCurrentPositionsFromObservation"],
      xmlFile: "half_cheetah.xml",
      frameSkip: 5,
      resetNoiseScale: 0.1,
      observationSize: (m) => m.nq + m.nv - (exclude ? 1 : 0),
      camera: { trackBodyId: 1, distance: 4 },
    });
    this.excludeCurrentPositions = exclude;
    this.forwardRewardWeight = numberOption(this.name, "forwardRewardWeight", opts.forwardRewardWeight ?? 1);
    this.ctrlCostWeight = numberOption(this.name, "ctrlCostWeight", opts.ctrlCostWeight ?? 0.1);
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.normalNoise(this.qvel, this.initQvel);
  }

  protected override resetInfo(info: Info): void {
    info.x_position = this.qpos[0];
  }

  protected writeObservation(out: Float64Array): void {
    const skip = this.excludeCurrentPositions ? 1 : 0;
    const nq = this.qpos.length - skip;
    for (let i = 0; i < nq; i++) out[i] = this.qpos[i + skip];
    out.set(this.qvel, nq);
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
    r.reward = forward - ctrlCost;
    const info = this.info;
    info.x_position = this.qpos[0];
    info.x_velocity = xVelocity;
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
  }
}
