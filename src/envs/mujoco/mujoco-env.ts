import type { DoubleBuffer, MainModule, MjData, MjModel } from "mujoco";
import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { Box } from "../../spaces/box.js";
import {
  checkOptionKeys,
  Env,
  envName,
  type Info,
  type RenderMode,
  type ResetOptions,
  type ResetResult,
  type RgbFrame,
  type StatefulEnv,
  type StepResult,
} from "../env.js";
import { checkRenderMode } from "../rendering/render-mode.js";
import type { EnvSnapshot, Snapshotting } from "../snapshot.js";
import { loadModel, mujocoModule } from "./loader.js";
import { type CameraConfig, renderMujocoScene } from "./render.js";

/** Options every MuJoCo env takes (Gymnasium's `MujocoEnv` keyword arguments, camelCase). */
export interface MujocoEnvOptions {
  renderMode?: RenderMode;
  /** A bundled model file name ("hopper.xml", ...), a name given to `registerModelFile`, or (Node) a path. */
  xmlFile?: string;
  /** MuJoCo steps per env step: `dt = model.opt.timestep * frameSkip`. */
  frameSkip?: number;
  /** Scale of the uniform (or normal) noise added to the initial qpos and qvel (not Reacher, Pusher). */
  resetNoiseScale?: number;
  /** rgb_array frame size in pixels (default 480 x 480, as Gymnasium). */
  width?: number;
  height?: number;
}

/** What a subclass tells the base about itself. */
export interface MujocoEnvConfig {
  /** Its constructor options besides the common ones. */
  optionKeys: readonly string[];
  xmlFile: string;
  frameSkip: number;
  /** Default scale of the reset noise; undefined for envs whose reset has fixed ranges (Reacher, Pusher). */
  resetNoiseScale?: number;
  /** The observation's length for a compiled model (options are known, fields of the subclass not yet). */
  observationSize: (model: MjModel) => number;
  /** Gymnasium's default camera: distance, elevation and the body it tracks. */
  camera?: CameraConfig;
}

/** mj_getState/mj_setState's specification: every field needed to continue integrating. */
export const INTEGRATION_STATE = 16383;

/** Typed view of a MuJoCo array field (the bindings return live Float64Array views into WebAssembly memory). */
export function f64(view: unknown): Float64Array {
  return view as Float64Array;
}

/**
 * Gymnasium's `MujocoEnv` on MuJoCo's WebAssembly build: loads the model, steps `frameSkip` times per action then
 * `mj_rnePostConstraint` (contact forces), makes the action space from the actuators' control ranges and an
 * unbounded observation space. A subclass writes the initial state, the observation, and the step's reward,
 * termination and info.
 *
 * Observations are computed in float64 (Gymnasium's dtype, `observation64`) and returned as Float32Array, the dtype
 * of tsrl's Box. Views into MuJoCo's memory are made once and remade only when the WebAssembly memory grows (another
 * model loaded); results and infos are reused, so a step allocates nothing. `close()` frees MuJoCo's memory.
 *
 * That holds whatever V8 inlines (which depends on the envs a process ran before) because a step's code keeps two
 * rules: no number that may be fractional crosses a call of a function (methods and helpers; `Math` is fine), since
 * V8 boxes one in a fresh heap object when it does not inline the call; and the info entries are written by the
 * env's own class, since a store shared by the infos of many envs goes megamorphic and boxes too.
 */
export abstract class MujocoEnv extends Env<Float32Array, Float32Array> implements StatefulEnv, Snapshotting {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly model: MjModel;
  readonly data: MjData;
  readonly frameSkip: number;
  /** Seconds per env step. */
  readonly dt: number;
  /** Seconds per MuJoCo step (`model.opt.timestep`). */
  readonly timestep: number;
  /**
   * Actuators (`model.nu`). Model fields are read once: each read of an embind property runs a generic getter that,
   * when V8 does not optimize it, allocates (a ~32-byte string for its error message).
   */
  readonly nu: number;
  readonly resetNoiseScale: number;
  /** qpos and qvel of the model's reference configuration (`qpos0`, zero velocity). */
  readonly initQpos: Float64Array;
  readonly initQvel: Float64Array;
  /** The last observation in float64. */
  readonly observation64: Float64Array;
  readonly width: number;
  readonly height: number;
  protected readonly mj: MainModule;
  protected readonly name: string;
  protected qpos!: Float64Array;
  protected qvel!: Float64Array;
  protected ctrl!: Float64Array;
  /** The step's info (reused, always the same keys; reset has its own). */
  protected readonly info: Info = {};
  private readonly resetInfoObject: Info = {};
  private readonly obs: Float32Array;
  private readonly action64: Float64Array;
  private readonly result: StepResult<Float32Array>;
  private readonly resetResult: ResetResult<Float32Array>;
  private readonly stateSize: number;
  private readonly stateBuffer: DoubleBuffer;
  private readonly camera: CameraConfig;
  private hasState = false;
  private closed = false;

