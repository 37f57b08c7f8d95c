/**
 * Parameters and optimizer state to and from a safetensors file plus a JSON sidecar.
 *
 * The safetensors bytes hold every array: `params.<i>` for the i-th entry of `module.parameters()` and
 * `optim.<name>` for each optimizer buffer (PyTorch state_dict names, e.g. `optim.0.exp_avg`). The sidecar is a
 * plain JSON-able object with what is not an array: format version, the parameter list, the optimizer's type,
 * step counter and learning rate. Loading checks everything against the live model first and only then writes, so
 * a mismatch throws a {@link CheckpointError} and leaves the model and optimizer untouched. No file system: bytes
 * and objects in, bytes and objects out.
 */
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../core/safetensors.js";
import type { Tensor } from "../core/tensor.js";
import { CheckpointError, describe, InvalidArgumentError } from "../errors.js";
import type { Module } from "./module.js";
import type { Optimizer } from "./optim/optimizer.js";

export const PARAMETERS_FORMAT = "tsrl.parameters";
export const PARAMETERS_VERSION = 1;

/** The JSON side of a saved model: everything that is not an array. */
export interface ParametersSidecar {
  format: typeof PARAMETERS_FORMAT;
  version: number;
  /** Element type of the saved arrays. */
  dtype: "F32" | "F64";
  /** Shapes of `module.parameters()`, in order (tensor `params.<i>`). */
  parameters: number[][];
  /** The optimizer's scalars; its buffers are the tensors `optim.<name>`. */
  optimizer: { type: string; stepCount: number; lr: number; tensors: string[] } | null;
}

export interface SavedParameters {
  safetensors: Uint8Array;
  sidecar: ParametersSidecar;
}

/** Serialize a module's parameters and, optionally, its optimizer's state. */
export function saveParameters(
  module: Module,
  opts: { optimizer?: Optimizer; metadata?: Record<string, string> } = {},
): SavedParameters {
  const params = moduleParameters("saveParameters", module);
  const dtype = params[0].engine.dtype === "float64" ? "F64" : "F32";
  const tensors: Record<string, SafetensorsTensor> = {};
  params.forEach((p, i) => {
    tensors[`params.${i}`] = toSafetensor(p, dtype);
  });
  let optimizer: ParametersSidecar["optimizer"] = null;
  const opt = opts.optimizer;
  if (opt !== undefined) {
    checkOptimizer("saveParameters", opt, params);
    const state = opt.stateTensors();
    const names = Object.keys(state).sort();
    for (const name of names) tensors[`optim.${name}`] = toSafetensor(state[name], dtype);
    optimizer = { type: opt.constructor.name, stepCount: opt.stepCount, lr: opt.lr, tensors: names };
  }
  const sidecar: ParametersSidecar = {
    format: PARAMETERS_FORMAT,
    version: PARAMETERS_VERSION,
    dtype,
    parameters: params.map((p) => [...p.shape]),
    optimizer,
  };
  return { safetensors: encodeSafetensors(tensors, opts.metadata), sidecar };
}

/**
 * Restore what {@link saveParameters} wrote into a module (and optimizer) of the same architecture. F32 and F64
 * files load into engines of either dtype. Throws a CheckpointError, having written nothing, when the bytes are
 * corrupt, the sidecar is malformed or disagrees with them, a shape differs from the model, a value is not
 * finite, or the optimizer's type or buffers differ.
 */
export function loadParameters(module: Module, saved: SavedParameters, opts: { optimizer?: Optimizer } = {}): void {
  const params = moduleParameters("loadParameters", module);
  if (saved === null || typeof saved !== "object" || !(saved.safetensors instanceof Uint8Array)) {
    throw new InvalidArgumentError(
      `loadParameters: saved must be { safetensors: Uint8Array, sidecar }, got ${describe(saved)}`,
    );
  }
  const sidecar = checkSidecar(saved.sidecar);
  const { tensors } = decodeSafetensors(saved.safetensors);

  // 1. check everything
  if (sidecar.parameters.length !== params.length) {
    throw new CheckpointError(
      `loadParameters: the checkpoint has ${sidecar.parameters.length} parameter tensors, the model has ${params.length}`,
    );
  }
  const writes: [Tensor, Float32Array | Float64Array][] = [];
  params.forEach((p, i) => {
    writes.push([p, readTensor(tensors, `params.${i}`, p.shape, sidecar.parameters[i], sidecar.dtype)]);
  });
  const opt = opts.optimizer;
  const expectedNames = new Set<string>();
  for (let i = 0; i < params.length; i++) expectedNames.add(`params.${i}`);
  if (opt !== undefined) {
    checkOptimizer("loadParameters", opt, params);
    const saverOpt = sidecar.optimizer;
    if (saverOpt === null) throw new CheckpointError("loadParameters: the checkpoint holds no optimizer state");
    const type = opt.constructor.name;
    if (saverOpt.type !== type) {
      throw new CheckpointError(`loadParameters: the checkpoint's optimizer is ${saverOpt.type}, expected ${type}`);
    }
    const state = opt.stateTensors();
    const names = Object.keys(state).sort();
    if (names.join("\n") !== [...saverOpt.tensors].sort().join("\n")) {
      throw new CheckpointError(
        `loadParameters: ${type} buffers [${saverOpt.tensors.join(", ")}] in the checkpoint, expected [${names.join(", ")}] (different options such as momentum or centered?)`,
      );
    }
    for (const name of names) {
      const t = state[name];
      writes.push([t, readTensor(tensors, `optim.${name}`, t.shape, t.shape, sidecar.dtype)]);
    }
  }
  if (sidecar.optimizer !== null) for (const name of sidecar.optimizer.tensors) expectedNames.add(`optim.${name}`);
  for (const name of Object.keys(tensors)) {
    if (!expectedNames.has(name)) {
      throw new CheckpointError(`loadParameters: unexpected tensor ${JSON.stringify(name)} in the checkpoint`);
    }
  }

  // 2. write (nothing below can fail)
  for (const [t, values] of writes) t.set(values);
  if (opt !== undefined && sidecar.optimizer !== null) {
    opt.stepCount = sidecar.optimizer.stepCount;
    opt.lr = sidecar.optimizer.lr;
  }
}

