import { sincos, sincosOut } from "../../core/math/index.js";
import type { StepResult } from "../env.js";
import { f64, MujocoEnv, type MujocoEnvOptions, numberOption } from "./mujoco-env.js";

export interface InvertedDoublePendulumOptions extends MujocoEnvOptions {
  /** Reward per step while the tip is above 1 (default 10). */
  healthyReward?: number;
}

/**
 * Gymnasium's InvertedDoublePendulum-v5. Observation: cart position, sin and cos of both hinge angles, velocities
 * clipped to [-10, 10], the cart's constraint force clipped to [-10, 10] (9). Reward: healthyReward while alive minus
 * 0.01 x^2 + (y - 2)^2 of the tip and 1e-3 w1^2 + 5e-3 w2^2; terminates when the tip's y <= 1.
 */
export class InvertedDoublePendulumEnv extends MujocoEnv {
  readonly healthyReward: number;
  declare private siteXpos: Float64Array;
  declare private qfrcConstraint: Float64Array;

  constructor(opts: InvertedDoublePendulumOptions = {}) {
    super("InvertedDoublePendulum", opts, {
      optionKeys: ["healthyReward"],
      xmlFile: "inverted_double_pendulum.xml",
      frameSkip: 5,
      resetNoiseScale: 0.1,
      observationSize: (m) => 1 + 2 * (m.nq - 1) + m.nv + 1,
      camera: { trackBodyId: 0, distance: 4.1225, lookat: [0, 0, 0.6] },
    });
    this.healthyReward = numberOption(this.name, "healthyReward", opts.healthyReward ?? 10);
  }

  protected override bindViews(): void {
    super.bindViews();
    this.siteXpos = f64(this.data.site_xpos);
    this.qfrcConstraint = f64(this.data.qfrc_constraint);
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.normalNoise(this.qvel, this.initQvel);
  }

  protected writeObservation(out: Float64Array): void {
    const q = this.qpos;
    const n = q.length - 1;
    out[0] = q[0];
    for (let i = 0; i < n; i++) {
      sincos(q[1 + i]);
      out[1 + i] = sincosOut[0];
      out[1 + n + i] = sincosOut[1];
    }
    let k = 1 + 2 * n;
    for (let i = 0; i < this.qvel.length; i++) out[k++] = Math.min(Math.max(this.qvel[i], -10), 10);
    out[k] = Math.min(Math.max(this.qfrcConstraint[0], -10), 10);
  }

  protected afterStep(_action: Float64Array, r: StepResult<Float32Array>): void {
    const x = this.siteXpos[0];
    const y = this.siteXpos[2];
    const distPenalty = 0.01 * x * x + (y - 2) * (y - 2);
    const v1 = this.qvel[1];
    const v2 = this.qvel[2];
    const velPenalty = 1e-3 * v1 * v1 + 5e-3 * v2 * v2;
    r.terminated = y <= 1;
    const alive = r.terminated ? 0 : this.healthyReward;
    r.reward = alive - distPenalty - velPenalty;
    this.info.reward_survive = alive;
    this.info.distance_penalty = -distPenalty;
    this.info.velocity_penalty = -velPenalty;
  }
}
