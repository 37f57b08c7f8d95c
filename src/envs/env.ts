import { Rng } from "../core/rng.js";
import { describe, InvalidArgumentError } from "../errors.js";
import { entropySeed, isValidSeed } from "../spaces/seeding.js";
import type { Space } from "../spaces/space.js";
import { type EnvSnapshot, prepareSpaceRngs, type SnapshotArray, SnapshotReader, spaceRngStates } from "./snapshot.js";

export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Seeds the env's own generator (Gymnasium 1.x); without it the generator continues its stream. */
  seed?: number;
  /** Env-specific reset options (e.g. `{ low, high }` for the initial-state range of classic control). */
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  observation: O;
  info: Info;
}

export interface StepResult<O> {
  observation: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** An RGBA frame: `data.length === width * height * 4`, rows top to bottom. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type RenderMode = "rgb_array" | "ansi" | "human";

export interface EnvMetadata {
  renderModes: RenderMode[];
  renderFps?: number;
}

/** How `make` builds an environment (Gymnasium's `EnvSpec`). */
export interface EnvSpec {
  id: string;
  /** Builds the raw env from its keyword options (render mode included). */
  entryPoint?: (kwargs: Record<string, unknown>) => Env<unknown, unknown>;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic?: boolean;
  /** Wrap in OrderEnforcing (default true). */
  orderEnforce?: boolean;
  /** Skip the PassiveEnvChecker (default false). */
  disableEnvChecker?: boolean;
  /** Default keyword options passed to the entry point. */
  kwargs?: Record<string, unknown>;
  /**
   * A module export a worker thread awaits before `make` (the envs' entry point registers them and loads what they
   * need, e.g. the tsrl/mujoco entry's `initMujoco`): used by AsyncVectorEnv.
   */
  workerSetup?: { module: string; exportName: string };
}

/**
 * The info object of steps that report nothing: shared and frozen, so a wrapper that wants to add keys
 * must return its own object instead of mutating one that later steps reuse.
 */
export const EMPTY_INFO: Info = Object.freeze({}) as Info;

const NO_METADATA: EnvMetadata = Object.freeze({ renderModes: [] as RenderMode[] }) as EnvMetadata;

/**
 * A Gymnasium-style environment.
 *
 * Subclasses implement `reset` and `step`, and start `reset` with `this.seedReset(opts?.seed)` (Gymnasium's
 * `super().reset(seed=seed)`): a seed reseeds the env's generator `this.rng`, no seed continues its stream.
 *
 * Speed contract: `step` allocates nothing. Observations that are typed arrays are owned by the env and
 * overwritten by the next `step`/`reset`, and the returned result object is reused: callers that keep an
 * observation (or the result) past the next call copy it.
 *
 * `metadata`, `renderMode` and `spec` are accessors so that wrappers can forward them: set them in the
 * constructor (`this.metadata = {...}`), do not redeclare them as class fields.
 */
export abstract class Env<O, A> {
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;

  private _metadata: EnvMetadata = NO_METADATA;
  private _renderMode: RenderMode | undefined = undefined;
  private _spec: EnvSpec | undefined = undefined;
  // Gymnasium seeds an unseeded env from entropy on first use; seeding at construction gives the same
  // behaviour with a generator that is never null on the hot path
  private _rngSeed: number | undefined = entropySeed();
  private _rng: Rng = new Rng(this._rngSeed as number);

  abstract reset(opts?: ResetOptions): ResetResult<O>;
  /** Advance one step. The returned object and its typed-array observation are reused by the next call. */
  abstract step(action: A): StepResult<O>;

  /** A frame in the env's render mode (`rgb_array` frame, `ansi` text), or null when no render mode was set. */
  render(): RgbFrame | string | null {
    return null;
  }

  close(): void {}

  get metadata(): EnvMetadata {
    return this._metadata;
  }
  set metadata(m: EnvMetadata) {
    this._metadata = m;
  }

  get renderMode(): RenderMode | undefined {
    return this._renderMode;
  }
  set renderMode(mode: RenderMode | undefined) {
    this._renderMode = mode;
  }

  get spec(): EnvSpec | undefined {
    return this._spec;
  }
  set spec(s: EnvSpec | undefined) {
    this._spec = s;
  }

