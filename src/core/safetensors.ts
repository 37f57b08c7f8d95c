/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written without any dependency:
 *
 *   [8 bytes: N, little-endian u64] [N bytes: UTF-8 JSON header] [raw little-endian tensor bytes]
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the start
 * of the data section) and may hold a `"__metadata__"` map of strings. Decoding trusts nothing: every length,
 * offset, dtype and shape is checked, the data section must be covered exactly (no holes, overlaps or trailing
 * bytes), duplicate keys are refused, and each failure is a {@link CheckpointError} saying what is wrong.
 * Nothing is evaluated: the header is parsed by a small strict JSON reader and the data is only copied.
 */
import { CheckpointError, describe, InvalidArgumentError, ShapeError } from "../errors.js";

/** Typed array holding each dtype's elements. F16 and BF16 keep their raw 16-bit patterns. */
export interface SafetensorsDtypeArrays {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  U16: Uint16Array;
  I16: Int16Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  U32: Uint32Array;
  I32: Int32Array;
  F32: Float32Array;
  F64: Float64Array;
  U64: BigUint64Array;
  I64: BigInt64Array;
}

export type SafetensorsDtype = keyof SafetensorsDtypeArrays;

/** One named tensor: a dtype, a row-major shape and its elements in the matching typed array. */
export type SafetensorsTensor = {
  [D in SafetensorsDtype]: { dtype: D; shape: readonly number[]; data: SafetensorsDtypeArrays[D] };
}[SafetensorsDtype];

