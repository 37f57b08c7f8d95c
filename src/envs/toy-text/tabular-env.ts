import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { Discrete } from "../../spaces/discrete.js";
import {
  checkOptionKeys,
  Env,
  envName,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from "../env.js";
import type { EnvSnapshot, SnapshotReader, Snapshotting } from "../snapshot.js";
import { categoricalSample } from "./utils.js";

const UNIFORM_STEPS = 2 ** 30;

/** One outcome of taking an action in a state, as in Gymnasium's `P[s][a]`: (probability, next state, reward, terminated). */
export type Transition = readonly [prob: number, nextState: number, reward: number, terminated: boolean];

/** `P[s][a]` lists the outcomes of action `a` in state `s`; their probabilities sum to 1. */
export type TransitionTable = readonly (readonly (readonly Transition[])[])[];

/** Options every toy-text env accepts. */
export interface ToyTextOptions {
  renderMode?: RenderMode;
}

/**
 * A finite MDP given by its transition table (the shape Gymnasium's FrozenLake, CliffWalking and Taxi share):
 * `reset` draws the start state from `initialStateDistrib`, `step` draws one outcome of `P[s][a]`.
 * Observations and actions are integers. `P`, `nS`, `nA` and `initialStateDistrib` are public for tabular planning
 * (value iteration, policy iteration); `s` is the current state (Gymnasium's `env.unwrapped.s`).
 *
 * Stepping before `reset`, after the episode terminated, or with an action outside the action space throws an
 * EnvError naming the env, the value and what was expected. The step result and its info object are reused.
 */
export abstract class TabularEnv extends Env<number, number> implements Snapshotting {
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  readonly nS: number;
  readonly nA: number;
  readonly P: TransitionTable;
  readonly initialStateDistrib: Float64Array;
  /** Current state. */
  s = 0;
  /** Last action taken, null right after reset. */
  lastAction: number | null = null;
  private episode: "none" | "running" | "terminated" = "none";
  private dynamicsHash: string | null = null;
  /** The info object of every reset and step (reused): Gymnasium's keys, `prob` and any the subclass adds. */
  protected readonly info: { prob: number; [key: string]: unknown } = { prob: 1 };
  private readonly result: StepResult<number> = {
    observation: 0,
    reward: 0,
    terminated: false,
    truncated: false,
    info: this.info,
  };

  protected constructor(P: TransitionTable, initialStateDistrib: Float64Array) {
    super();
    this.nS = P.length;
    this.nA = P[0].length;
    this.P = P;
    this.initialStateDistrib = initialStateDistrib;
    this.observationSpace = new Discrete(this.nS);
    this.actionSpace = new Discrete(this.nA);
  }

  /** Options the env's `reset` accepts (none by default: an unknown one is an error). */
  protected resetOptionKeys(): readonly string[] {
    return [];
  }

  override reset(opts?: ResetOptions): ResetResult<number> {
    this.seedReset(opts?.seed);
    checkOptionKeys(`${envName(this)}.reset`, opts?.options, this.resetOptionKeys());
    this.s = categoricalSample(this.initialStateDistrib, this.rng);
    this.lastAction = null;
    this.episode = "running";
    this.info.prob = 1;
    this.onReset();
    return { observation: this.s, info: this.info };
  }

  /** Hook for subclasses with extra per-episode state (draws from `this.rng` after the start state). */
  protected onReset(): void {}

  override step(action: number): StepResult<number> {
    this.checkStep(action);
    const outcomes = this.P[this.s][action];
    let i = 0;
    if (outcomes.length > 1) {
      // Gymnasium's categorical_sample over the outcome probabilities, without building an array. The uniform
      // draw has 30 bits: an integer result stays unboxed even when this call is not inlined (no garbage per step).
      const u = this.rng.int(UNIFORM_STEPS) / UNIFORM_STEPS;
      let c = 0;
      for (i = 0; i < outcomes.length - 1; i++) {
        c += outcomes[i][0];
        if (c > u) break;
      }
    }
    const outcome = outcomes[i]; // indexed, not destructured: no iterator on the hot path
    this.s = this.afterTransition(this.s, outcome[1]);
    this.lastAction = action;
    if (outcome[3]) this.episode = "terminated";
    this.info.prob = outcome[0];
    const r = this.result;
    r.observation = this.s;
    r.reward = outcome[2];
    r.terminated = outcome[3];
    r.truncated = false;
    return r;
  }

  /** Hook for dynamics outside the table (Taxi's fickle passenger): the state actually entered. */
  protected afterTransition(_previous: number, next: number): number {
    return next;
  }

  override render(): string | null {
    return this.renderMode === "ansi" ? this.renderText() : null;
  }

  /** The complete state (current state, episode flags, generators), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "TabularEnv",
      {
        dynamics: this.dynamics(),
        s: this.s,
        lastAction: this.lastAction,
        episode: this.episode,
        ...this.snapshotExtra(),
      },
      { prob: Float64Array.of(this.info.prob) },
    );
  }

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  /** Check a snapshot completely (it must come from an env with the same transition table); returns its applier. */
  prepareRestore(snap: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("TabularEnv", snap);
    reader.expect("dynamics", this.dynamics());
    const s = reader.int("s", 0, this.nS - 1);
    const lastAction = reader.json.lastAction === null ? null : reader.int("lastAction", 0, this.nA - 1);
    const episode = reader.oneOf("episode", ["none", "running", "terminated"] as const);
    const prob = reader.array("prob", Float64Array, 1)[0];
    const applyExtra = this.prepareExtra(reader);
    return () => {
      applyBase();
      this.s = s;
      this.lastAction = lastAction;
      this.episode = episode;
      this.info.prob = prob;
      applyExtra();
    };
  }

  /** Subclasses with state outside `s` add it here (JSON values). */
  protected snapshotExtra(): Record<string, unknown> {
    return {};
  }

  /** Check what {@link snapshotExtra} saved; the returned function applies it (after `s` is restored). */
  protected prepareExtra(_reader: SnapshotReader): () => void {
    return () => {};
  }

  /** A fingerprint of the transition table and start distribution: a snapshot only fits the same MDP. */
  private dynamics(): string {
    if (this.dynamicsHash === null) {
      const text = `${JSON.stringify(this.P)}|${Array.from(this.initialStateDistrib).join(",")}`;
      let h = 0x811c9dc5; // FNV-1a, 32 bits
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      this.dynamicsHash = `${this.nS}x${this.nA}:${(h >>> 0).toString(16).padStart(8, "0")}`;
    }
    return this.dynamicsHash;
  }

  /** The `ansi` frame, in Gymnasium's text format. */
  protected abstract renderText(): string;

  private checkStep(action: number): void {
    if (this.episode !== "running") {
      throw new EnvError(
        this.episode === "none"
          ? `${envName(this)}.step was called before reset(); call reset() first`
          : `${envName(this)}.step was called after the episode terminated in state ${this.s}; call reset() before stepping again`,
      );
    }
    if (!(Number.isInteger(action) && action >= 0 && action < this.nA)) {
      throw new EnvError(
        `${envName(this)}.step: action must be an integer in [0, ${this.nA - 1}] (action space Discrete(${this.nA})), got ${describe(action)}`,
      );
    }
  }
}

/** Validate constructor options: known keys only, and a render mode the env supports. */
export function checkEnvOptions(
  where: string,
  opts: object | undefined,
  known: readonly string[],
  renderModes: readonly RenderMode[],
): void {
  checkOptionKeys(where, opts as Record<string, unknown> | undefined, ["renderMode", ...known]);
  const mode = (opts as ToyTextOptions | undefined)?.renderMode;
  if (mode !== undefined && mode !== null && !renderModes.includes(mode)) {
    throw new InvalidArgumentError(
      `${where}: renderMode must be one of ${renderModes.map((m) => JSON.stringify(m)).join(", ")}, got ${describe(mode)}`,
    );
  }
}

/** Validate a boolean option. */
export function checkBool(where: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new InvalidArgumentError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  }
  return value;
}

/** Validate a probability option: a finite number in [0, 1]. */
export function checkProbability(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${where}: ${name} must be a number in [0, 1], got ${describe(value)}`);
  }
  return value;
}
