import type { RunningMeanStdState } from "../core/running-mean-std.js";
import { PickleError } from "../errors.js";
import { type GlobalHandler, kind, PyDict, PyGlobal, PyObject, PyTuple, type PyValue, unpickle } from "./pickle.js";

/**
 * What SB3's `VecNormalize.save()` (rl-baselines3-zoo's `vecnormalize.pkl`) holds that matters to a model: the
 * options and the running statistics. Read WITHOUT executing the pickle: a pickled Python VecNormalize object is
 * only walked as data.
 */
export interface Sb3VecNormalize {
  normObs: boolean;
  normReward: boolean;
  clipObs: number;
  clipReward: number;
  gamma: number;
  epsilon: number;
  /** observation statistics (null without norm_obs); a Dict observation space's are per key */
  obsRms: RunningMeanStdState | ReadonlyMap<string, RunningMeanStdState> | null;
  /** the discounted return's statistics (shape []) */
  retRms: RunningMeanStdState;
}

const RECORD = "record" as const;
/**
 * The globals such a pickle names, each kept as inert data: SB3's two classes, numpy's array, dtype and scalar
 * reconstructors (numpy 1 and 2 module names; protocol 5's _frombuffer), the gymnasium spaces and numpy random
 * generators an observation or action space carries, collections.OrderedDict. Nothing else may appear.
 */
const GLOBALS = new Map<string, GlobalHandler>([
  ["stable_baselines3.common.vec_env.vec_normalize.VecNormalize", RECORD],
  ["stable_baselines3.common.running_mean_std.RunningMeanStd", RECORD],
  ["collections.OrderedDict", () => new PyDict()],
  ["numpy.ndarray", null],
  ["numpy.dtype", RECORD],
  ...["numpy.core", "numpy._core"].flatMap((m): [string, GlobalHandler][] => [
    [`${m}.multiarray._reconstruct`, RECORD],
    [`${m}.multiarray.scalar`, RECORD],
    [`${m}.numeric._frombuffer`, RECORD],
  ]),
  ...["box.Box", "discrete.Discrete", "dict.Dict", "multi_discrete.MultiDiscrete", "multi_binary.MultiBinary"].map(
    (c): [string, GlobalHandler] => [`gymnasium.spaces.${c}`, RECORD],
  ),
  ["numpy.random._pickle.__generator_ctor", RECORD],
  ["numpy.random._pickle.__bit_generator_ctor", RECORD],
  ["numpy.random._pickle.__randomstate_ctor", RECORD],
]);

/** Read a `vecnormalize.pkl` (bytes). Anything but the layout SB3 writes is a {@link PickleError} naming it. */
export function readSb3VecNormalize(bytes: Uint8Array): Sb3VecNormalize {
  const root = unpickle(bytes, { globals: GLOBALS });
  const vn = record(root, "VecNormalize", "the pickle");
  const attr = (name: string): PyValue => {
    if (!vn.has(name)) throw new PickleError(`vecnormalize: the VecNormalize object has no ${name}`);
    return vn.get(name) as PyValue;
  };
  const bool = (name: string) => {
    const v = attr(name);
    if (typeof v !== "boolean") throw new PickleError(`vecnormalize: ${name} is a ${kind(v)}, expected a bool`);
    return v;
  };
  const float = (name: string) => {
    const v = number(attr(name), name);
    if (!Number.isFinite(v)) throw new PickleError(`vecnormalize: ${name} is ${v}, expected a finite number`);
    return v;
  };
  const normObs = bool("norm_obs");
  let obsRms: Sb3VecNormalize["obsRms"] = null;
  if (normObs) {
    const o = attr("obs_rms");
    if (o instanceof PyDict) {
      const keys = attr("norm_obs_keys");
      const perKey = new Map<string, RunningMeanStdState>();
      for (const [k, v] of o.map) perKey.set(String(k), runningMeanStd(v, `obs_rms[${JSON.stringify(k)}]`));
      if (Array.isArray(keys) && keys.some((k) => typeof k !== "string" || !perKey.has(k)))
        throw new PickleError("vecnormalize: norm_obs_keys names a key obs_rms lacks");
      obsRms = perKey;
    } else obsRms = runningMeanStd(o, "obs_rms");
  }
  return {
    normObs,
    normReward: bool("norm_reward"),
    clipObs: float("clip_obs"),
    clipReward: float("clip_reward"),
    gamma: float("gamma"),
    epsilon: float("epsilon"),
    obsRms,
    retRms: runningMeanStd(attr("ret_rms"), "ret_rms"),
  };
}

/** The attribute dict of a record of SB3 class `name` (its BUILD state). */
function record(v: PyValue, name: string, what: string): Map<string | number, PyValue> {
  if (!(v instanceof PyObject) || v.cls.name !== name || !(v.state instanceof PyDict)) {
    throw new PickleError(`vecnormalize: ${what} is a ${kind(v)}, expected an SB3 ${name} object with its attributes`);
  }
  return v.state.map;
}

