// The motion in the x, y plane that Ant-v5, Swimmer-v5 and Humanoid-v5 reward and report: a point's velocity over
// one step (the torso, the front tip, the centre of mass) and the x_position, y_position, distance_from_origin and
// x_velocity, y_velocity info entries.
import type { Info } from "../env.js";
import { norm2 } from "./rewards.js";

/** A point's x, y velocity over a step: `start` before it, `end` after it. */
export class XyVelocity {
  x = 0;
  y = 0;
  private x0 = 0;
  private y0 = 0;

  start(x: number, y: number): void {
    this.x0 = x;
    this.y0 = y;
  }

  /** (position after - position before) / dt, as Gymnasium computes it. */
  end(x: number, y: number, dt: number): void {
    this.x = (x - this.x0) / dt;
    this.y = (y - this.y0) / dt;
  }

  /** The info entries x_velocity, y_velocity. */
  writeInfo(info: Info): void {
    info.x_velocity = this.x;
    info.y_velocity = this.y;
  }
}

/** The info entries x_position, y_position (qpos[0], qpos[1]: the free joint's position). */
export function xyPositionInfo(info: Info, qpos: Float64Array): void {
  info.x_position = qpos[0];
  info.y_position = qpos[1];
}

/** The info entry distance_from_origin: |(qpos[0], qpos[1])|. */
export function distanceInfo(info: Info, qpos: Float64Array): void {
  info.distance_from_origin = norm2(qpos[0], qpos[1]);
}
