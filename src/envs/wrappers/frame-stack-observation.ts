import { describe, InvalidArgumentError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import { type Env, envName, type ResetOptions, type ResetResult, type StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { Wrapper } from "./wrapper.js";

/**
 * Gymnasium's FrameStackObservation for Box observations: returns the last `stackSize` observations stacked along a
 * new leading axis, oldest first (shape [stackSize, ...shape]). After reset the older slots hold copies of the reset
 * observation (`padding: "reset"`, the default), zeros (`"zero"`), or a given number.
 * The returned Float32Array is owned by the wrapper and overwritten by the next reset/step.
 */
export class FrameStackObservation<A> extends Wrapper<Float32Array, A, Float32Array, A> {
  readonly stackSize: number;
  readonly padding: "reset" | "zero" | number;
  private readonly frameSize: number;
  private readonly stacked: Float32Array;
  private readonly result: StepResult<Float32Array> = {
    observation: new Float32Array(0),
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

  constructor(env: Env<Float32Array, A>, stackSize: number, opts: { padding?: "reset" | "zero" | number } = {}) {
    super(env);
    const where = `FrameStackObservation(${envName(env)})`;
    const space = env.observationSpace;
    if (!(space instanceof Box)) {
      throw new InvalidArgumentError(`${where}: the observation space must be a Box, got ${space}`);
    }
    if (!Number.isSafeInteger(stackSize) || stackSize < 1) {
      throw new InvalidArgumentError(`${where}: stackSize must be a positive integer, got ${describe(stackSize)}`);
    }
    const padding = opts.padding ?? "reset";
    if (padding !== "reset" && padding !== "zero" && typeof padding !== "number") {
      throw new InvalidArgumentError(`${where}: padding must be "reset", "zero" or a number, got ${describe(padding)}`);
    }
    this.stackSize = stackSize;
    this.padding = padding;
    this.frameSize = space.size;
    this.stacked = new Float32Array(stackSize * space.size);
    const low = new Float32Array(this.stacked.length);
    const high = new Float32Array(this.stacked.length);
    for (let k = 0; k < stackSize; k++) {
      low.set(space.low, k * space.size);
      high.set(space.high, k * space.size);
    }
    this.observationSpace = new Box(low, high, [stackSize, ...space.shape]);
    this.result.observation = this.stacked;
  }

  override reset(opts?: ResetOptions): ResetResult<Float32Array> {
    const r = this.env.reset(opts);
    const n = this.frameSize;
    for (let k = 0; k < this.stackSize - 1; k++) {
      if (this.padding === "reset") this.stacked.set(r.observation, k * n);
      else this.stacked.fill(this.padding === "zero" ? 0 : this.padding, k * n, (k + 1) * n);
    }
    this.stacked.set(r.observation, (this.stackSize - 1) * n);
    return { observation: this.stacked, info: r.info };
  }

  override step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    const n = this.frameSize;
    this.stacked.copyWithin(0, n);
    this.stacked.set(r.observation, (this.stackSize - 1) * n);
    const out = this.result;
    out.reward = r.reward;
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }

  /** The stacked frames (what the next step shifts). */
  protected override snapshotOwn(): WrapperState {
    return {
      kind: "FrameStackObservation",
      json: { stackSize: this.stackSize, padding: this.padding },
      arrays: { stacked: this.stacked },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    reader.expect("stackSize", this.stackSize);
    reader.expect("padding", this.padding);
    // observations of unbounded spaces may hold infinities; NaN is never a valid frame
    const stacked = reader.array("stacked", Float32Array, this.stacked.length, true);
    if (stacked.some((v) => Number.isNaN(v))) throw reader.error("stacked frames must not hold NaN");
    return () => this.stacked.set(stacked);
  }
}