  /** The env's own generator (Gymnasium's `np_random`); seeded from system entropy until a seeded reset. */
  get npRandom(): Rng {
    return this._rng;
  }
  set npRandom(rng: Rng) {
    this._rng = rng;
    this._rngSeed = undefined;
  }

  /** The seed the generator was last seeded with (undefined if it was set directly). */
  get npRandomSeed(): number | undefined {
    return this._rngSeed;
  }

  /** The innermost environment, below all wrappers. */
  get unwrapped(): Env<unknown, unknown> {
    return this as Env<unknown, unknown>;
  }

  /** Shorthand for subclasses: the env's generator. */
  protected get rng(): Rng {
    return this.npRandom;
  }

  /** Gymnasium's `super().reset(seed=seed)`: call first in `reset`. Validates and applies the seed. */
  protected seedReset(seed: number | undefined): void {
    if (seed === undefined) return;
    if (!isValidSeed(seed)) {
      throw new InvalidArgumentError(
        `${envName(this)}.reset: seed must be a non-negative safe integer, got ${describe(seed)}`,
      );
    }
    this.seedRng(seed);
  }

  private seedRng(seed: number): void {
    this._rng.seed(seed);
    this._rngSeed = seed;
  }

  toString(): string {
    return `<${this.constructor.name}${this.spec ? `<${this.spec.id}>` : ""}>`;
  }

  /**
   * For built-in envs' `snapshot()` (see src/envs/snapshot.ts): the env's own `state` and `arrays` plus what every
   * env has: a kind tag, the registered id, the generator and the spaces' generators.
   */
  protected baseSnapshot(
    kind: string,
    state: Record<string, unknown>,
    arrays: Record<string, SnapshotArray>,
  ): EnvSnapshot {
    return {
      json: {
        kind,
        id: this.spec?.id ?? null,
        rng: this._rng.getState(),
        rngSeed: this._rngSeed ?? null,
        spaces: spaceRngStates([this.actionSpace, this.observationSpace]),
        ...state,
      },
      arrays,
    };
  }

  /**
   * For built-in envs' `prepareRestore`: checks the kind tag, id and generators of a {@link baseSnapshot} and
   * returns a reader for the env's own fields plus the function that applies the generators.
   */
  protected readBaseSnapshot(kind: string, s: EnvSnapshot): { reader: SnapshotReader; applyBase: () => void } {
    const reader = new SnapshotReader(envName(this), s?.json, s?.arrays);
    reader.expect("kind", kind);
    reader.expect("id", this.spec?.id ?? null);
    const rng = reader.rng("rng");
    const seed = reader.json.rngSeed;
    if (seed !== null && !isValidSeed(seed))
      throw reader.error(`rngSeed must be a seed or null, got ${describe(seed)}`);
    const applySpaces = prepareSpaceRngs(reader, "spaces", [this.actionSpace, this.observationSpace]);
    const applyBase = () => {
      this._rng.setState(rng);
      this._rngSeed = (seed as number | null) ?? undefined;
      applySpaces();
    };
    return { reader, applyBase };
  }
}

/**
 * An env whose internal physical state can be read and restored (the classic-control envs): Gymnasium's
 * `env.unwrapped.state`, same order and units, as float64.
 */
export interface StatefulEnv {
  getState(): Float64Array;
  /** Continue from this state as if just reset (the next step starts from it). */
  setState(state: ArrayLike<number>): void;
}

export function isStatefulEnv(env: unknown): env is StatefulEnv {
  const e = env as Partial<StatefulEnv> | null;
  return typeof e === "object" && e !== null && typeof e.getState === "function" && typeof e.setState === "function";
}

/** The env's registered id if it has one, else its class name: for error messages. */
export function envName(env: Env<unknown, unknown> | { spec?: EnvSpec; constructor: { name: string } }): string {
  return env.spec?.id ?? env.constructor.name;
}

/**
 * Reject option keys an env does not know, naming the env, the key and the keys it accepts
 * (a misspelt option must not be silently ignored).
 */
export function checkOptionKeys(
  where: string,
  options: Record<string, unknown> | undefined,
  known: readonly string[],
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidArgumentError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(
        `${where}: unknown option ${JSON.stringify(key)}; expected one of ${known.length ? known.map((k) => JSON.stringify(k)).join(", ") : "(none)"}`,
      );
    }
  }
}
