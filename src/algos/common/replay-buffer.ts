import { checkInt } from "../../core/checks.js";
import type { Rng } from "../../core/rng.js";
import { InvalidArgumentError, NonFiniteError } from "../../errors.js";
import type { StateTensor } from "./checkpoint.js";
import { ObservationStore } from "./observation-store.js";
import type { SpaceInfo } from "./space-info.js";

/**
 * Experience replay (Lin 1992; Mnih et al. 2015): a ring of (s, a, r, s', terminated) transitions in preallocated
 * typed arrays, sampled uniformly with the caller's seeded {@link Rng}. Observations are stored per space
 * ({@link ObservationStore}: uint8 Box images one byte per value, float32 otherwise, one array per Dict key), so a
 * replay of images takes the bytes its data needs. Actions are one int32 per transition
 * (Discrete) or, with `actionDim`, float32 vectors in [-1, 1] (Box actions in the policy's squashed scale, as SAC and
 * TD3 store them; the env receives them rescaled to its bounds).
 *
 * Layout follows Stable-Baselines3: `rows = floor(bufferSize / numEnvs)` rows of `numEnvs` transitions each, so a
 * vector env adds one row per step and, with `optimizeMemoryUsage`, the next observation of row `t` is the
 * observation stored at row `t + 1` of the same env (half the observation memory).
 *
 * Episode ends: the transition that ends an episode keeps the episode's FINAL observation as s' (a same-step
 * autoreset vector env reports it in `finalObservations`), so a truncated transition bootstraps from the state the
 * time limit cut off, while a terminated one is masked by `terminated` and never bootstraps.
 */
export interface ReplayBufferOptions {
  /** Maximum number of transitions kept (over all envs). */
  bufferSize: number;
  /** Length of one flattened observation. */
  obsDim: number;
  /** The observation space (how the algorithm sees it): each part is stored in its dtype. Default: float32 rows. */
  observationSpace?: SpaceInfo;
  /** Transitions added per `add` call (the vector env's `numEnvs`). Default 1. */
  numEnvs?: number;
  /** Store s' implicitly as the next row's s (SB3's `optimize_memory_usage`). Default false. */
  optimizeMemoryUsage?: boolean;
  /** Box actions: the length of one action, stored as float32 in [-1, 1]. Absent: one Discrete (int32) action. */
  actionDim?: number;
  /** Action-mask length (Discrete(n): n) to store the allowed actions of each s' (DQN's masked target). Default 0. */
  maskDim?: number;
}

/** A sampled minibatch; the arrays are owned by the batch and reused by the next `sample` into it. */
export interface ReplayBatch {
  size: number;
  observations: Float32Array; // [size, obsDim]
  actions: Int32Array; // [size] (Discrete actions)
  /** Box actions in [-1, 1], [size, actionDim] (empty for Discrete actions). */
  boxActions: Float32Array;
  rewards: Float32Array; // [size]
  nextObservations: Float32Array; // [size, obsDim]
  terminated: Uint8Array; // [size]: 1 where s' is terminal (no bootstrap)
  /** Number of environment steps the reward sums over (1, or up to n for n-step returns): bootstrap with gamma^k. */
  steps: Uint16Array; // [size]
  /** Flat buffer index of each sample (row * numEnvs + env): prioritized replay updates priorities through it. */
  indices: Int32Array; // [size]
  /** Importance-sampling weights (all 1 for uniform replay). */
  weights: Float32Array; // [size]
  /** Allowed actions at s', [size, maskDim] (empty without masks). */
  nextActionMasks: Uint8Array;
}

/** Per-transition data for {@link ReplayBuffer.add}: one entry per env, observations row-major. */
export interface TransitionBatch {
  observations: Float32Array;
  actions: ArrayLike<number>;
  rewards: ArrayLike<number>;
  /** Observations after the step. For rows that ended an episode under same-step autoreset these are already the
   * next episode's first observation: pass `finalObservations` too and s' is taken from there for those rows. */
  nextObservations: Float32Array;
  terminated: ArrayLike<number | boolean>;
  truncated: ArrayLike<number | boolean>;
  finalObservations?: Float32Array;
  /** Steps summed in each reward (n-step returns); 1 when absent. */
  steps?: ArrayLike<number>;
  /** Allowed actions at s', [numEnvs, maskDim] (a buffer with maskDim > 0 needs them). */
  nextActionMasks?: Uint8Array;
}

