import { PlanarWalkerEnv, type PlanarWalkerOptions } from "./planar-walker.js";

export type Walker2dOptions = PlanarWalkerOptions;

/**
 * Gymnasium's Walker2d-v5: walk forward on two legs. Observation qpos (without x) and qvel clipped to [-10, 10] (17);
 * reward and termination as {@link PlanarWalkerEnv}, healthy z in (0.8, 2) and torso angle in (-1, 1).
 */
export class Walker2dEnv extends PlanarWalkerEnv {
  constructor(opts: Walker2dOptions = {}) {
    super("Walker2d", opts, {
      optionKeys: [],
      xmlFile: "walker2d_v5.xml",
      frameSkip: 4,
      healthyZRange: [0.8, 2.0],
      healthyAngleRange: [-1, 1],
    });
  }
}
