import { Env, type ResetResult, type StepResult } from "../envs/env.js";
import { Sb3ImportError } from "../errors.js";
import type { Space } from "../spaces/space.js";

/**
 * An environment that only has spaces: what an imported model is attached to when no env was given (SB3's zip does
 * not say which env it was trained on). Enough for `predict`; `reset` and `step` say how to get a real one.
 */
export class SpacesOnlyEnv extends Env<unknown, unknown> {
  constructor(
    readonly observationSpace: Space<unknown>,
    readonly actionSpace: Space<unknown>,
  ) {
    super();
  }

  reset(): ResetResult<unknown> {
    throw this.noEnv();
  }

  step(): StepResult<unknown> {
    throw this.noEnv();
  }

  private noEnv(): Sb3ImportError {
    return new Sb3ImportError(
      "this model was imported without an environment: pass { env } to importSb3 (or --env to the CLI) to train or evaluate it",
    );
  }
}
