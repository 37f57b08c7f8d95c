import { rangeOption } from "./mujoco-env.js";
import { PlanarWalkerEnv, type PlanarWalkerOptions } from "./planar-walker.js";

export interface HopperOptions extends PlanarWalkerOptions {
  healthyStateRange?: [number, number];
}

/**
 * Gymnasium's Hopper-v5: hop forward on one leg. Observation qpos (without x) and qvel clipped to [-10, 10] (11);
 * reward and termination as {@link PlanarWalkerEnv}, healthy z in (0.7, inf) and torso angle in (-0.2, 0.2), and
 * every element of [qpos[2:], qvel] in healthyStateRange (open).
 */
export class HopperEnv extends PlanarWalkerEnv {
  readonly healthyStateRange: readonly [number, number];

  constructor(opts: HopperOptions = {}) {
    super("Hopper", opts, {
      optionKeys: ["healthyStateRange"],
      xmlFile: "hopper.xml",
      frameSkip: 4,
      healthyZRange: [0.7, Infinity],
      healthyAngleRange: [-0.2, 0.2],
    });
    this.healthyStateRange = rangeOption(this.name, "healthyStateRange", opts.healthyStateRange ?? [-100, 100]);
  }

  override get isHealthy(): boolean {
    const q = this.qpos;
    const v = this.qvel;
    const lo = this.healthyStateRange[0];
    const hi = this.healthyStateRange[1];
    for (let i = 2; i < q.length; i++) if (!(lo < q[i] && q[i] < hi)) return false;
    for (let i = 0; i < v.length; i++) if (!(lo < v[i] && v[i] < hi)) return false;
    return super.isHealthy;
  }
}
