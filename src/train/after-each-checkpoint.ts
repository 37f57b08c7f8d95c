import type { Callback, CheckpointCallback } from "../algos/common/callbacks.js";

/**
 * A callback that records something once after each checkpoint `checkpoints` saves (in the same rollout-start or
 * training-end hook, so what it writes belongs with that checkpoint). Place it after that callback.
 */
export abstract class AfterEachCheckpoint implements Callback {
  private seen = 0;
  constructor(private readonly checkpoints: CheckpointCallback) {}
  onTrainingStart(): void {
    this.seen = this.checkpoints.savedPaths.length;
  }
  async onRolloutStart(ctx: { numTimesteps: number }): Promise<boolean> {
    await this.check(ctx.numTimesteps);
    return true;
  }
  async onTrainingEnd(ctx: { numTimesteps: number }): Promise<void> {
    await this.check(ctx.numTimesteps);
  }
  /** What to record for the checkpoint just saved at `step`. */
  protected abstract record(step: number): Promise<void>;
  private async check(step: number): Promise<void> {
    if (this.checkpoints.savedPaths.length === this.seen) return;
    this.seen = this.checkpoints.savedPaths.length;
    await this.record(step);
  }
}
