import type { Rng } from "../../core/rng.js";
import type { Space } from "../../spaces/space.js";
import {
  Env,
  type EnvMetadata,
  type EnvSpec,
  envName,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StepResult,
} from "../env.js";
import {
  addPrefixed,
  canSnapshot,
  type EnvSnapshot,
  NO_CHANGE,
  prepareSpaceRngs,
  type SnapshotArray,
  SnapshotReader,
  type Snapshotting,
  spaceRngStates,
  withoutPrefix,
} from "../snapshot.js";

/** A wrapper's own part of a snapshot: a kind tag, JSON fields and arrays (see {@link Wrapper.snapshotOwn}). */
export interface WrapperState {
  kind: string;
  json: Record<string, unknown>;
  arrays?: Record<string, SnapshotArray>;
}

const INNER = "inner/";

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

  /**
   * This wrapper's own state for snapshots (`{ kind, json: {} }` when it has none). The default, undefined, means
   * "unknown": the stack then offers no `snapshot`, so a custom wrapper never claims an exact resume it cannot give.
   * Array names must not start with "inner/".
   */
  protected snapshotOwn(): WrapperState | undefined {
    return undefined;
  }

  /** Check this wrapper's saved state (kind already checked) and return the function that applies it. */
  protected prepareRestoreOwn(_reader: SnapshotReader): () => void {
    return NO_CHANGE;
  }

  /** The whole stack's state (see src/envs/snapshot.ts), or undefined when a wrapper or the inner env has none. */
  get snapshot(): (() => EnvSnapshot) | undefined {
    if (!this.snapshotReady()) return undefined;
    return () => this.snapshotStack();
  }

  get restore(): ((s: EnvSnapshot) => void) | undefined {
    if (!this.snapshotReady()) return undefined;
    return (s) => this.prepareStack(s)();
  }

  get prepareRestore(): ((s: EnvSnapshot) => () => void) | undefined {
    if (!this.snapshotReady()) return undefined;
    return (s) => this.prepareStack(s);
  }

  private snapshotReady(): boolean {
    return this.snapshotOwn() !== undefined && canSnapshot(this.env);
  }

  /** Spaces this wrapper replaced (their generators are its own). */
  private ownSpaces(): Space<unknown>[] {
    const spaces: Space<unknown>[] = [];
    if (this._actionSpace !== null) spaces.push(this._actionSpace as Space<unknown>);
    if (this._observationSpace !== null) spaces.push(this._observationSpace as Space<unknown>);
    return spaces;
  }

  private snapshotStack(): EnvSnapshot {
    // both exist: snapshotReady() was checked by the accessor
    const own = this.snapshotOwn() as WrapperState;
    const inner = (this.env as unknown as Snapshotting).snapshot();
    const arrays: Record<string, SnapshotArray> = {};
    for (const [name, a] of Object.entries(own.arrays ?? {})) arrays[name] = a.slice();
    addPrefixed(arrays, INNER, inner.arrays);
    return {
      json: { wrapper: own.kind, ...own.json, spaces: spaceRngStates(this.ownSpaces()), inner: inner.json },
      arrays,
    };
  }

  private prepareStack(s: EnvSnapshot): () => void {
    const own = this.snapshotOwn() as WrapperState;
    const reader = new SnapshotReader(`${own.kind}(${envName(this)})`, s?.json, s?.arrays);
    reader.expect("wrapper", own.kind);
    const ownArrays: Record<string, SnapshotArray> = {};
    for (const [name, a] of Object.entries(reader.arrays)) if (!name.startsWith(INNER)) ownArrays[name] = a;
    const applyOwn = this.prepareRestoreOwn(new SnapshotReader(reader.where, reader.json, ownArrays));
    const applySpaces = prepareSpaceRngs(reader, "spaces", this.ownSpaces());
    if (!canSnapshot(this.env)) throw reader.error("the inner env cannot restore a snapshot");
    const applyInner = this.env.prepareRestore({
      json: reader.json.inner,
      arrays: withoutPrefix(reader.arrays, INNER),
    });
    return () => {
      applyInner();
      applySpaces();
      applyOwn();
    };
  }
}

/**
 * A step result for a wrapper to fill and return on every step (so stepping allocates nothing of its own); its
 * observation is set before it is first returned.
 */
export function reusedStepResult<O>(): StepResult<O> {
  return { observation: undefined as unknown as O, reward: 0, terminated: false, truncated: false, info: {} };
}

/**
 * Transforms observations (Gymnasium's `ObservationWrapper`): implement `observation(obs)`.
 * `step` returns this wrapper's own reused result object, so it allocates nothing of its own.
 */
export abstract class ObservationWrapper<WO, A, O> extends Wrapper<WO, A, O, A> {
  private readonly stepResult = reusedStepResult<WO>();

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
  private readonly stepResult = reusedStepResult<O>();

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
