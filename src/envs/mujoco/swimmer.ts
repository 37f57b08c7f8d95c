import type { Info, StepResult } from "../env.js";
import { boolOption, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";
import { sumSquares } from "./rewards.js";
import { distanceInfo, XyVelocity, xyPositionInfo } from "./xy-motion.js";

export interface SwimmerOptions extends MujocoEnvOptions {
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  excludeCurrentPositionsFromObservation?: boolean;
}

/**
 * Gymnasium's Swimmer-v5: swim forward in a viscous fluid. Observation qpos (without x, y) and qvel (8); reward
 * forwardRewardWeight * x velocity - ctrlCostWeight * |a|^2; never terminates.
 */
export class SwimmerEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly excludeCurrentPositions: boolean;
  private readonly velocity = new XyVelocity();

  constructor(opts: SwimmerOptions = {}) {
    const exclude = boolOption(
      "Swimmer",
      "excludeCurrentPositionsFromObservation",
      opts.excludeCurrentPositionsFromObservation ?? true,
    );
    super("Swimmer", opts, {
      optionKeys: ["forwardRewardWeight", "ctrlCostWeight", "excludeCurrentPositionsFromObservation"],
      xmlFile: "swimmer.xml",
      frameSkip: 4,
      resetNoiseScale: 0.1,
      observationSize: (m) => m.nq + m.nv - (exclude ? 2 : 0),
      camera: { trackBodyId: 1, distance: 4, elevation: -60 },
    });
    this.excludeCurrentPositions = exclude;
    this.forwardRewardWeight = numberOption(this.name, "forwardRewardWeight", opts.forwardRewardWeight ?? 1);
    this.ctrlCostWeight = numberOption(this.name, "ctrlCostWeight", opts.ctrlCostWeight ?? 1e-4);
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.uniformNoise(this.qvel, this.initQvel);
  }

  protected override resetInfo(info: Info): void {
    xyPositionInfo(info, this.qpos);
    distanceInfo(info, this.qpos);
  }

  protected writeObservation(out: Float64Array): void {
    const skip = this.excludeCurrentPositions ? 2 : 0;
    const nq = this.qpos.length - skip;
    for (let i = 0; i < nq; i++) out[i] = this.qpos[i + skip];
    out.set(this.qvel, nq);
  }

  protected override beforeStep(): void {
    this.velocity.start(this.qpos[0], this.qpos[1]);
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    this.velocity.end(this.qpos[0], this.qpos[1], this.dt);
    const forward = this.forwardRewardWeight * this.velocity.x;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    r.reward = forward - ctrlCost;
    this.resetInfo(this.info);
    const info = this.info;
    this.velocity.writeInfo(info);
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
  }
}
