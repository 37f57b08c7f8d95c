/**
 * A hand-written protobuf encoder for the part of ONNX's ModelProto (onnx.proto3) a policy graph needs: a graph of
 * nodes with int/float/ints attributes, float32, float64 and int64 initializers, typed inputs and outputs with a symbolic
 * batch dimension. Field numbers are onnx.proto3's; the wire format is protobuf's (varints, length-delimited
 * fields, little-endian floats).
 */

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
export type OnnxType = (typeof OnnxType)[keyof typeof OnnxType];

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  type: OnnxType;
  /** float32 values (FLOAT), float64 values (DOUBLE) or integers (INT64) */
  values: ArrayLike<number>;
}

export type OnnxAttribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "ints"; value: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: readonly OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  type: OnnxType;
  /** A number, or a string for a symbolic dimension (e.g. "batch"). */
  shape: readonly (number | string)[];
}

export interface OnnxModel {
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** key/value metadata (ModelProto.metadata_props) */
  metadata?: Record<string, string>;
}

/** Protobuf wire-format writer. */
class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** An unsigned varint; negative int64 values are written as their 10-byte two's complement. */
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const w = new Writer();
    write(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// onnx.proto3 field numbers
const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadata: 14,
};
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const ATTR = { name: 1, f: 2, i: 3, ints: 8, type: 20 };
const ATTR_TYPE = { float: 1, int: 2, ints: 7 };
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 };

/** ONNX IR version 7 goes with opsets 13 and 14. */
const IR_VERSION = 7;

/** Encode a model as ONNX ModelProto bytes. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(MODEL.irVersion, IR_VERSION);
  w.string(MODEL.producerName, m.producerName);
  w.string(MODEL.producerVersion, m.producerVersion);
  if (m.docString) w.string(MODEL.docString, m.docString);
  w.message(MODEL.graph, (g) => {
    for (const n of m.nodes) g.message(GRAPH.node, (x) => writeNode(x, n));
    g.string(GRAPH.name, m.graphName);
    for (const t of m.initializers) g.message(GRAPH.initializer, (x) => writeTensor(x, t));
    for (const v of m.inputs) g.message(GRAPH.input, (x) => writeValueInfo(x, v));
    for (const v of m.outputs) g.message(GRAPH.output, (x) => writeValueInfo(x, v));
  });
  w.message(MODEL.opsetImport, (o) => {
    o.string(1, ""); // the default domain (ai.onnx)
    o.int(2, m.opset);
  });
  for (const [k, v] of Object.entries(m.metadata ?? {})) {
    w.message(MODEL.metadata, (p) => {
      p.string(1, k);
      p.string(2, v);
    });
  }
  return w.finish();
}

function writeNode(w: Writer, n: OnnxNode): void {
  for (const i of n.inputs) w.string(NODE.input, i);
  for (const o of n.outputs) w.string(NODE.output, o);
  if (n.name) w.string(NODE.name, n.name);
  w.string(NODE.opType, n.opType);
  for (const a of n.attributes ?? []) {
    w.message(NODE.attribute, (x) => {
      x.string(ATTR.name, a.name);
      if (a.kind === "int") x.int(ATTR.i, a.value);
      else if (a.kind === "float") x.float(ATTR.f, a.value);
      else for (const v of a.value) x.int(ATTR.ints, v);
      x.int(ATTR.type, ATTR_TYPE[a.kind]);
    });
  }
}

function writeTensor(w: Writer, t: OnnxTensor): void {
  for (const d of t.dims) w.int(TENSOR.dims, d);
  w.int(TENSOR.dataType, t.type);
  w.string(TENSOR.name, t.name);
  // raw_data: little-endian values (float32, float64 or int64)
  const raw = new Uint8Array(t.values.length * (t.type === OnnxType.FLOAT ? 4 : 8));
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < t.values.length; i++) {
    if (t.type === OnnxType.FLOAT) dv.setFloat32(4 * i, t.values[i], true);
    else if (t.type === OnnxType.DOUBLE) dv.setFloat64(8 * i, t.values[i], true);
    else dv.setBigInt64(8 * i, BigInt(t.values[i]), true);
  }
  w.bytes(TENSOR.rawData, raw);
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.type);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => {
            if (typeof d === "number") dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}