function runningMeanStd(v: PyValue, what: string): RunningMeanStdState {
  const r = record(v, "RunningMeanStd", what);
  const mean = array(r.get("mean") ?? null, `${what}.mean`);
  const variance = array(r.get("var") ?? null, `${what}.var`);
  const count = number(r.get("count") ?? null, `${what}.count`);
  if (mean.length !== variance.length || !(count > 0) || !variance.every((x) => x >= 0)) {
    throw new PickleError(
      `vecnormalize: ${what} holds ${mean.length} means, ${variance.length} variances, count ${count}`,
    );
  }
  return { mean, var: variance, count };
}

/** A Python int or float, or a numpy scalar (numpy...scalar(dtype, bytes)). */
function number(v: PyValue, what: string): number {
  if (typeof v === "number") return v;
  if (v instanceof PyObject && v.cls.name === "scalar" && v.args.length === 2 && v.args[1] instanceof Uint8Array) {
    const values = decode(v.args[1], dtype(v.args[0], what), what);
    if (values.length === 1) return values[0];
  }
  throw new PickleError(`vecnormalize: ${what} is a ${kind(v)}, expected a number`);
}

/** A numpy array's values, flattened (C order), as numbers; a 0-d array is one value. */
function array(v: PyValue, what: string): number[] {
  if (v instanceof PyObject && v.cls.name === "_reconstruct") {
    // _reconstruct(ndarray, (0,), b'b') then BUILD (version, shape, dtype, is_fortran, raw bytes)
    const s = v.state instanceof PyTuple ? v.state.items : [];
    const [, shape, dt, fortran, raw] = s;
    if (s.length !== 5 || !(shape instanceof PyTuple) || !(raw instanceof Uint8Array) || fortran === true) {
      throw new PickleError(`vecnormalize: ${what} is not a C-ordered numpy array`);
    }
    return sized(decode(raw, dtype(dt, what), what), shape, what);
  }
  if (v instanceof PyObject && v.cls.name === "_frombuffer") {
    // protocol 5: _frombuffer(buffer, dtype, shape, order)
    const [raw, dt, shape, order] = v.args;
    if (!(raw instanceof Uint8Array) || !(shape instanceof PyTuple) || order !== "C") {
      throw new PickleError(`vecnormalize: ${what} is not a C-ordered numpy array`);
    }
    return sized(decode(raw, dtype(dt, what), what), shape, what);
  }
  throw new PickleError(`vecnormalize: ${what} is a ${kind(v)}, expected a numpy array`);
}

function sized(values: number[], shape: PyTuple, what: string): number[] {
  const n = shape.items.reduce<number>((p, d) => p * (typeof d === "number" ? d : Number.NaN), 1);
  if (n !== values.length) throw new PickleError(`vecnormalize: ${what} has ${values.length} values for its shape`);
  return values;
}

type Dtype = { kind: "f" | "i" | "u"; bytes: number };

/** numpy.dtype(descr, align, copy) with BUILD state (version, byte order, ...): little-endian numbers only. */
function dtype(v: PyValue, what: string): Dtype {
  if (v instanceof PyObject && v.cls instanceof PyGlobal && v.cls.qualified === "numpy.dtype") {
    const descr = v.args[0];
    const order = v.state instanceof PyTuple ? v.state.items[1] : "<";
    const m = typeof descr === "string" ? /^([fiu])(\d)$/.exec(descr) : null;
    if (m !== null && (order === "<" || order === "|" || order === "=") && [1, 2, 4, 8].includes(Number(m[2]))) {
      return { kind: m[1] as Dtype["kind"], bytes: Number(m[2]) };
    }
    throw new PickleError(
      `vecnormalize: ${what} has dtype ${JSON.stringify(descr)} (${String(order)}), expected little-endian numbers`,
    );
  }
  throw new PickleError(`vecnormalize: ${what} has a ${kind(v)} dtype`);
}

function decode(raw: Uint8Array, t: Dtype, what: string): number[] {
  if (raw.length % t.bytes !== 0)
    throw new PickleError(`vecnormalize: ${what} has ${raw.length} bytes of ${t.kind}${t.bytes}`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let at = 0; at < raw.length; at += t.bytes) {
    if (t.kind === "f") {
      if (t.bytes === 8) out.push(dv.getFloat64(at, true));
      else if (t.bytes === 4) out.push(dv.getFloat32(at, true));
      else throw new PickleError(`vecnormalize: ${what} is float${8 * t.bytes}, expected float32 or float64`);
    } else if (t.bytes === 8) out.push(Number(t.kind === "i" ? dv.getBigInt64(at, true) : dv.getBigUint64(at, true)));
    else if (t.bytes === 4) out.push(t.kind === "i" ? dv.getInt32(at, true) : dv.getUint32(at, true));
    else if (t.bytes === 2) out.push(t.kind === "i" ? dv.getInt16(at, true) : dv.getUint16(at, true));
    else out.push(t.kind === "i" ? dv.getInt8(at) : dv.getUint8(at));
  }
  return out;
}
