import { checkRange } from "../../core/checks.js";
import type { Engine } from "../../core/engine.js";
import { type FloatArray, Tensor } from "../../core/tensor.js";
import { CheckpointError, InvalidArgumentError } from "../../errors.js";
import { checkParameters, paramRunEnd, runLength } from "../module.js";

/** A snapshot of an optimizer's state: copies of its buffers by name, the step counter and the learning rate. */
export interface OptimizerState {
  readonly type: string;
  readonly stepCount: number;
  readonly lr: number;
  readonly tensors: Record<string, FloatArray>;
}

/**
 * Base of SGD, Adam and RMSprop: a fixed list of parameters, a mutable learning rate (schedules set it before each
 * update) and per-parameter state buffers allocated once at construction, named as in PyTorch's state_dict
 * (`"<param index>.exp_avg"` ...), so a checkpoint resumes bit for bit.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  readonly engine: Engine;
  /** Learning rate of the next `step()`. */
  lr: number;
  /** Number of `step()` calls so far. */
  stepCount = 0;
  /** The parameters in runs stored back to back: zeroing, and the SGD/RMSprop step, is one call per run. */
  readonly runs: readonly ParamRun[];
  private readonly buffers = new Map<string, Tensor>();

  protected constructor(type: string, params: readonly Tensor[], lr: number) {
    checkParameters(type, params);
    checkRange(`${type}: lr`, lr, 0, Infinity, "[)");
    this.params = params.slice();
    this.engine = params[0].engine;
    if (this.engine.inScope) {
      throw new InvalidArgumentError(`${type} must be created outside engine.scope(): its state persists`);
    }
    this.lr = lr;
    this.runs = paramRuns(this.params);
  }

  /** One update from the parameters' current `.grad`. */
  step(): void {
    this.update();
    // the parameters changed: linear's cached packed copies of them are stale
    for (let i = 0; i < this.params.length; i++) this.params[i].markWritten();
  }

  /** The update rule (`step` runs it, then marks the parameters written). */
  protected abstract update(): void;

  /** Zero the gradients of this optimizer's parameters. */
  zeroGrad(): void {
    const k = this.engine.kernels;
    for (const run of this.runs) k.fill(run.grad, 0, run.length);
  }

  /** The live state buffers by name (read-only use: serialization). */
  stateTensors(): Record<string, Tensor> {
    return Object.fromEntries(this.buffers);
  }

  /** Copies of every state buffer plus the counters. */
  getState(): OptimizerState {
    const tensors: Record<string, FloatArray> = {};
    for (const [name, t] of this.buffers) tensors[name] = t.data().slice();
    return { type: this.constructor.name, stepCount: this.stepCount, lr: this.lr, tensors };
  }

  /** Restore a state taken by `getState` of an optimizer of the same type over parameters of the same shapes. */
  setState(state: OptimizerState): void {
    const type = this.constructor.name;
    if (state === null || typeof state !== "object" || state.type !== type) {
      throw new CheckpointError(`${type}.setState: state is for ${String(state?.type)}, expected ${type}`);
    }
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) {
      throw new CheckpointError(`${type}.setState: stepCount must be a non-negative integer, got ${state.stepCount}`);
    }
    checkRange(`${type}.setState: lr`, state.lr, 0, Infinity, "[)");
    const names = Object.keys(state.tensors ?? {});
    for (const name of names) {
      if (!this.buffers.has(name)) throw new CheckpointError(`${type}.setState: unexpected state tensor "${name}"`);
    }
    for (const [name, t] of this.buffers) {
      const src = state.tensors[name];
      if (src === undefined) throw new CheckpointError(`${type}.setState: missing state tensor "${name}"`);
      if (src.length !== t.size) {
        throw new CheckpointError(`${type}.setState: "${name}" has ${src.length} values, expected ${t.size}`);
      }
    }
    for (const [name, t] of this.buffers) t.set(state.tensors[name]);
    this.stepCount = state.stepCount;
    this.lr = state.lr;
  }

  /**
   * A persistent state buffer per parameter (`"<i>.<name>"`), filled with `value`. Each run of parameters stored
   * back to back (`runs`) gets one block laid out like the parameters, so a step may be one kernel call per run.
   */
  protected stateBuffers(name: string, value = 0): Tensor[] {
    const out: Tensor[] = [];
    for (const run of this.runs) {
      const block = this.engine.full([run.length], value);
      for (let i = run.first; i < run.end; i++) {
        const p = this.params[i];
        const t = new Tensor(this.engine, p.shape, p.size, block.offset + p.offset - run.value, false, true, true);
        this.buffers.set(`${i}.${name}`, t);
        out.push(t);
      }
    }
    return out;
  }
}

/** Parameters [first, end) of an optimizer stored back to back: values from `value`, gradients from `grad`. */
export interface ParamRun {
  readonly first: number;
  readonly end: number;
  readonly value: number;
  readonly grad: number;
  readonly length: number;
}

function paramRuns(params: readonly Tensor[]): ParamRun[] {
  const runs: ParamRun[] = [];
  for (let i = 0; i < params.length; ) {
    const end = paramRunEnd(params, i);
    const p = params[i];
    runs.push({ first: i, end, value: p.offset, grad: (p.grad as Tensor).offset, length: runLength(params, i, end) });
    i = end;
  }
  return runs;
}