/** Serializable contents of a buffer (for checkpoints that resume bit for bit). */
export interface ReplayBufferState {
  pos: number;
  full: boolean;
  arrays: Record<string, Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array>;
  /** optimizeMemoryUsage only: s' of truncated transitions whose next row holds a reset observation. */
  truncatedNext: Array<[number, Float32Array]>;
}

export class ReplayBuffer {
  readonly obsDim: number;
  readonly numEnvs: number;
  readonly rows: number;
  readonly optimizeMemoryUsage: boolean;
  /** Length of one Box action; 0 for Discrete actions. */
  readonly actionDim: number;
  /** Length of the stored s' action masks; 0 without masks. */
  readonly maskDim: number;
  protected readonly observations: ObservationStore;
  protected readonly nextObservations: ObservationStore | null;
  protected readonly actions: Int32Array;
  protected readonly boxActions: Float32Array;
  protected readonly rewards: Float32Array;
  protected readonly terminated: Uint8Array;
  protected readonly truncated: Uint8Array;
  protected readonly steps: Uint16Array;
  protected readonly nextActionMasks: Uint8Array;
  /** optimizeMemoryUsage: the final observation of a truncated transition cannot live in the next row (which holds
   * the reset observation), so it is kept here; one entry per truncated episode still in the buffer. */
  protected readonly truncatedNext = new Map<number, Float32Array>();
  protected pos = 0;
  protected full = false;

  constructor(opts: ReplayBufferOptions) {
    const numEnvs = opts.numEnvs ?? 1;
    checkInt("ReplayBuffer: numEnvs", numEnvs, 1);
    checkInt("ReplayBuffer: bufferSize", opts.bufferSize, 1);
    checkInt("ReplayBuffer: obsDim", opts.obsDim, 1);
    this.obsDim = opts.obsDim;
    this.numEnvs = numEnvs;
    this.optimizeMemoryUsage = opts.optimizeMemoryUsage ?? false;
    this.actionDim = opts.actionDim ?? 0;
    if (opts.actionDim !== undefined) checkInt("ReplayBuffer: actionDim", opts.actionDim, 1);
    this.maskDim = opts.maskDim ?? 0;
    if (!Number.isInteger(this.maskDim) || this.maskDim < 0) {
      throw new InvalidArgumentError(`ReplayBuffer: maskDim must be a non-negative integer, got ${opts.maskDim}`);
    }
    this.rows = Math.max(Math.floor(opts.bufferSize / numEnvs), 1);
    if (this.optimizeMemoryUsage && this.rows < 2) {
      throw new InvalidArgumentError(
        `ReplayBuffer: optimizeMemoryUsage needs at least 2 rows (bufferSize >= 2 * numEnvs), got bufferSize ${opts.bufferSize} with numEnvs ${numEnvs}`,
      );
    }
    const n = this.rows * numEnvs;
    const space = opts.observationSpace ?? null;
    if (space !== null && space.dim !== this.obsDim) {
      throw new InvalidArgumentError(
        `ReplayBuffer: observationSpace holds ${space.dim} values, obsDim is ${this.obsDim}`,
      );
    }
    const context = `ReplayBuffer: bufferSize ${opts.bufferSize}`;
    this.observations = new ObservationStore(space, this.obsDim, n, "observations", context);
    this.nextObservations = this.optimizeMemoryUsage
      ? null
      : new ObservationStore(space, this.obsDim, n, "nextObservations", context);
    this.actions = new Int32Array(this.actionDim > 0 ? 0 : n);
    this.boxActions = new Float32Array(n * this.actionDim);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.steps = new Uint16Array(n);
    this.nextActionMasks = new Uint8Array(n * this.maskDim);
  }

  /** Bytes the stored transitions take (every array the buffer allocated; the sampled batches aside). */
  get allocatedBytes(): number {
    let n = this.observations.bytes + (this.nextObservations?.bytes ?? 0);
    for (const a of [this.actions, this.boxActions, this.rewards, this.terminated, this.truncated, this.steps]) {
      n += a.byteLength;
    }
    return n + this.nextActionMasks.byteLength;
  }

  /** Total capacity in transitions. */
  get capacity(): number {
    return this.rows * this.numEnvs;
  }

  /** Number of transitions that can be sampled now. */
  get size(): number {
    const filledRows = this.full ? this.rows : this.pos;
    // optimizeMemoryUsage: once the ring wrapped, row `pos` has lost its s (overwritten by the previous s')
    const validRows = this.full && this.optimizeMemoryUsage ? this.rows - 1 : filledRows;
    return validRows * this.numEnvs;
  }