function moduleParameters(where: string, module: Module): Tensor[] {
  if (module === null || typeof module !== "object" || typeof module.parameters !== "function") {
    throw new InvalidArgumentError(`${where}: module must have parameters(), got ${describe(module)}`);
  }
  const params = module.parameters();
  if (!Array.isArray(params) || params.length === 0) {
    throw new InvalidArgumentError(`${where}: module.parameters() returned no parameters`);
  }
  for (const p of params) {
    if (p.engine !== params[0].engine) throw new InvalidArgumentError(`${where}: parameters use different engines`);
  }
  return params;
}

function checkOptimizer(where: string, opt: Optimizer, params: readonly Tensor[]): void {
  if (opt === null || typeof opt !== "object" || typeof opt.stateTensors !== "function") {
    throw new InvalidArgumentError(
      `${where}: optimizer must be an Optimizer (SGD, Adam, RMSprop), got ${describe(opt)}`,
    );
  }
  if (opt.params.length !== params.length || opt.params.some((p, i) => p !== params[i])) {
    throw new InvalidArgumentError(`${where}: the optimizer must optimize exactly module.parameters(), in order`);
  }
}

function toSafetensor(t: Tensor, dtype: "F32" | "F64"): SafetensorsTensor {
  const shape = [...t.shape];
  return dtype === "F64"
    ? { dtype, shape, data: Float64Array.from(t.data()) }
    : { dtype, shape, data: Float32Array.from(t.data()) };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function readTensor(
  tensors: Record<string, SafetensorsTensor>,
  name: string,
  modelShape: readonly number[],
  sidecarShape: readonly number[],
  dtype: "F32" | "F64",
): Float32Array | Float64Array {
  if (!Object.hasOwn(tensors, name)) throw new CheckpointError(`loadParameters: tensor "${name}" is missing`);
  const t = tensors[name];
  if (t.dtype !== dtype) {
    throw new CheckpointError(`loadParameters: tensor "${name}" is ${t.dtype}, the sidecar says ${dtype}`);
  }
  if (!sameShape(t.shape, sidecarShape)) {
    throw new CheckpointError(
      `loadParameters: tensor "${name}" has shape [${t.shape.join(", ")}] but the sidecar says [${sidecarShape.join(", ")}]`,
    );
  }
  if (!sameShape(t.shape, modelShape)) {
    throw new CheckpointError(
      `loadParameters: tensor "${name}" has shape [${t.shape.join(", ")}], the model expects [${modelShape.join(", ")}]`,
    );
  }
  const data = t.data as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new CheckpointError(`loadParameters: tensor "${name}" holds ${data[i]} at index ${i}`);
    }
  }
  return data;
}

/** Validate an untrusted sidecar (e.g. from JSON.parse) field by field. */
function checkSidecar(s: unknown): ParametersSidecar {
  const bad = (what: string): never => {
    throw new CheckpointError(`loadParameters: sidecar ${what}`);
  };
  if (s === null || typeof s !== "object" || Array.isArray(s)) return bad(`must be an object, got ${describe(s)}`);
  const o = s as Record<string, unknown>;
  if (o.format !== PARAMETERS_FORMAT) bad(`format must be "${PARAMETERS_FORMAT}", got ${describe(o.format)}`);
  if (o.version !== PARAMETERS_VERSION) {
    bad(`version ${describe(o.version)} is not supported (this tsrl reads version ${PARAMETERS_VERSION})`);
  }
  if (o.dtype !== "F32" && o.dtype !== "F64") bad(`dtype must be "F32" or "F64", got ${describe(o.dtype)}`);
  const isShape = (x: unknown) => Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (!Array.isArray(o.parameters) || !o.parameters.every(isShape)) {
    bad("parameters must be an array of shapes (arrays of non-negative integers)");
  }
  const opt = o.optimizer;
  if (opt !== null) {
    if (typeof opt !== "object" || Array.isArray(opt)) bad("optimizer must be an object or null");
    const q = opt as Record<string, unknown>;
    if (typeof q.type !== "string") bad(`optimizer.type must be a string, got ${describe(q.type)}`);
    if (!Number.isSafeInteger(q.stepCount) || (q.stepCount as number) < 0) {
      bad(`optimizer.stepCount must be a non-negative integer, got ${describe(q.stepCount)}`);
    }
    if (typeof q.lr !== "number" || !Number.isFinite(q.lr) || q.lr < 0) {
      bad(`optimizer.lr must be a finite number >= 0, got ${describe(q.lr)}`);
    }
    if (!Array.isArray(q.tensors) || !q.tensors.every((n) => typeof n === "string")) {
      bad("optimizer.tensors must be an array of names");
    }
  }
  return o as unknown as ParametersSidecar;
}