export interface SafetensorsContents {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

interface DtypeInfo {
  bytes: number;
  ctor: new (buffer: ArrayBuffer) => SafetensorsDtypeArrays[SafetensorsDtype];
}

const DTYPES: Record<SafetensorsDtype, DtypeInfo> = {
  BOOL: { bytes: 1, ctor: Uint8Array },
  U8: { bytes: 1, ctor: Uint8Array },
  I8: { bytes: 1, ctor: Int8Array },
  U16: { bytes: 2, ctor: Uint16Array },
  I16: { bytes: 2, ctor: Int16Array },
  F16: { bytes: 2, ctor: Uint16Array },
  BF16: { bytes: 2, ctor: Uint16Array },
  U32: { bytes: 4, ctor: Uint32Array },
  I32: { bytes: 4, ctor: Int32Array },
  F32: { bytes: 4, ctor: Float32Array },
  F64: { bytes: 8, ctor: Float64Array },
  U64: { bytes: 8, ctor: BigUint64Array },
  I64: { bytes: 8, ctor: BigInt64Array },
};

/**
 * Caps checked before anything is allocated for them, so a hostile header costs bounded memory and time: a header
 * of structure (millions of zero-size tensors or metadata keys, a shape with millions of entries) is refused as
 * soon as it passes a cap. The reference implementation allows 100 MB of header; tsrl's own checkpoints use a few
 * kilobytes and large models a few megabytes, so 16 MiB leaves room and keeps the worst case near 100 MB of memory.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Most tensors one file may name (a large language model's shard names a few hundred to a few thousand). */
export const MAX_TENSORS = 10_000;
/** Most `__metadata__` entries (tsrl writes two). */
export const MAX_METADATA_KEYS = 1024;
/** Highest tensor rank (NumPy's limit is 64; PyTorch's 25). */
export const MAX_RANK = 32;
const METADATA_KEY = "__metadata__";
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(s: string): s is SafetensorsDtype {
  return Object.hasOwn(DTYPES, s);
}

/** An object with an own property for every key, "__proto__" included, and the usual prototype. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * Serialize named tensors (and optional string metadata) to safetensors bytes. Tensors are laid out by decreasing
 * element size, then by name, after a header padded with spaces to a multiple of 8 bytes, so every tensor's data
 * is aligned to its element size (as the reference writer does).
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  if (tensors === null || typeof tensors !== "object") {
    throw new InvalidArgumentError(
      `encodeSafetensors: tensors must be an object of named tensors, got ${describe(tensors)}`,
    );
  }
  const names = Object.keys(tensors);
  for (const name of names) checkTensorForEncoding(name, tensors[name]);
  names.sort((a, b) => {
    const d = DTYPES[tensors[b].dtype].bytes - DTYPES[tensors[a].dtype].bytes;
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new InvalidArgumentError(
        `encodeSafetensors: metadata must be an object of strings, got ${describe(metadata)}`,
      );
    }
    const meta: Record<string, string> = {};
    for (const key of Object.keys(metadata)) {
      const v = metadata[key];
      if (typeof v !== "string") {
        throw new InvalidArgumentError(
          `encodeSafetensors: metadata[${JSON.stringify(key)}] must be a string, got ${describe(v)}`,
        );
      }
      setOwn(meta, key, v);
    }
    setOwn(header, METADATA_KEY, meta);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    setOwn(header, name, { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] });
    offset = end;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const name of names) {
    const data = tensors[name].data;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(bytes, pos);
    if (!HOST_LITTLE_ENDIAN) swapBytes(out, pos, data.byteLength, DTYPES[tensors[name].dtype].bytes);
    pos += data.byteLength;
  }
  return out;
}

function checkTensorForEncoding(name: string, t: SafetensorsTensor): void {
  const where = `encodeSafetensors: tensor ${JSON.stringify(name)}`;
  if (name === METADATA_KEY) {
    throw new InvalidArgumentError(`encodeSafetensors: the tensor name "${METADATA_KEY}" is reserved for metadata`);
  }
  if (t === null || typeof t !== "object") {
    throw new InvalidArgumentError(`${where} must be { dtype, shape, data }, got ${describe(t)}`);
  }
  if (typeof t.dtype !== "string" || !isDtype(t.dtype)) {
    throw new InvalidArgumentError(
      `${where}: dtype must be one of ${Object.keys(DTYPES).join(", ")}, got ${describe(t.dtype)}`,
    );
  }
  const info = DTYPES[t.dtype];
  if (!(t.data instanceof info.ctor)) {
    throw new InvalidArgumentError(
      `${where}: dtype ${t.dtype} needs data in a ${info.ctor.name}, got ${describe(t.data)}`,
    );
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(`${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`);
  }
  const numel = t.shape.reduce((a, d) => a * d, 1);
  if (numel !== t.data.length) {
    throw new ShapeError(
      `${where}: shape [${t.shape.join(", ")}] holds ${numel} elements but data has ${t.data.length}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Parse and validate safetensors bytes. Every problem with the bytes is a {@link CheckpointError}. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError(`decodeSafetensors: bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length < 8) {
    throw new CheckpointError(`safetensors: file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo; // exact up to 2^53; anything that large is rejected below anyway
  if (headerLen > MAX_HEADER_BYTES) {
    throw new CheckpointError(
      `safetensors: header length ${headerLen} exceeds the limit of ${MAX_HEADER_BYTES} bytes (not a safetensors file?)`,
    );
  }
  if (headerLen > bytes.length - 8) {
    throw new CheckpointError(
      `safetensors: header length ${headerLen} runs past the end of the file (${bytes.length - 8} bytes after the length)`,
    );
  }
  if (headerLen < 2 || bytes[8] !== 0x7b /* { */) {
    throw new CheckpointError("safetensors: header must be a JSON object starting with '{' (not a safetensors file?)");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new CheckpointError("safetensors: header is not valid UTF-8");
  }
  const header = parseStrictJson(text);
  if (!(header instanceof Map)) throw new CheckpointError("safetensors: header must be a JSON object");

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of header) {
    if (name === METADATA_KEY) {
      readMetadata(value, metadata);
      continue;
    }
    entries.push({ name, ...readTensorInfo(name, value, dataLen) });
  }

  // The tensors must tile the data section exactly: sorted by offset, each starts where the previous ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin !== covered) {
      throw new CheckpointError(
        e.begin > covered
          ? `safetensors: data bytes [${covered}, ${e.begin}) belong to no tensor (hole before ${JSON.stringify(e.name)})`
          : `safetensors: tensor ${JSON.stringify(e.name)} at [${e.begin}, ${e.end}) overlaps the previous tensor ending at ${covered}`,
      );
    }
    covered = e.end;
  }
  if (covered !== dataLen) {
    throw new CheckpointError(
      `safetensors: the tensors cover ${covered} data bytes but the file holds ${dataLen} (trailing bytes)`,
    );
  }

  const tensors: Record<string, SafetensorsTensor> = {};
  for (const e of sorted) {
    const info = DTYPES[e.dtype];
    // own aligned buffer, never a view of the input: new Uint8Array(view) copies, where a Node Buffer's slice() would
    // return a view into its (pooled, unaligned) memory
    const copy = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (!HOST_LITTLE_ENDIAN) swapBytes(copy, 0, copy.length, info.bytes);
    setOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data: new info.ctor(copy.buffer) } as SafetensorsTensor);
  }
  return { tensors, metadata };
}

function readMetadata(value: JsonValue, out: Record<string, string>): void {
  if (!(value instanceof Map)) {
    throw new CheckpointError(`safetensors: "${METADATA_KEY}" must be an object of strings, got ${jsonKind(value)}`);
  }
  for (const [k, v] of value) {
    if (typeof v !== "string") {
      throw new CheckpointError(
        `safetensors: "${METADATA_KEY}"[${JSON.stringify(k)}] must be a string, got ${jsonKind(v)}`,
      );
    }
    setOwn(out, k, v);
  }
}

