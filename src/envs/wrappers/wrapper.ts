import type { Rng } from "../../core/rng.js";
import type { Space } from "../../spaces/space.js";
import {
  Env,
  type EnvMetadata,
  type EnvSpec,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StepResult,
} from "../env.js";

/**
 * Wraps an env to change part of its behaviour (Gymnasium's `Wrapper[WrapperObs, WrapperAct, Obs, Act]`).
 * Everything not overridden forwards to the inner env: spaces, metadata, render mode, spec, generator.
 * Subclasses that change a space assign it in their constructor (`this.observationSpace = new Box(...)`).
 */
export class Wrapper<WO, WA, O = WO, A = WA> extends Env<WO, WA> {
  readonly env: Env<O, A>;
  private _observationSpace: Space<WO> | null = null;
  private _actionSpace: Space<WA> | null = null;
  private _wrapperMetadata: EnvMetadata | null = null;

  constructor(env: Env<O, A>) {
    super();
    this.env = env;
  }

  get observationSpace(): Space<WO> {
    return this._observationSpace ?? (this.env.observationSpace as unknown as Space<WO>);
  }
  set observationSpace(space: Space<WO>) {
    this._observationSpace = space;
  }

  get actionSpace(): Space<WA> {
    return this._actionSpace ?? (this.env.actionSpace as unknown as Space<WA>);
  }
  set actionSpace(space: Space<WA>) {
    this._actionSpace = space;
  }

  override get metadata(): EnvMetadata {
    return this._wrapperMetadata ?? this.env.metadata;
  }
  override set metadata(m: EnvMetadata) {
    this._wrapperMetadata = m;
  }

  override get renderMode(): RenderMode | undefined {
    return this.env.renderMode;
  }
  override set renderMode(mode: RenderMode | undefined) {
    this.env.renderMode = mode;
  }

  override get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  override set spec(s: EnvSpec | undefined) {
    this.env.spec = s;
  }

  override get npRandom(): Rng {
    return this.env.npRandom;
  }
  override set npRandom(rng: Rng) {
    this.env.npRandom = rng;
  }

  override get npRandomSeed(): number | undefined {
    return this.env.npRandomSeed;
  }

  override get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  reset(opts?: ResetOptions): ResetResult<WO> {
    return this.env.reset(opts) as unknown as ResetResult<WO>;
  }

  step(action: WA): StepResult<WO> {
    return this.env.step(action as unknown as A) as unknown as StepResult<WO>;
  }

  override render(): RgbFrame | string | null {
    return this.env.render();
  }

  override close(): void {
    this.env.close();
  }

  override toString(): string {
    return `<${this.constructor.name}${this.env.toString()}>`;
  }
}

/**
 * Transforms observations (Gymnasium's `ObservationWrapper`): implement `observation(obs)`.
 * `step` returns this wrapper's own reused result object, so it allocates nothing of its own.
 */
export abstract class ObservationWrapper<WO, A, O> extends Wrapper<WO, A, O, A> {
  private readonly stepResult: StepResult<WO> = {
    observation: undefined as unknown as WO,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

  abstract observation(observation: O): WO;

  override reset(opts?: ResetOptions): ResetResult<WO> {
    const r = this.env.reset(opts);
    return { observation: this.observation(r.observation), info: r.info };
  }

  override step(action: A): StepResult<WO> {
    const r = this.env.step(action);
    const out = this.stepResult;
    out.observation = this.observation(r.observation);
    out.reward = r.reward;
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }
}

/** Transforms actions before they reach the inner env (Gymnasium's `ActionWrapper`): implement `action(act)`. */
export abstract class ActionWrapper<O, WA, A> extends Wrapper<O, WA, O, A> {
  abstract action(action: WA): A;

  override step(action: WA): StepResult<O> {
    return this.env.step(this.action(action));
  }
}

/** Transforms rewards (Gymnasium's `RewardWrapper`): implement `reward(r)`. Reuses its own result object. */
export abstract class RewardWrapper<O, A> extends Wrapper<O, A, O, A> {
  private readonly stepResult: StepResult<O> = {
    observation: undefined as unknown as O,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

  abstract reward(reward: number): number;

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    const out = this.stepResult;
    out.observation = r.observation;
    out.reward = this.reward(r.reward);
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }
}