  /**
   * Add one transition per env (one row). Throws NonFiniteError on a NaN/infinite reward or observation, and
   * InvalidArgumentError on a Box action outside [-1, 1].
   */
  add(t: TransitionBatch): void {
    const { obsDim, numEnvs, actionDim, maskDim } = this;
    const row = this.pos;
    if (maskDim > 0 && (t.nextActionMasks === undefined || t.nextActionMasks.length < numEnvs * maskDim)) {
      throw new InvalidArgumentError(
        `ReplayBuffer.add: nextActionMasks must hold ${numEnvs} x ${maskDim} values, got ${t.nextActionMasks?.length ?? "none"}`,
      );
    }
    checkFiniteArray("observations", t.observations, numEnvs * obsDim);
    checkFiniteArray("nextObservations", t.nextObservations, numEnvs * obsDim);
    const nActions = numEnvs * Math.max(actionDim, 1);
    if (t.actions.length < nActions || t.rewards.length < numEnvs) {
      throw new InvalidArgumentError(
        `ReplayBuffer.add: expected ${nActions} action values and ${numEnvs} rewards, got ${t.actions.length} and ${t.rewards.length}`,
      );
    }
    for (let i = 0; i < numEnvs * actionDim; i++) {
      const a = t.actions[i];
      if (!(a >= -1 && a <= 1)) {
        throw new InvalidArgumentError(
          `ReplayBuffer.add: actions[${i}] is ${a}; Box actions are stored in the policy's scale [-1, 1]`,
        );
      }
    }
    for (let e = 0; e < numEnvs; e++) {
      const i = row * numEnvs + e;
      const r = t.rewards[e];
      if (!Number.isFinite(r)) {
        throw new NonFiniteError(`ReplayBuffer.add: reward of env ${e} is ${r}; rewards must be finite numbers`);
      }
      const done = Boolean(t.terminated[e]) || Boolean(t.truncated[e]);
      const next = done && t.finalObservations ? t.finalObservations : t.nextObservations;
      if (next === t.finalObservations) checkFiniteRow("finalObservations", next, e, obsDim);
      this.observations.write(i, t.observations, e * obsDim);
      if (actionDim > 0) copyRow(t.actions, e * actionDim, this.boxActions, i * actionDim, actionDim);
      else this.actions[i] = t.actions[e];
      this.rewards[i] = r;
      this.terminated[i] = t.terminated[e] ? 1 : 0;
      this.truncated[i] = t.truncated[e] && !t.terminated[e] ? 1 : 0;
      this.steps[i] = t.steps ? t.steps[e] : 1;
      if (t.nextActionMasks !== undefined && maskDim > 0) {
        this.nextActionMasks.set(t.nextActionMasks.subarray(e * maskDim, (e + 1) * maskDim), i * maskDim);
      }
      if (this.nextObservations) {
        this.nextObservations.write(i, next, e * obsDim);
      } else {
        this.truncatedNext.delete(i);
        if (this.truncated[i]) this.truncatedNext.set(i, next.slice(e * obsDim, (e + 1) * obsDim));
        const j = ((row + 1) % this.rows) * numEnvs + e;
        this.observations.write(j, t.nextObservations, e * obsDim);
      }
    }
    this.pos = (row + 1) % this.rows;
    if (this.pos === 0) this.full = true;
  }

  /** Draw `batchSize` transitions uniformly (with replacement) into `out` (allocated when absent). */
  sample(batchSize: number, rng: Rng, out?: ReplayBatch): ReplayBatch {
    const batch = this.prepareSample(batchSize, out);
    for (let b = 0; b < batchSize; b++) batch.indices[b] = this.uniformIndex(rng);
    batch.weights.fill(1, 0, batchSize);
    this.gather(batch);
    return batch;
  }

