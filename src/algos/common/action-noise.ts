import type { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError } from "../../errors.js";

/**
 * Exploration noise added to a deterministic policy's actions (TD3, DDPG; optional for SAC), in the policy's [-1, 1]
 * scale, as SB3's `action_noise`: the noisy action is clip(mu(s) + noise, -1, 1). Given as plain data so a config
 * can be saved: `{ type: "normal", sigma: 0.1 }` or `{ type: "ornstein-uhlenbeck", sigma: 0.5, theta?: 0.15,
 * dt?: 0.01 }`; `sigma` and `mean` (default 0) are one number for every action dimension or one per dimension.
 */
export type ActionNoiseSpec =
  | { type: "normal"; sigma: number | number[]; mean?: number | number[] }
  | { type: "ornstein-uhlenbeck"; sigma: number | number[]; mean?: number | number[]; theta?: number; dt?: number };

/** Noise for `numEnvs` envs at once, one row of `dim` values per env; its state (OU's last value) is explicit. */
export interface ActionNoise {
  /** Write one noise row per env into `out` [numEnvs * dim]. */
  sample(rng: Rng, out: Float32Array): void;
  /** Restart env `e`'s process (at its episode end). */
  reset(e: number): void;
  /** The process state, for checkpoints (empty for memoryless noise). */
  readonly state: Float64Array;
}

/** NormalActionNoise: n ~ N(mean, sigma^2), independent at every step. */
export class NormalActionNoise implements ActionNoise {
  readonly state = new Float64Array(0);
  constructor(
    private readonly mean: Float64Array,
    private readonly sigma: Float64Array,
    private readonly numEnvs: number,
  ) {}

  sample(rng: Rng, out: Float32Array): void {
    const d = this.mean.length;
    for (let e = 0; e < this.numEnvs; e++)
      for (let j = 0; j < d; j++) out[e * d + j] = this.mean[j] + this.sigma[j] * rng.normal();
  }

  reset(_e: number): void {}
}

/**
 * OrnsteinUhlenbeckActionNoise (Uhlenbeck and Ornstein 1930; DDPG's temporally correlated exploration):
 *   x_{t+1} = x_t + theta (mean - x_t) dt + sigma sqrt(dt) N(0, 1),   x_0 = 0, restarted at each episode end.
 */
export class OrnsteinUhlenbeckActionNoise implements ActionNoise {
  readonly state: Float64Array;
  constructor(
    private readonly mean: Float64Array,
    private readonly sigma: Float64Array,
    numEnvs: number,
    private readonly theta: number,
    private readonly dt: number,
  ) {
    this.state = new Float64Array(numEnvs * mean.length);
  }

  sample(rng: Rng, out: Float32Array): void {
    const d = this.mean.length;
    const sqrtDt = Math.sqrt(this.dt);
    for (let i = 0; i < this.state.length; i++) {
      const j = i % d;
      const x = this.state[i];
      this.state[i] = x + this.theta * (this.mean[j] - x) * this.dt + this.sigma[j] * sqrtDt * rng.normal();
      out[i] = this.state[i];
    }
  }

  reset(e: number): void {
    const d = this.mean.length;
    this.state.fill(0, e * d, (e + 1) * d);
  }
}

/** Build the noise a config names for `numEnvs` envs with `dim`-dimensional actions; null stays null. */
export function makeActionNoise(
  spec: ActionNoiseSpec | null,
  dim: number,
  numEnvs: number,
  where: string,
): ActionNoise | null {
  if (spec === null) return null;
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`${where}: config.actionNoise${what}, got ${describe(spec)}`);
  };
  if (typeof spec !== "object") bad(' must be null or { type: "normal" | "ornstein-uhlenbeck", sigma, ... }');
  const perDim = (v: unknown, name: string, dflt: number, min: number): Float64Array => {
    const vals = v === undefined ? [dflt] : typeof v === "number" ? [v] : Array.isArray(v) ? v : null;
    if (vals === null || (vals.length !== 1 && vals.length !== dim)) bad(`.${name} must be a number or ${dim} numbers`);
    const out = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      const x = (vals as unknown[])[vals?.length === 1 ? 0 : j];
      if (typeof x !== "number" || !Number.isFinite(x) || x < min) bad(`.${name} must hold finite numbers >= ${min}`);
      out[j] = x as number;
    }
    return out;
  };
  const sigma = perDim(spec.sigma, "sigma", Number.NaN, 0);
  const mean = perDim(spec.mean, "mean", 0, -Infinity);
  if (spec.type === "normal") return new NormalActionNoise(mean, sigma, numEnvs);
  if (spec.type === "ornstein-uhlenbeck") {
    const theta = spec.theta ?? 0.15;
    const dt = spec.dt ?? 1e-2;
    if (!(theta >= 0 && Number.isFinite(theta))) bad(".theta must be a finite number >= 0");
    if (!(dt > 0 && Number.isFinite(dt))) bad(".dt must be a finite number > 0");
    return new OrnsteinUhlenbeckActionNoise(mean, sigma, numEnvs, theta, dt);
  }
  return bad('.type must be "normal" or "ornstein-uhlenbeck"');
}
