import { pow } from "../core/math/index.js";
import { PickleError } from "../errors.js";
import { kind, PyDict, PyGlobal, PyOpaque, PyTuple, type PyValue, unpickle } from "./pickle.js";
import { ZipArchive, type ZipLimits } from "./zip-reader.js";

/** A tensor read from a `.pth`, contiguous row-major. Floating types come back as Float32Array (Float64Array for double). */
export interface TorchTensor {
  readonly dtype: TorchDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Int16Array | Int8Array | Uint8Array;
}

export type TorchDType =
  | "float32"
  | "float64"
  | "float16"
  | "bfloat16"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "bool";

/** torch.<X>Storage -> element type and byte width. */
const STORAGES: Record<string, [TorchDType, number]> = {
  FloatStorage: ["float32", 4],
  DoubleStorage: ["float64", 8],
  HalfStorage: ["float16", 2],
  BFloat16Storage: ["bfloat16", 2],
  LongStorage: ["int64", 8],
  IntStorage: ["int32", 4],
  ShortStorage: ["int16", 2],
  CharStorage: ["int8", 1],
  ByteStorage: ["uint8", 1],
  BoolStorage: ["bool", 1],
};

interface StorageRef {
  readonly key: string;
  readonly dtype: TorchDType;
  readonly itemBytes: number;
  readonly numel: number;
}

interface TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

/**
 * A value of a `.pth` read by {@link readTorchObject}: Python's None, bool, int, float, str; tuples and lists as
 * arrays; dicts (and OrderedDicts) as Maps; tensors.
 */
export type TorchValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | TorchTensor
  | readonly TorchValue[]
  | ReadonlyMap<string | number, TorchValue>;

/**
 * Read a PyTorch `.pth` written by `torch.save(obj)` (the zip serialization: `<dir>/data.pkl` naming the tensors,
 * raw little-endian storages in `<dir>/data/<key>`) WITHOUT running its pickle: the restricted reader of pickle.ts
 * accepts only `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`
 * and the `torch.*Storage` types, and a storage shorter than a tensor's shape and strides need is refused. Enough
 * for a `state_dict` and for an optimizer's (`{ state: {i: {step, exp_avg, ...}}, param_groups: [...] }`).
 */
export async function readTorchObject(bytes: Uint8Array, limits: ZipLimits = {}): Promise<TorchValue> {
  const zip = ZipArchive.open(bytes, limits);
  const pkl = zip.names().find((n) => n === "data.pkl" || n.endsWith("/data.pkl"));
  if (pkl === undefined) throw new PickleError("pth: no data.pkl in the archive (not a PyTorch zip serialization)");
  const dir = pkl.slice(0, pkl.length - "data.pkl".length);
  const order = zip.names().find((n) => n === `${dir}byteorder`);
  if (order !== undefined) {
    const o = new TextDecoder().decode(await zip.read(order));
    if (o.trim() !== "little")
      throw new PickleError(`pth: byte order ${JSON.stringify(o)} is not supported (little only)`);
  }
  const globals = new Map<string, ((args: PyValue[]) => PyValue) | null>([
    ["collections.OrderedDict", () => new PyDict()],
    ["torch._utils._rebuild_tensor_v2", (args) => new PyOpaque(rebuildTensor(args))],
    [
      "torch._utils._rebuild_parameter",
      (args) => (args[0] instanceof PyOpaque ? args[0] : bad("_rebuild_parameter", args[0])),
    ],
    ...Object.keys(STORAGES).map((s) => [`torch.${s}`, null] as [string, null]),
  ]);
  const root = unpickle(await zip.read(pkl), {
    globals,
    persistentLoad(pid) {
      // ('storage', torch.FloatStorage, key, location, numel)
      if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== "storage") {
        throw new PickleError(`pth: persistent id ${kind(pid)} is not a storage reference`);
      }
      const [, type, key, , numel] = pid.items;
      const spec = type instanceof PyGlobal && type.module === "torch" ? STORAGES[type.name] : undefined;
      if (spec === undefined || typeof key !== "string" || typeof numel !== "number" || numel < 0) {
        throw new PickleError("pth: malformed storage reference");
      }
      return new PyOpaque<StorageRef>({ key, dtype: spec[0], itemBytes: spec[1], numel });
    },
  });
  // each storage read once (tensors may share one), checked against its declared size
  const storageBytes = new Map<string, Uint8Array>();
  const tensor = async (name: string, t: TensorRef): Promise<TorchTensor> => {
    let raw = storageBytes.get(t.storage.key);
    if (raw === undefined) {
      const member = `${dir}data/${t.storage.key}`;
      if (!zip.has(member))
        throw new PickleError(`pth: tensor ${name} names storage ${t.storage.key}, missing from the archive`);
      raw = await zip.read(member);
      if (raw.length < t.storage.numel * t.storage.itemBytes) {
        throw new PickleError(
          `pth: storage ${t.storage.key} has ${raw.length} bytes, its reference declares ${t.storage.numel} x ${t.storage.itemBytes}`,
        );
      }
      storageBytes.set(t.storage.key, raw);
    }
    return materialize(name, t, raw);
  };
  const convert = async (v: PyValue, path: string): Promise<TorchValue> => {
    if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || typeof v === "string")
      return v;
    if (Array.isArray(v) || v instanceof PyTuple) {
      const items = Array.isArray(v) ? v : v.items;
      const out: TorchValue[] = [];
      for (let i = 0; i < items.length; i++) out.push(await convert(items[i], `${path}[${i}]`));
      return out;
    }
    if (v instanceof PyDict) {
      const out = new Map<string | number, TorchValue>();
      for (const [k, x] of v.map) out.set(k, await convert(x, path === "" ? String(k) : `${path}.${k}`));
      return out;
    }
    if (v instanceof PyOpaque && isTensorRef(v.value)) return tensor(path, v.value);
    throw new PickleError(
      `pth: ${path === "" ? "the pickle" : `entry ${path}`} is a ${kind(v)}, expected data or a tensor`,
    );
  };
  return convert(root, "");
}