  /** Fill `batch` with the `count` transitions already named in `batch.indices` (weights 1). */
  fetch(batch: ReplayBatch, count: number): ReplayBatch {
    const n = this.capacity;
    for (let b = 0; b < count; b++) {
      const i = batch.indices[b];
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new InvalidArgumentError(`ReplayBuffer.fetch: index ${i} is outside [0, ${n})`);
      }
    }
    batch.size = count;
    batch.weights.fill(1, 0, count);
    this.gather(batch);
    return batch;
  }

  /** A batch object with room for `capacity` samples (reuse it across `sample` calls: no allocation). */
  makeBatch(capacity: number): ReplayBatch {
    const d = this.obsDim;
    return {
      size: 0,
      observations: new Float32Array(capacity * d),
      actions: new Int32Array(this.actionDim > 0 ? 0 : capacity),
      boxActions: new Float32Array(capacity * this.actionDim),
      rewards: new Float32Array(capacity),
      nextObservations: new Float32Array(capacity * d),
      terminated: new Uint8Array(capacity),
      steps: new Uint16Array(capacity),
      indices: new Int32Array(capacity),
      weights: new Float32Array(capacity),
      nextActionMasks: new Uint8Array(capacity * this.maskDim),
    };
  }

  protected prepareSample(batchSize: number, out?: ReplayBatch): ReplayBatch {
    checkInt("ReplayBuffer: batchSize", batchSize, 1);
    const size = this.size;
    if (batchSize > size) {
      throw new InvalidArgumentError(
        `ReplayBuffer.sample: batchSize ${batchSize} is more than the ${size} transitions the buffer holds; add more transitions first (learningStarts >= batchSize)`,
      );
    }
    const batch = out && out.rewards.length >= batchSize ? out : this.makeBatch(batchSize);
    batch.size = batchSize;
    return batch;
  }

  /** A uniform flat index among the sampleable transitions. */
  protected uniformIndex(rng: Rng): number {
    let row: number;
    if (this.full && this.optimizeMemoryUsage) row = (this.pos + 1 + rng.int(this.rows - 1)) % this.rows;
    else row = rng.int(this.full ? this.rows : this.pos);
    return row * this.numEnvs + (this.numEnvs === 1 ? 0 : rng.int(this.numEnvs));
  }

  /** Copy the transitions named by `batch.indices` into the batch arrays. */
  protected gather(batch: ReplayBatch): void {
    const d = this.obsDim;
    const ad = this.actionDim;
    for (let b = 0; b < batch.size; b++) {
      const i = batch.indices[b];
      this.observations.read(i, batch.observations, b * d);
      if (ad > 0) copyRow(this.boxActions, i * ad, batch.boxActions, b * ad, ad);
      else batch.actions[b] = this.actions[i];
      batch.rewards[b] = this.rewards[i];
      batch.terminated[b] = this.terminated[i];
      batch.steps[b] = this.steps[i];
      const m = this.maskDim;
      if (m > 0) batch.nextActionMasks.set(this.nextActionMasks.subarray(i * m, (i + 1) * m), b * m);
      if (this.nextObservations) {
        this.nextObservations.read(i, batch.nextObservations, b * d);
      } else {
        const kept = this.truncatedNext.size > 0 ? this.truncatedNext.get(i) : undefined;
        const j = ((Math.floor(i / this.numEnvs) + 1) % this.rows) * this.numEnvs + (i % this.numEnvs);
        if (kept !== undefined) copyRow(kept, 0, batch.nextObservations, b * d, d);
        else this.observations.read(j, batch.nextObservations, b * d);
      }
    }
  }

  getState(): ReplayBufferState {
    const arrays: ReplayBufferState["arrays"] = {
      rewards: this.rewards.slice(),
      terminated: this.terminated.slice(),
      truncated: this.truncated.slice(),
      steps: this.steps.slice(),
    };
    if (this.actionDim > 0) arrays.boxActions = this.boxActions.slice();
    else arrays.actions = this.actions.slice();
    for (const store of [this.observations, this.nextObservations]) {
      for (const [name, a] of Object.entries(store?.arrays ?? {})) arrays[name] = a.slice();
    }
    if (this.maskDim > 0) arrays.nextActionMasks = this.nextActionMasks.slice();
    const truncatedNext: Array<[number, Float32Array]> = [];
    for (const [k, v] of this.truncatedNext) truncatedNext.push([k, v.slice()]);
    return { pos: this.pos, full: this.full, arrays, truncatedNext };
  }

  setState(state: ReplayBufferState): void {
    const targets: Record<string, Float32Array | Int32Array | Uint8Array | Uint16Array | null> = {
      ...this.observations.arrays,
      ...this.nextObservations?.arrays,
      actions: this.actionDim > 0 ? null : this.actions,
      boxActions: this.actionDim > 0 ? this.boxActions : null,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      steps: this.steps,
      nextActionMasks: this.maskDim > 0 ? this.nextActionMasks : null,
    };
    for (const [name, target] of Object.entries(targets)) {
      if (!target) continue;
      const src = state.arrays[name];
      // a buffer saved before masks were stored: every action counts as allowed
      if (name === "nextActionMasks" && src === undefined) {
        target.fill(1);
        continue;
      }
      if (!src || src.length !== target.length || src.constructor !== target.constructor) {
        throw new InvalidArgumentError(
          `ReplayBuffer.setState: array ${name} must be a ${target.constructor.name} of length ${target.length}, got ${src ? `${src.constructor.name} of length ${src.length}` : "nothing"}`,
        );
      }
      target.set(src as ArrayLike<number>);
    }
    if (!Number.isInteger(state.pos) || state.pos < 0 || state.pos >= this.rows) {
      throw new InvalidArgumentError(
        `ReplayBuffer.setState: pos must be an integer in [0, ${this.rows}), got ${state.pos}`,
      );
    }
    this.pos = state.pos;
    this.full = Boolean(state.full);
    this.truncatedNext.clear();
    for (const [k, v] of state.truncatedNext) this.truncatedNext.set(k, Float32Array.from(v));
  }
}

