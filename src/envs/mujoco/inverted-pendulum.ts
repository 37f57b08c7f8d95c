import type { StepResult } from "../env.js";
import { MujocoEnv, type MujocoEnvOptions } from "./mujoco-env.js";

/**
 * Gymnasium's InvertedPendulum-v5: keep a pole upright on a cart. Observation [qpos, qvel] (4); reward 1 while the
 * pole is within 0.2 rad of upright; terminates when it is not (or the observation is not finite).
 */
export class InvertedPendulumEnv extends MujocoEnv {
  constructor(opts: MujocoEnvOptions = {}) {
    super("InvertedPendulum", opts, {
      optionKeys: [],
      xmlFile: "inverted_pendulum.xml",
      frameSkip: 2,
      resetNoiseScale: 0.01,
      observationSize: (m) => m.nq + m.nv,
      camera: { trackBodyId: 0, distance: 2.04 },
    });
  }

  protected resetModel(): void {
    this.uniformNoise(this.qpos, this.initQpos);
    this.uniformNoise(this.qvel, this.initQvel);
  }

  protected writeObservation(out: Float64Array): void {
    const nq = this.qpos.length;
    out.set(this.qpos);
    out.set(this.qvel, nq);
  }

  protected afterStep(_action: Float64Array, r: StepResult<Float32Array>): void {
    const obs = this.observation64;
    let finite = true;
    for (let i = 0; i < obs.length; i++) finite &&= Number.isFinite(obs[i]);
    r.terminated = !finite || Math.abs(obs[1]) > 0.2;
    r.reward = r.terminated ? 0 : 1;
    this.info.reward_survive = r.reward;
  }
}