  constructor(name: string, opts: MujocoEnvOptions, config: MujocoEnvConfig) {
    super();
    this.name = name;
    const o = (opts ?? {}) as MujocoEnvOptions;
    checkOptionKeys(name, o as Record<string, unknown>, [
      "renderMode",
      "xmlFile",
      "frameSkip",
      "width",
      "height",
      ...(config.resetNoiseScale === undefined ? [] : ["resetNoiseScale"]),
      ...config.optionKeys,
    ]);
    this.frameSkip = positiveInt(name, "frameSkip", o.frameSkip ?? config.frameSkip);
    this.width = positiveInt(name, "width", o.width ?? 480);
    this.height = positiveInt(name, "height", o.height ?? 480);
    this.resetNoiseScale = nonNegative(name, "resetNoiseScale", o.resetNoiseScale ?? config.resetNoiseScale ?? 0);
    this.camera = config.camera ?? {};
    this.mj = mujocoModule(name);
    this.model = loadModel(name, o.xmlFile ?? config.xmlFile);
    this.data = new this.mj.MjData(this.model);
    this.bindViews();
    this.timestep = this.model.opt.timestep; // a view into the model: not to be deleted
    this.dt = this.timestep * this.frameSkip;
    this.initQpos = Float64Array.from(this.qpos);
    this.initQvel = Float64Array.from(this.qvel);
    this.stateSize = this.mj.mj_stateSize(this.model, INTEGRATION_STATE);
    this.stateBuffer = new this.mj.DoubleBuffer(this.stateSize);

    const range = f64(this.model.actuator_ctrlrange);
    const nu = this.model.nu;
    this.nu = nu;
    const low = new Float64Array(nu);
    const high = new Float64Array(nu);
    for (let i = 0; i < nu; i++) {
      low[i] = range[2 * i];
      high[i] = range[2 * i + 1];
    }
    this.actionSpace = new Box(low, high, [nu]);
    this.action64 = new Float64Array(nu);
    const size = config.observationSize(this.model);
    this.observationSpace = new Box(-Infinity, Infinity, [size]);
    this.observation64 = new Float64Array(size);
    this.obs = new Float32Array(size);
    this.metadata = { renderModes: ["rgb_array"], renderFps: Math.round(1 / this.dt) };
    this.renderMode = checkRenderMode(name, o.renderMode, this.metadata.renderModes);
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: this.info };
    this.resetResult = { observation: this.obs, info: this.resetInfoObject };
  }

  /** (Re)make the views into MuJoCo's memory; subclasses add theirs (and call this). */
  protected bindViews(): void {
    this.qpos = f64(this.data.qpos);
    this.qvel = f64(this.data.qvel);
    this.ctrl = f64(this.data.ctrl);
  }

  /** Write the initial qpos and qvel (`this.initQpos` plus noise from `this.rng`) into `this.qpos`, `this.qvel`. */
  protected abstract resetModel(): void;
  /** Write the observation of the current data into `out`. */
  protected abstract writeObservation(out: Float64Array): void;
  /**
   * Reward, termination and info of the step just simulated (`this.info` is the reused info object); `action` is the
   * step's action in float64 (a reused array).
   */
  protected abstract afterStep(action: Float64Array, result: StepResult<Float32Array>): void;
  /** Read what the step's reward needs from before the simulation (positions). */
  protected beforeStep(): void {}
  /** Write reset's info entries into `info` (steps reuse it for the same entries). */
  protected resetInfo(_info: Info): void {}

  /** `out = init + U(-resetNoiseScale, resetNoiseScale)` elementwise (Gymnasium's `np_random.uniform`). */
  protected uniformNoise(out: Float64Array, init: Float64Array): void {
    const s = this.resetNoiseScale;
    for (let i = 0; i < out.length; i++) out[i] = init[i] + this.rng.uniformRange(-s, s);
  }

  /** `out = init + resetNoiseScale * N(0, 1)` elementwise (Gymnasium's `np_random.standard_normal`). */
  protected normalNoise(out: Float64Array, init: Float64Array): void {
    const s = this.resetNoiseScale;
    for (let i = 0; i < out.length; i++) out[i] = init[i] + s * this.rng.normal();
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.checkOpen();
    this.seedReset(opts?.seed);
    if (opts?.options !== undefined) checkOptionKeys(`${envName(this)}.reset`, opts.options, []);
    this.refreshViews();
    this.mj.mj_resetData(this.model, this.data);
    this.resetModel();
    this.mj.mj_forward(this.model, this.data);
    this.hasState = true;
    this.resetInfo(this.resetInfoObject);
    this.observe();
    return this.resetResult;
  }

  /** The returned object, its observation and its info are reused by the next call: copy to keep them. */
  step(action: ArrayLike<number>): StepResult<Float32Array> {
    this.checkOpen();
    const nu = this.nu;
    if (action == null || action.length !== nu) {
      throw new EnvError(
        `${envName(this)}.step: action must be an array of ${nu} numbers (${this.actionSpace}), got ${describe(action)}`,
      );
    }
    // The action is read once, into float64 (the common dtypes by a typed-array copy): the loops below and the
    // rewards then read one array type whatever callers pass, so V8 keeps them unboxed and the step allocates nothing.
    const a = this.action64;
    if (action instanceof Float32Array || action instanceof Float64Array) a.set(action);
    else for (let i = 0; i < nu; i++) a[i] = typeof action[i] === "number" ? action[i] : Number.NaN;
    for (let i = 0; i < nu; i++) {
      if (!Number.isFinite(a[i])) {
        throw new EnvError(`${envName(this)}.step: action[${i}] must be finite, got ${describe(action)}`);
      }
    }
    if (!this.hasState) throw new EnvError(`${envName(this)}: step() called before reset(); call reset() first`);
    this.refreshViews();
    this.beforeStep();
    this.ctrl.set(a);
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(this.model, this.data);
    // contact forces (cfrc_ext) are only computed on request
    this.mj.mj_rnePostConstraint(this.model, this.data);
    this.observe();
    this.afterStep(a, this.result);
    return this.result;
  }

  /**
   * MuJoCo's integration state (`mj_getState` with `mjSTATE_INTEGRATION`): time, qpos, qvel, act, actuator
   * history, qacc_warmstart, ctrl, qfrc_applied, xfrc_applied, eq_active, mocap pos/quat, userdata, plugin state.
   */
  getState(): Float64Array {
    this.checkOpen();
    this.mj.mj_getState(this.model, this.data, this.stateBuffer, INTEGRATION_STATE);
    return Float64Array.from(f64(this.stateBuffer.GetView()));
  }

  /**
   * Continue from a {@link getState} state. Positions and velocities are propagated (`mj_forward`, as Gymnasium's
   * `set_state`) unless `forward` is false, which keeps what the last step computed from them: Ant's and Humanoid's
   * rewards read body positions from before the step, which after a step lag the state by one MuJoCo step, so a
   * recorded step is replayed exactly only after the step before it was simulated.
   */
  setState(state: ArrayLike<number>, opts: { forward?: boolean } = {}): void {
    this.checkOpen();
    const n = this.stateSize;
    let ok = state != null && typeof state.length === "number" && state.length === n;
    for (let i = 0; ok && i < n; i++) ok = typeof state[i] === "number" && Number.isFinite(state[i]);
    if (!ok) {
      throw new InvalidArgumentError(
        `${envName(this)}.setState: expected MuJoCo's integration state, ${n} numbers (time, qpos[${this.model.nq}], qvel[${this.model.nv}], act, history, qacc_warmstart, ctrl, ...), got ${describe(state)}`,
      );
    }
    this.refreshViews();
    this.mj.mj_setState(this.model, this.data, state as unknown as number[], INTEGRATION_STATE);
    if (opts.forward !== false) this.mj.mj_forward(this.model, this.data);
    this.hasState = true;
    this.observe();
  }

  /**
   * The complete state for exact resume: the integration state, the body positions the last step computed (Ant's and
   * Humanoid's next reward reads them), the observation, the generators.
   */
  snapshot(): EnvSnapshot {
    this.checkOpen();
    this.refreshViews();
    return this.baseSnapshot(
      `MuJoCo ${this.name}`,
      { hasState: this.hasState },
      {
        state: this.getState(),
        xpos: Float64Array.from(f64(this.data.xpos)),
        xipos: Float64Array.from(f64(this.data.xipos)),
        cfrcExt: Float64Array.from(f64(this.data.cfrc_ext)),
        observation: Float64Array.from(this.observation64),
      },
    );
  }

  /** Check a snapshot completely (sizes must be this model's); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    this.checkOpen();
    const { reader, applyBase } = this.readBaseSnapshot(`MuJoCo ${this.name}`, s);
    const nbody = this.model.nbody;
    const state = reader.array("state", Float64Array, this.stateSize);
    const xpos = reader.array("xpos", Float64Array, 3 * nbody);
    const xipos = reader.array("xipos", Float64Array, 3 * nbody);
    const cfrcExt = reader.array("cfrcExt", Float64Array, 6 * nbody);
    const observation = reader.array("observation", Float64Array, this.observation64.length, true);
    const hasState = reader.bool("hasState");
    return () => {
      applyBase();
      this.refreshViews();
      this.mj.mj_setState(this.model, this.data, state as unknown as number[], INTEGRATION_STATE);
      this.mj.mj_forward(this.model, this.data);
      f64(this.data.xpos).set(xpos);
      f64(this.data.xipos).set(xipos);
      f64(this.data.cfrc_ext).set(cfrcExt);
      this.observation64.set(observation);
      this.obs.set(observation);
      this.hasState = hasState;
    };
  }

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  override render(): RgbFrame | null {
    if (this.renderMode !== "rgb_array" || !this.hasState || this.closed) return null;
    this.refreshViews();
    return renderMujocoScene(this.model, this.data, this.width, this.height, this.camera);
  }

  /** Free MuJoCo's model and data; the env cannot be used afterwards. */
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stateBuffer.delete();
    this.data.delete();
    this.model.delete();
  }

  /** A body's id by name (Gymnasium's `data.body(name)`), or an error naming the model's bodies. */
  protected bodyId(name: string | number): number {
    if (typeof name === "number") {
      if (Number.isInteger(name) && name >= 0 && name < this.model.nbody) return name;
      throw new InvalidArgumentError(`${this.name}: body index ${name} is not in [0, ${this.model.nbody})`);
    }
    const id = this.mj.mj_name2id(this.model, this.mj.mjtObj.mjOBJ_BODY.value, name);
    if (id < 0) throw new InvalidArgumentError(`${this.name}: the model has no body named ${describe(name)}`);
    return id;
  }

  private observe(): void {
    this.writeObservation(this.observation64);
    this.obs.set(this.observation64);
  }

  /** A view whose memory was detached by the WebAssembly memory growing (another model loaded) is made again. */
  private refreshViews(): void {
    if (this.qpos.byteLength === 0) this.bindViews();
  }

  private checkOpen(): void {
    if (this.closed) throw new EnvError(`${envName(this)}: the env was closed (its MuJoCo memory is freed)`);
  }
}

function positiveInt(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${where}: option ${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

function nonNegative(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${where}: option ${name} must be a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

/** An option that is a finite number. */
export function numberOption(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${where}: option ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** An option that is a range [low, high] (infinite ends allowed, low <= high). */
export function rangeOption(where: string, name: string, value: unknown): readonly [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== "number" ||
    typeof value[1] !== "number" ||
    Number.isNaN(value[0]) ||
    Number.isNaN(value[1]) ||
    value[0] > value[1]
  ) {
    throw new InvalidArgumentError(`${where}: option ${name} must be a range [low, high], got ${describe(value)}`);
  }
  return [value[0], value[1]];
}

/** An option that is a boolean. */
export function boolOption(where: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new InvalidArgumentError(`${where}: option ${name} must be true or false, got ${describe(value)}`);
  }
  return value;
}