/** dst[dstOff .. dstOff + n) = src[srcOff .. srcOff + n) (a plain loop: no view object per row in the hot path). */
function copyRow(src: ArrayLike<number>, srcOff: number, dst: Float32Array, dstOff: number, n: number): void {
  for (let k = 0; k < n; k++) dst[dstOff + k] = src[srcOff + k];
}

function checkFiniteArray(name: string, a: Float32Array, n: number): void {
  if (a.length < n) {
    throw new InvalidArgumentError(`ReplayBuffer.add: ${name} must hold ${n} values, got ${a.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i])) {
      throw new NonFiniteError(
        `ReplayBuffer.add: ${name}[${i}] is ${a[i]}; the environment returned a non-finite observation`,
      );
    }
  }
}

function checkFiniteRow(name: string, a: Float32Array, row: number, d: number): void {
  for (let i = row * d; i < (row + 1) * d; i++) {
    if (!Number.isFinite(a[i])) {
      throw new NonFiniteError(
        `ReplayBuffer.add: ${name}[${i}] is ${a[i]}; the environment returned a non-finite observation`,
      );
    }
  }
}

type ReplayArray = ReplayBufferState["arrays"][string];

/** A buffer's state as checkpoint tensors (`replay/<array>`) and JSON (ring position, kept final observations). */
export function replayStateTensors(buffer: ReplayBuffer): {
  tensors: Record<string, StateTensor>;
  json: { pos: number; full: boolean; truncatedNext: [number, number[]][] };
} {
  const s = buffer.getState();
  const tensors: Record<string, StateTensor> = {};
  for (const [k, v] of Object.entries(s.arrays)) tensors[`replay/${k}`] = stateTensorOf(v);
  return {
    tensors,
    json: { pos: s.pos, full: s.full, truncatedNext: s.truncatedNext.map(([i, v]) => [i, Array.from(v)]) },
  };
}

/** The inverse of {@link replayStateTensors} (ReplayBuffer.setState validates the arrays). */
export function replayStateFrom(tensors: Record<string, StateTensor>, json: unknown): ReplayBufferState {
  const j = json as { pos?: unknown; full?: unknown; truncatedNext?: unknown };
  if (typeof j !== "object" || j === null || !Number.isInteger(j.pos) || !Array.isArray(j.truncatedNext)) {
    throw new InvalidArgumentError(
      `replay state must be { pos, full, truncatedNext }, got ${JSON.stringify(json)?.slice(0, 200)}`,
    );
  }
  const arrays: ReplayBufferState["arrays"] = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith("replay/")) arrays[k.slice(7)] = t.data as ReplayArray;
  const truncatedNext: Array<[number, Float32Array]> = [];
  for (const entry of j.truncatedNext as unknown[]) {
    if (!Array.isArray(entry) || !Number.isInteger(entry[0]) || !Array.isArray(entry[1])) {
      throw new InvalidArgumentError("replay state truncatedNext must hold [index, observation] pairs");
    }
    truncatedNext.push([entry[0] as number, Float32Array.from(entry[1] as number[])]);
  }
  return { pos: j.pos as number, full: Boolean(j.full), arrays, truncatedNext };
}

function stateTensorOf(v: ReplayArray): StateTensor {
  const shape = [v.length];
  if (v instanceof Float32Array) return { dtype: "F32", shape, data: v };
  if (v instanceof Float64Array) return { dtype: "F64", shape, data: v };
  if (v instanceof Int32Array) return { dtype: "I32", shape, data: v };
  if (v instanceof Uint16Array) return { dtype: "U16", shape, data: v };
  return { dtype: "U8", shape, data: v };
}
