/**
 * TensorBoard event files written without TensorFlow: TFRecord framing around hand-encoded `Event` protobufs.
 *
 * TFRecord record:  u64 length (LE) | u32 masked CRC-32C of the 8 length bytes | data | u32 masked CRC-32C of data
 * Event (tensorflow/core/util/event.proto):  1: double wall_time, 2: int64 step, 3: string file_version,
 *   5: Summary summary.   Summary: repeated Value value = 1.   Value: 1: string tag, 2: float simple_value.
 * The first record carries file_version "brain.Event:2", as TensorFlow's writer does.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { maskedCrc32c } from "../algos/common/crc32c.js";
import type { LogSink } from "../algos/common/logger.js";
import { CheckpointError } from "../errors.js";

// ---------------------------------------------------------------------------------------------------------------
// A minimal protobuf writer: varints, 64-bit doubles, 32-bit floats, length-delimited fields.

class ProtoWriter {
  private bytes: number[] = [];

  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  double(field: number, v: number): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes.push(...b);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
    return this;
  }

  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(BigInt(Math.trunc(v)));
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(data.length));
    this.bytes.push(...data);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Encode one `Event` with scalar summaries (or with `fileVersion` for the file's first record). */
export function encodeEvent(e: {
  wallTime: number;
  step: number;
  scalars?: Record<string, number>;
  fileVersion?: string;
}): Uint8Array {
  const w = new ProtoWriter().double(1, e.wallTime).int64(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.scalars) {
    const summary = new ProtoWriter();
    for (const [tag, v] of Object.entries(e.scalars)) {
      summary.bytesField(1, new ProtoWriter().string(1, tag).float(2, v).finish());
    }
    w.bytesField(5, summary.finish());
  }
  return w.finish();
}

/** Frame `data` as one TFRecord. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** A Logger sink writing `events.out.tfevents.<seconds>.<host>` into `logDir` (open it with `tensorboard --logdir`). */
export class TensorBoardSink implements LogSink {
  readonly path: string;

  constructor(
    logDir: string,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    mkdirSync(logDir, { recursive: true });
    const t = this.now();
    this.path = join(logDir, `events.out.tfevents.${Math.floor(t)}.${hostname()}`);
    writeFileSync(this.path, tfRecord(encodeEvent({ wallTime: t, step: 0, fileVersion: "brain.Event:2" })));
  }

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    const scalars: Record<string, number> = {};
    for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) scalars[k] = v;
    appendFileSync(this.path, tfRecord(encodeEvent({ wallTime: this.now(), step, scalars })));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading back (tests, `tsrl plot` on TensorBoard logs): checks every CRC.

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}

/** Split TFRecord bytes into records, verifying both masked CRCs of each; throws CheckpointError when corrupt. */
export function readTfRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) throw new CheckpointError(`TFRecord: truncated header at byte ${p}`);
    const len = Number(view.getBigUint64(p, true));
    if (view.getUint32(p + 8, true) !== maskedCrc32c(bytes.subarray(p, p + 8))) {
      throw new CheckpointError(`TFRecord: length CRC mismatch at byte ${p}`);
    }
    if (p + 12 + len + 4 > bytes.length) throw new CheckpointError(`TFRecord: record at byte ${p} overruns the file`);
    const data = bytes.subarray(p + 12, p + 12 + len);
    if (view.getUint32(p + 12 + len, true) !== maskedCrc32c(data)) {
      throw new CheckpointError(`TFRecord: data CRC mismatch at byte ${p}`);
    }
    out.push(data);
    p += 12 + len + 4;
  }
  return out;
}

class ProtoReader {
  p = 0;
  constructor(readonly b: Uint8Array) {}
  get done(): boolean {
    return this.p >= this.b.length;
  }
  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (this.p >= this.b.length) throw new CheckpointError("protobuf: truncated varint");
      const byte = this.b[this.p++];
      v |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7n;
    }
  }
  fixed(n: 4 | 8): DataView {
    if (this.p + n > this.b.length) throw new CheckpointError("protobuf: truncated fixed field");
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.p, n);
    this.p += n;
    return v;
  }
  lengthDelimited(): Uint8Array {
    const n = Number(this.varint());
    if (this.p + n > this.b.length) throw new CheckpointError("protobuf: truncated bytes field");
    const out = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 5) this.fixed(4);
    else if (wire === 2) this.lengthDelimited();
    else throw new CheckpointError(`protobuf: unsupported wire type ${wire}`);
  }
}

/** Decode an `Event` (wall_time, step, file_version, scalar summary values). */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const r = new ProtoReader(bytes);
  const e: DecodedEvent = { wallTime: 0, step: 0, scalars: {} };
  while (!r.done) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 1) e.wallTime = r.fixed(8).getFloat64(0, true);
    else if (field === 2 && wire === 0) e.step = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 3 && wire === 2) e.fileVersion = new TextDecoder().decode(r.lengthDelimited());
    else if (field === 5 && wire === 2) {
      const s = new ProtoReader(r.lengthDelimited());
      while (!s.done) {
        const k = Number(s.varint());
        if (k >>> 3 !== 1 || (k & 7) !== 2) {
          s.skip(k & 7);
          continue;
        }
        const v = new ProtoReader(s.lengthDelimited());
        let tag = "";
        let value = Number.NaN;
        while (!v.done) {
          const vk = Number(v.varint());
          if (vk >>> 3 === 1 && (vk & 7) === 2) tag = new TextDecoder().decode(v.lengthDelimited());
          else if (vk >>> 3 === 2 && (vk & 7) === 5) value = v.fixed(4).getFloat32(0, true);
          else v.skip(vk & 7);
        }
        e.scalars[tag] = value;
      }
    } else r.skip(wire);
  }
  return e;
}

/** Read a whole event file: every record's CRCs checked, every event decoded. */
export function readEventFile(path: string): DecodedEvent[] {
  const buf = readFileSync(path);
  return readTfRecords(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)).map(decodeEvent);
}
