import { hypot, sincos, sincosOut } from "../../core/math/index.js";
import type { StepResult } from "../env.js";
import { f64, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";

export interface ReacherOptions extends MujocoEnvOptions {
  rewardDistWeight?: number;
  rewardControlWeight?: number;
}

/**
 * Gymnasium's Reacher-v5: move a two-joint arm's fingertip to a random target. Observation: cos and sin of the arm's
 * angles, the target's position, the arm's velocities, fingertip minus target in x, y (10). Reward
 * -rewardDistWeight * |fingertip - target| - rewardControlWeight * |a|^2, after the step; never terminates.
 */
export class ReacherEnv extends MujocoEnv {
  readonly rewardDistWeight: number;
  readonly rewardControlWeight: number;
  declare private xpos: Float64Array;
  private readonly fingertip: number;
  private readonly target: number;

  constructor(opts: ReacherOptions = {}) {
    super("Reacher", opts, {
      optionKeys: ["rewardDistWeight", "rewardControlWeight"],
      xmlFile: "reacher.xml",
      frameSkip: 2,
      observationSize: (m) => 2 * 2 + (m.nq - 2) + 2 + 2,
      camera: { trackBodyId: 0, distance: 0.9, elevation: -90 },
    });
    this.rewardDistWeight = numberOption(this.name, "rewardDistWeight", opts.rewardDistWeight ?? 1);
    this.rewardControlWeight = numberOption(this.name, "rewardControlWeight", opts.rewardControlWeight ?? 1);
    this.fingertip = this.bodyId("fingertip");
    this.target = this.bodyId("target");
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xpos = f64(this.data.xpos);
  }

  /** Arm angles U(-0.1, 0.1) around the reference; the target uniform in the disc of radius 0.2 (by rejection). */
  protected resetModel(): void {
    const q = this.qpos;
    const nq = q.length;
    for (let i = 0; i < nq; i++) q[i] = this.rng.uniformRange(-0.1, 0.1) + this.initQpos[i];
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniformRange(-0.2, 0.2);
      gy = this.rng.uniformRange(-0.2, 0.2);
    } while (!(hypot(gx, gy) < 0.2));
    q[nq - 2] = gx;
    q[nq - 1] = gy;
    const v = this.qvel;
    for (let i = 0; i < v.length; i++) v[i] = this.initQvel[i] + this.rng.uniformRange(-0.005, 0.005);
    v[v.length - 2] = 0;
    v[v.length - 1] = 0;
  }

  protected writeObservation(out: Float64Array): void {
    const q = this.qpos;
    sincos(q[0]);
    out[0] = sincosOut[1];
    out[2] = sincosOut[0];
    sincos(q[1]);
    out[1] = sincosOut[1];
    out[3] = sincosOut[0];
    let k = 4;
    for (let i = 2; i < q.length; i++) out[k++] = q[i];
    out[k++] = this.qvel[0];
    out[k++] = this.qvel[1];
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    out[k++] = this.xpos[f] - this.xpos[t];
    out[k] = this.xpos[f + 1] - this.xpos[t + 1];
  }

  protected afterStep(action: Float64Array, r: StepResult<Float32Array>): void {
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    const dx = this.xpos[f] - this.xpos[t];
    const dy = this.xpos[f + 1] - this.xpos[t + 1];
    const dz = this.xpos[f + 2] - this.xpos[t + 2];
    const rewardDist = -Math.sqrt(dx * dx + dy * dy + dz * dz) * this.rewardDistWeight;
    let a2 = 0;
    for (let i = 0; i < action.length; i++) a2 += action[i] * action[i];
    const rewardCtrl = -a2 * this.rewardControlWeight;
    r.reward = rewardDist + rewardCtrl;
    this.info.reward_dist = rewardDist;
    this.info.reward_ctrl = rewardCtrl;
  }
}
