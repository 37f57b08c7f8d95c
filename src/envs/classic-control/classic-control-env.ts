import {
  checkOptionKeys,
  EMPTY_INFO,
  Env,
  envName,
  type RenderMode,
  type ResetResult,
  type RgbFrame,
  type StatefulEnv,
  type StepResult,
} from "../env.js";
import { checkRenderMode } from "../rendering/render-mode.js";
import type { EnvSnapshot, Snapshotting } from "../snapshot.js";
import { checkState } from "./utils.js";

/**
 * What every classic-control env shares: checked options and render mode, a reused Float32Array observation and
 * reused step/reset results (stepping allocates nothing), Gymnasium's `unwrapped.state` as getState/setState,
 * `restore` = prepareRestore()(), and rendering only once there is a state. Each env keeps its physics, its
 * reset, its step and what its snapshot holds.
 */
export abstract class ClassicControlEnv<A> extends Env<Float32Array, A> implements StatefulEnv, Snapshotting {
  /** True once reset (or setState) gave the env a state to step from. */
  protected hasState = false;
  protected readonly obs: Float32Array;
  protected readonly result: StepResult<Float32Array>;
  protected readonly resetResult: ResetResult<Float32Array>;

  /**
   * @param name the env's name in messages
   * @param optionKeys the constructor options it accepts besides `renderMode`
   * @param stateLayout names of the state's components, in order (setState's expected layout)
   */
  constructor(
    name: string,
    opts: { renderMode?: RenderMode },
    optionKeys: readonly string[],
    renderFps: number,
    obsDim: number,
    private readonly stateLayout: readonly string[],
  ) {
    super();
    checkOptionKeys(name, opts as Record<string, unknown>, ["renderMode", ...optionKeys]);
    this.metadata = { renderModes: ["rgb_array"], renderFps };
    this.renderMode = checkRenderMode(name, opts.renderMode, this.metadata.renderModes);
    this.obs = new Float32Array(obsDim);
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: EMPTY_INFO };
    this.resetResult = { observation: this.obs, info: EMPTY_INFO };
  }

  /** Gymnasium's `env.unwrapped.state` (a copy). */
  abstract getState(): Float64Array;

  /** Set the state (finite numbers in `stateLayout` order); the episode continues from there as if just reset. */
  setState(state: ArrayLike<number>): void {
    checkState(envName(this), state, this.stateLayout.length, this.stateLayout.join(", "));
    this.applyState(state);
    this.hasState = true;
    this.writeObservation();
  }

  /** The complete state (physics, generators, options the dynamics depend on), for exact resume. */
  abstract snapshot(): EnvSnapshot;

  /** Check a snapshot completely; the returned function applies it. */
  abstract prepareRestore(s: EnvSnapshot): () => void;

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  override render(): RgbFrame | null {
    if (this.renderMode !== "rgb_array" || !this.hasState) return null;
    return this.draw();
  }

  /** Assign a checked state vector (setState's part that differs per env). */
  protected abstract applyState(state: ArrayLike<number>): void;
  /** Write the observation of the current state into `obs`. */
  protected abstract writeObservation(): void;
  /** The current frame (only called once there is a state). */
  protected abstract draw(): RgbFrame;
}
