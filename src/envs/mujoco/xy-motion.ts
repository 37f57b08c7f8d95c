// The motion in the x, y plane that Ant-v5, Swimmer-v5 and Humanoid-v5 reward: a point's velocity over one step (the
// torso, the front tip, the centre of mass).

/**
 * A point's x, y velocity over a step, `(position after - position before) / dt` as Gymnasium computes it; the point
 * is `p[i]`, `p[i + 1]` of a position array. Positions pass as an array and an index, not as numbers, and the
 * velocity is read from the fields: V8 boxes a number (allocates) that crosses a call it does not inline.
 */
export class XyVelocity {
  x = 0;
  y = 0;
  private x0 = 0;
  private y0 = 0;

  constructor(private readonly dt: number) {}

  /** Before the step. */
  start(p: Float64Array, i: number): void {
    this.x0 = p[i];
    this.y0 = p[i + 1];
  }

  /** After the step. */
  end(p: Float64Array, i: number): void {
    this.x = (p[i] - this.x0) / this.dt;
    this.y = (p[i + 1] - this.y0) / this.dt;
  }
}
