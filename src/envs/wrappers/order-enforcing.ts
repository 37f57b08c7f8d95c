import { EnvError } from "../../errors.js";
import { type Env, envName, type ResetOptions, type ResetResult, type RgbFrame, type StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { Wrapper } from "./wrapper.js";

/**
 * Enforces the call order (Gymnasium's `OrderEnforcing`): `step` or `render` before the first `reset` is an
 * EnvError, and, stricter than Gymnasium, so is `step` after the inner env reported terminated or truncated.
 */
export class OrderEnforcing<O, A> extends Wrapper<O, A> {
  private hasReset = false;
  private episodeOver = false;
  private readonly disableRenderOrderEnforcing: boolean;

  constructor(env: Env<O, A>, opts: { disableRenderOrderEnforcing?: boolean } = {}) {
    super(env);
    this.disableRenderOrderEnforcing = opts.disableRenderOrderEnforcing ?? false;
  }

  /** True once `reset` has been called. */
  get hasResetBefore(): boolean {
    return this.hasReset;
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    this.hasReset = true;
    this.episodeOver = false;
    return r;
  }

  override step(action: A): StepResult<O> {
    if (!this.hasReset) throw new EnvError(`${envName(this)}: cannot call step() before calling reset()`);
    if (this.episodeOver) {
      throw new EnvError(
        `${envName(this)}: step() called after the episode terminated or was truncated; call reset() first`,
      );
    }
    const r = this.env.step(action);
    this.episodeOver = r.terminated || r.truncated;
    return r;
  }

  override render(): RgbFrame | string | null {
    if (!this.disableRenderOrderEnforcing && !this.hasReset) {
      throw new EnvError(
        `${envName(this)}: cannot call render() before calling reset() (pass disableRenderOrderEnforcing to allow it)`,
      );
    }
    return this.env.render();
  }

  protected override snapshotOwn(): WrapperState {
    return { kind: "OrderEnforcing", json: { hasReset: this.hasReset, episodeOver: this.episodeOver } };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    const hasReset = reader.bool("hasReset");
    const episodeOver = reader.bool("episodeOver");
    return () => {
      this.hasReset = hasReset;
      this.episodeOver = episodeOver;
    };
  }
}
