import { checkEnvSpaces, checkRenderResult, checkResetResult, checkStepResult } from "../checks.js";
import type { Env, ResetOptions, ResetResult, RgbFrame, StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { Wrapper } from "./wrapper.js";

/**
 * Gymnasium's `PassiveEnvChecker`: checks the spaces when wrapping, and the results of the first `reset`, the
 * first `step` and the first `render` only, so the per-step cost afterwards is one branch. Contract violations
 * throw EnvError; observations outside the space (which Gymnasium only warns about) go to `warnings`.
 */
export class PassiveEnvChecker<O, A> extends Wrapper<O, A> {
  /** Messages Gymnasium would log as warnings. */
  readonly warnings: string[] = [];
  private checkedReset = false;
  private checkedStep = false;
  private checkedRender = false;

  constructor(env: Env<O, A>) {
    super(env);
    checkEnvSpaces(env as Env<unknown, unknown>);
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    if (!this.checkedReset) {
      this.checkedReset = true;
      this.warnings.push(...checkResetResult(this.env as Env<unknown, unknown>, r));
    }
    return r;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    if (!this.checkedStep) {
      this.checkedStep = true;
      this.warnings.push(...checkStepResult(this.env as Env<unknown, unknown>, r));
    }
    return r;
  }

  override render(): RgbFrame | string | null {
    const frame = this.env.render();
    if (!this.checkedRender) {
      this.checkedRender = true;
      checkRenderResult(this.env as Env<unknown, unknown>, frame);
    }
    return frame;
  }

  protected override snapshotOwn(): WrapperState {
    return {
      kind: "PassiveEnvChecker",
      json: {
        checkedReset: this.checkedReset,
        checkedStep: this.checkedStep,
        checkedRender: this.checkedRender,
        warnings: [...this.warnings],
      },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    const checkedReset = reader.bool("checkedReset");
    const checkedStep = reader.bool("checkedStep");
    const checkedRender = reader.bool("checkedRender");
    const warnings = reader.json.warnings;
    if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === "string")) {
      throw reader.error("warnings must be a list of strings");
    }
    return () => {
      this.checkedReset = checkedReset;
      this.checkedStep = checkedStep;
      this.checkedRender = checkedRender;
      this.warnings.splice(0, this.warnings.length, ...(warnings as string[]));
    };
  }
}