function readTensorInfo(
  name: string,
  value: JsonValue,
  dataLen: number,
): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const where = `safetensors: tensor ${JSON.stringify(name)}`;
  if (!(value instanceof Map)) {
    throw new CheckpointError(`${where} must be an object { dtype, shape, data_offsets }, got ${jsonKind(value)}`);
  }
  for (const key of value.keys()) {
    if (key !== "dtype" && key !== "shape" && key !== "data_offsets") {
      throw new CheckpointError(`${where} has an unknown field ${JSON.stringify(key)}`);
    }
  }
  const dtype = value.get("dtype");
  if (typeof dtype !== "string" || !isDtype(dtype)) {
    throw new CheckpointError(
      `${where}: dtype must be one of ${Object.keys(DTYPES).join(", ")}, got ${
        typeof dtype === "string" ? JSON.stringify(dtype) : jsonKind(dtype)
      }`,
    );
  }
  const shapeJson = value.get("shape");
  if (!Array.isArray(shapeJson))
    throw new CheckpointError(`${where}: shape must be an array, got ${jsonKind(shapeJson)}`);
  const shape: number[] = [];
  let numel = 1;
  for (const d of shapeJson) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new CheckpointError(`${where}: shape entries must be non-negative integers, got ${describe(d)}`);
    }
    numel *= d;
    if (!Number.isSafeInteger(numel)) throw new CheckpointError(`${where}: shape ${describe(shapeJson)} is too large`);
    shape.push(d);
  }
  const offsets = value.get("data_offsets");
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === "number" && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new CheckpointError(`${where}: data_offsets must be [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw new CheckpointError(`${where}: data_offsets [${begin}, ${end}] has begin after end`);
  if (end > dataLen) {
    throw new CheckpointError(
      `${where}: data_offsets [${begin}, ${end}] run past the ${dataLen} data bytes in the file`,
    );
  }
  const expected = numel * DTYPES[dtype].bytes;
  if (end - begin !== expected) {
    throw new CheckpointError(
      `${where}: shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { dtype, shape, begin, end };
}

function swapBytes(buf: Uint8Array, start: number, length: number, width: number): void {
  for (let i = start; i < start + length; i += width) buf.subarray(i, i + width).reverse();
}

// ---------------------------------------------------------------------------------------------------------------
// A strict JSON reader: RFC 8259 grammar, objects as Maps (so "__proto__" is just a key), duplicate keys and
// nesting deeper than a safetensors header needs are refused. It never recurses more than MAX_DEPTH levels, and
// refuses an object or array past its cap (tensors at the top level, metadata keys below, MAX_RANK array entries)
// before storing the entry that exceeds it.

type JsonValue = string | number | boolean | null | JsonValue[] | Map<string, JsonValue>;

const MAX_DEPTH = 16;

function jsonKind(v: JsonValue | undefined): string {
  if (v === undefined) return "nothing (field missing)";
  if (v === null) return "null";
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) return "an array";
  return `${typeof v} ${describe(v)}`;
}

function parseStrictJson(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new CheckpointError(`safetensors: header is not valid JSON: ${what} at character ${i}`);
  };
  const tooMany = (cap: string): never => {
    throw new CheckpointError(`safetensors: header has an object or array with more than ${cap} at character ${i}`);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };
  const parseString = (): string => {
    i++; // opening quote
    let out = "";
    let runStart = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      const e = text[i + 1];
      i += 2;
      if (e === "u") {
        const hex = text.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
      } else {
        const m = ESCAPES[e];
        if (m === undefined) fail(`bad escape \\${e ?? ""}`);
        out += m;
      }
      runStart = i;
    }
  };
  const parseNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null || m[0].length === 0) return fail("unexpected character");
    i += m[0].length;
    return Number(m[0]);
  };
  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWs();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = new Map<string, JsonValue>();
      skipWs();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      const maxKeys = depth === 0 ? MAX_TENSORS + 1 : MAX_METADATA_KEYS;
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail("expected a string key");
        if (obj.size === maxKeys) tooMany(depth === 0 ? `${MAX_TENSORS} tensors` : `${MAX_METADATA_KEYS} keys`);
        const key = parseString();
        if (obj.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
        skipWs();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj.set(key, parseValue(depth + 1));
        skipWs();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        if (arr.length === MAX_RANK) tooMany(`${MAX_RANK} entries (the highest tensor rank)`);
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === undefined) return fail("unexpected end");
    return parseNumber();
  };
  const value = parseValue(0);
  skipWs(); // the reference writer pads the header with spaces
  if (i !== text.length) fail("unexpected data after the header object");
  return value;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const LITERALS: [string, JsonValue][] = [
  ["true", true],
  ["false", false],
  ["null", null],
];
