import type { Info, StepResult } from "../env.js";
import { boolOption, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";
import { XyVelocity } from "./xy-motion.js";

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
  private readonly velocity = new XyVelocity(this.dt);

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
    const x = this.qpos[0];
    const y = this.qpos[1];
    info.x_position = x;
    info.y_position = y;
    info.distance_from_origin = Math.sqrt(x * x + y * y); // np.linalg.norm (Math.hypot rounds differently)
  }

  protected writeObservation(out: Float64Array): void {
    const skip = this.excludeCurrentPositions ? 2 : 0;
    const nq = this.qpos.length - skip;
    for (let i = 0; i < nq; i++) out[i] = this.qpos[i + skip];
    out.set(this.qvel, nq);
  }

  protected override beforeStep(): void {
    this.velocity.start(this.qpos, 0);
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    const v = this.velocity;
    v.end(this.qpos, 0);
    const forward = this.forwardRewardWeight * v.x;
    let a2 = 0;
    for (let i = 0; i < action.length; i++) a2 += action[i] * action[i];
    const ctrlCost = this.ctrlCostWeight * a2;
    r.reward = forward - ctrlCost;
    this.resetInfo(this.info);
    const info = this.info;
    info.x_velocity = v.x;
    info.y_velocity = v.y;
    info.reward_forward = forward;
    info.reward_ctrl = -ctrlCost;
  }
}
