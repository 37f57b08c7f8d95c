import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { type Env, envName, type ResetOptions, type ResetResult, type StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { reusedStepResult, Wrapper } from "./wrapper.js";

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`): the step that reaches the limit
 * returns `truncated = true`. Stepping again before `reset()` is an EnvError. Reuses its own result object.
 */
export class TimeLimit<O, A> extends Wrapper<O, A> {
  readonly maxEpisodeSteps: number;
  /** Steps taken since the last reset. */
  elapsedSteps = 0;
  private episodeOver = false;
  private readonly stepResult = reusedStepResult<O>();

  constructor(env: Env<O, A>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new InvalidArgumentError(
        `TimeLimit(${envName(env)}): maxEpisodeSteps must be a positive integer, got ${describe(maxEpisodeSteps)}`,
      );
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    this.elapsedSteps = 0;
    this.episodeOver = false;
    return r;
  }

  override step(action: A): StepResult<O> {
    if (this.episodeOver) {
      throw new EnvError(
        `${envName(this)}: step() called after the episode ended (terminated or truncated at ${this.elapsedSteps} of at most ${this.maxEpisodeSteps} steps); call reset() first`,
      );
    }
    const r = this.env.step(action);
    this.elapsedSteps++;
    const out = this.stepResult;
    out.observation = r.observation;
    out.reward = r.reward;
    out.terminated = r.terminated;
    out.truncated = r.truncated || this.elapsedSteps >= this.maxEpisodeSteps;
    out.info = r.info;
    this.episodeOver = out.terminated || out.truncated;
    return out;
  }

  protected override snapshotOwn(): WrapperState {
    return {
      kind: "TimeLimit",
      json: { maxEpisodeSteps: this.maxEpisodeSteps, elapsedSteps: this.elapsedSteps, episodeOver: this.episodeOver },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    reader.expect("maxEpisodeSteps", this.maxEpisodeSteps);
    const elapsed = reader.int("elapsedSteps", 0, this.maxEpisodeSteps);
    const episodeOver = reader.bool("episodeOver");
    return () => {
      this.elapsedSteps = elapsed;
      this.episodeOver = episodeOver;
    };
  }
}
