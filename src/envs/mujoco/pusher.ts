import { hypot } from "../../core/math/index.js";
import type { StepResult } from "../env.js";
import { f64, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";

export interface PusherOptions extends MujocoEnvOptions {
  rewardNearWeight?: number;
  rewardDistWeight?: number;
  rewardControlWeight?: number;
}

/**
 * Gymnasium's Pusher-v5: a 7-joint arm pushes a cylinder to a goal. Observation: the arm's qpos and qvel (7 + 7), the
 * positions of the arm's tip, the object and the goal (23). Reward, after the step: -rewardNearWeight * |object - tip|
 * - rewardDistWeight * |object - goal| - rewardControlWeight * |a|^2; never terminates.
 */
export class PusherEnv extends MujocoEnv {
  readonly rewardNearWeight: number;
  readonly rewardDistWeight: number;
  readonly rewardControlWeight: number;
  declare private xpos: Float64Array;
  private readonly tip: number;
  private readonly object: number;
  private readonly goal: number;

  constructor(opts: PusherOptions = {}) {
    super("Pusher", opts, {
      optionKeys: ["rewardNearWeight", "rewardDistWeight", "rewardControlWeight"],
      xmlFile: "pusher_v5.xml",
      frameSkip: 5,
      observationSize: () => 23,
      camera: { trackBodyId: -1, distance: 4 },
    });
    this.rewardNearWeight = numberOption(this.name, "rewardNearWeight", opts.rewardNearWeight ?? 0.5);
    this.rewardDistWeight = numberOption(this.name, "rewardDistWeight", opts.rewardDistWeight ?? 1);
    this.rewardControlWeight = numberOption(this.name, "rewardControlWeight", opts.rewardControlWeight ?? 0.1);
    this.tip = this.bodyId("tips_arm");
    this.object = this.bodyId("object");
    this.goal = this.bodyId("goal");
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xpos = f64(this.data.xpos);
  }

  /** The arm at its reference; the object at x in U(-0.3, 0), y in U(-0.2, 0.2), more than 0.17 from the goal. */
  protected resetModel(): void {
    const q = this.qpos;
    const nq = q.length;
    q.set(this.initQpos);
    let cx: number;
    let cy: number;
    do {
      cx = this.rng.uniformRange(-0.3, 0);
      cy = this.rng.uniformRange(-0.2, 0.2);
    } while (!(hypot(cx, cy) > 0.17));
    q[nq - 4] = cx;
    q[nq - 3] = cy;
    q[nq - 2] = 0;
    q[nq - 1] = 0;
    const v = this.qvel;
    for (let i = 0; i < v.length; i++) v[i] = this.initQvel[i] + this.rng.uniformRange(-0.005, 0.005);
    for (let i = v.length - 4; i < v.length; i++) v[i] = 0;
  }

  protected writeObservation(out: Float64Array): void {
    for (let i = 0; i < 7; i++) {
      out[i] = this.qpos[i];
      out[7 + i] = this.qvel[i];
    }
    const x = this.xpos;
    for (let j = 0; j < 3; j++) {
      out[14 + j] = x[3 * this.tip + j];
      out[17 + j] = x[3 * this.object + j];
      out[20 + j] = x[3 * this.goal + j];
    }
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    // |object - tip| and |object - goal|, in line: a number returned by a call V8 does not inline is boxed
    const x = this.xpos;
    const o = 3 * this.object;
    const t = 3 * this.tip;
    const g = 3 * this.goal;
    const nx = x[o] - x[t];
    const ny = x[o + 1] - x[t + 1];
    const nz = x[o + 2] - x[t + 2];
    const dx = x[o] - x[g];
    const dy = x[o + 1] - x[g + 1];
    const dz = x[o + 2] - x[g + 2];
    const rewardNear = -Math.sqrt(nx * nx + ny * ny + nz * nz) * this.rewardNearWeight;
    const rewardDist = -Math.sqrt(dx * dx + dy * dy + dz * dz) * this.rewardDistWeight;
    let a2 = 0;
    for (let i = 0; i < action.length; i++) a2 += action[i] * action[i];
    const rewardCtrl = -a2 * this.rewardControlWeight;
    r.reward = rewardDist + rewardCtrl + rewardNear;
    this.info.reward_dist = rewardDist;
    this.info.reward_ctrl = rewardCtrl;
    this.info.reward_near = rewardNear;
  }
}