/**
 * Read a `.pth` holding a `state_dict` (as `policy.pth`) into named tensors (see {@link readTorchObject}). Nested
 * dicts (a `{"name": tensor}` dict, as SB3's pytorch_variables.pth) are flattened with "." between keys.
 */
export async function readTorchStateDict(bytes: Uint8Array, limits: ZipLimits = {}): Promise<Map<string, TorchTensor>> {
  const root = await readTorchObject(bytes, limits);
  if (!(root instanceof Map))
    throw new PickleError(`pth: the pickle holds a ${torchKind(root)}, expected a state_dict`);
  const out = new Map<string, TorchTensor>();
  const flatten = (d: ReadonlyMap<string | number, TorchValue>, prefix: string) => {
    for (const [k, v] of d) {
      const name = `${prefix}${k}`;
      if (isTorchTensor(v)) out.set(name, v);
      else if (v instanceof Map) flatten(v, `${name}.`);
      else throw new PickleError(`pth: entry ${name} is a ${torchKind(v)}, expected a tensor`);
    }
  };
  flatten(root, "");
  return out;
}

export function isTorchTensor(v: TorchValue | undefined): v is TorchTensor {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** The Python type of a read value, for error messages. */
export function torchKind(v: TorchValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof Map) return "dict";
  if (isTorchTensor(v)) return "tensor";
  return typeof v === "bigint" ? "int" : typeof v;
}

function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === "object" && v !== null && "stride" in v && "storage" in v;
}

function bad(what: string, v: PyValue): never {
  throw new PickleError(`pth: ${what} got a ${kind(v)}`);
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
function rebuildTensor(args: PyValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (
    !(storage instanceof PyOpaque) ||
    typeof offset !== "number" ||
    !(size instanceof PyTuple) ||
    !(stride instanceof PyTuple)
  ) {
    throw new PickleError("pth: _rebuild_tensor_v2 with malformed arguments");
  }
  const ints = (t: PyTuple, what: string) =>
    t.items.map((v) => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
        throw new PickleError(`pth: tensor ${what} holds ${kind(v)}`);
      return v;
    });
  const shape = ints(size, "size");
  const strides = ints(stride, "stride");
  if (shape.length !== strides.length) throw new PickleError("pth: tensor size and stride differ in rank");
  return { storage: storage.value as StorageRef, offset, shape, stride: strides };
}

/** Copy a (possibly strided) tensor out of its storage, refusing any element past the storage's end. */
function materialize(name: string, t: TensorRef, raw: Uint8Array): TorchTensor {
  const { storage, offset, shape, stride } = t;
  let numel = 1;
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    numel *= shape[i];
    if (shape[i] > 0) last += (shape[i] - 1) * stride[i];
  }
  if (numel > 0 && last >= storage.numel) {
    throw new PickleError(
      `pth: tensor ${name} of shape [${shape.join(", ")}] needs storage element ${last}, storage ${storage.key} holds ${storage.numel}`,
    );
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read = reader(storage.dtype, dv);
  const data = allocate(storage.dtype, numel);
  // walk the shape in row-major order, following the strides
  const idx = new Array<number>(shape.length).fill(0);
  let src = offset;
  for (let n = 0; n < numel; n++) {
    (data as { [i: number]: number | bigint })[n] = read(src);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      src += stride[d];
      if (idx[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return { dtype: storage.dtype, shape, data };
}

function allocate(dtype: TorchDType, n: number): TorchTensor["data"] {
  switch (dtype) {
    case "float64":
      return new Float64Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "int32":
      return new Int32Array(n);
    case "int16":
      return new Int16Array(n);
    case "int8":
      return new Int8Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    default:
      return new Float32Array(n);
  }
}

function reader(dtype: TorchDType, dv: DataView): (i: number) => number | bigint {
  switch (dtype) {
    case "float32":
      return (i) => dv.getFloat32(4 * i, true);
    case "float64":
      return (i) => dv.getFloat64(8 * i, true);
    case "float16":
      return (i) => halfToFloat(dv.getUint16(2 * i, true));
    case "bfloat16": {
      const f = new DataView(new ArrayBuffer(4));
      return (i) => {
        f.setUint32(0, dv.getUint16(2 * i, true) << 16);
        return f.getFloat32(0);
      };
    }
    case "int64":
      return (i) => dv.getBigInt64(8 * i, true);
    case "int32":
      return (i) => dv.getInt32(4 * i, true);
    case "int16":
      return (i) => dv.getInt16(2 * i, true);
    case "int8":
      return (i) => dv.getInt8(i);
    default:
      return (i) => dv.getUint8(i);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Number.POSITIVE_INFINITY : Number.NaN;
  return s * (1 + m / 1024) * pow(2, e - 15);
}
