import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  type SafetensorsTensor,
} from "../../src/core/safetensors.js";
import { CheckpointError, InvalidArgumentError, ShapeError } from "../../src/errors.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
/** A file from a header string and a data section, with a correct length prefix unless one is given. */
function file(header: string, data: Uint8Array = new Uint8Array(0), len?: number): Uint8Array {
  const h = ascii(header);
  return concat(u64(len ?? h.length), h, data);
}
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes),
    (e: unknown) => e instanceof CheckpointError && pattern.test(e.message),
  );
}

test("encodes byte-for-byte like the reference writer (safetensors test_simple.py vector)", () => {
  const bytes = encodeSafetensors({ test: { dtype: "I32", shape: [2, 2], data: new Int32Array([1, 2, 3, 4]) } });
  const expected = concat(
    u64(64),
    ascii('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    '),
    new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]),
  );
  assert.deepEqual(bytes, expected);
});

test("decodes reference files: unpadded header, and metadata with space padding", () => {
  const plain = decodeSafetensors(
    file('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16)),
  );
  assert.deepEqual(Object.keys(plain.tensors), ["test"]);
  assert.deepEqual(plain.tensors.test.shape, [2, 2]);
  assert.deepEqual(plain.tensors.test.data, new Int32Array(4));
  assert.deepEqual({ ...plain.metadata }, {});

  const withMeta = decodeSafetensors(
    file(
      '{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}       ',
      new Uint8Array(16),
    ),
  );
  assert.deepEqual({ ...withMeta.metadata }, { framework: "pt" });
  assert.equal(withMeta.tensors.test1.dtype, "I32");
});

test("round-trips every dtype, scalars, empty tensors, metadata and awkward names", () => {
  const tensors: Record<string, SafetensorsTensor> = {
    f32: { dtype: "F32", shape: [2, 3], data: new Float32Array([1.5, -2, Number.NaN, Infinity, -0, 3e-40]) },
    f64: { dtype: "F64", shape: [3], data: new Float64Array([Math.PI, -1e300, 5e-324]) },
    i32: { dtype: "I32", shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
    u32: { dtype: "U32", shape: [1], data: new Uint32Array([2 ** 32 - 1]) },
    i64: { dtype: "I64", shape: [2], data: new BigInt64Array([-(2n ** 63n), 12345678901234n]) },
    u64: { dtype: "U64", shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    i16: { dtype: "I16", shape: [1, 1], data: new Int16Array([-7]) },
    u16: { dtype: "U16", shape: [2], data: new Uint16Array([1, 65535]) },
    f16: { dtype: "F16", shape: [1], data: new Uint16Array([0x3c00]) },
    bf16: { dtype: "BF16", shape: [1], data: new Uint16Array([0x3f80]) },
    i8: { dtype: "I8", shape: [3], data: new Int8Array([-128, 0, 127]) },
    u8: { dtype: "U8", shape: [2, 1, 2], data: new Uint8Array([0, 1, 254, 255]) },
    bool: { dtype: "BOOL", shape: [2], data: new Uint8Array([0, 1]) },
    scalar: { dtype: "F32", shape: [], data: new Float32Array([42]) },
    empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
    empty2: { dtype: "I64", shape: [3, 0], data: new BigInt64Array(0) },
    'name with "quotes" and \u00e9 \u{1f600}': { dtype: "U8", shape: [1], data: new Uint8Array([7]) },
  };
  // "__proto__" in an object literal would set the prototype: define it as an own key instead.
  Object.defineProperty(tensors, "__proto__", {
    value: { dtype: "U8", shape: [1], data: new Uint8Array([9]) },
    enumerable: true,
  });
  const meta = { format: "tsrl", "": "empty key", "\n": "line\nbreak" };
  const bytes = encodeSafetensors(tensors, meta);
  const out = decodeSafetensors(bytes);
  assert.deepEqual(Object.keys(out.tensors).sort(), Object.keys(tensors).sort());
  for (const name of Object.keys(tensors)) {
    const a = tensors[name];
    const b = out.tensors[name];
    assert.equal(b.dtype, a.dtype, name);
    assert.deepEqual(b.shape, a.shape, name);
    assert.equal(b.data.constructor, a.data.constructor, name);
    assert.deepEqual(Array.from(b.data as ArrayLike<unknown>), Array.from(a.data as ArrayLike<unknown>), name);
  }
  assert.equal(Object.getPrototypeOf(out.tensors), Object.prototype, "__proto__ stayed a plain key");
  assert.deepEqual({ ...out.metadata }, meta);
  // data sections are aligned to their element size, and decoded arrays never alias the input
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLen % 8, 0);
  bytes.fill(0);
  assert.equal((out.tensors.f64.data as Float64Array)[0], Math.PI);
});

test("encodes a subarray view's own bytes only", () => {
  const big = new Float32Array([9, 1, 2, 9]);
  const out = decodeSafetensors(encodeSafetensors({ x: { dtype: "F32", shape: [2], data: big.subarray(1, 3) } }));
  assert.deepEqual(out.tensors.x.data, new Float32Array([1, 2]));
});

test("encoding rejects bad tensors with typed errors", () => {
  const enc = (t: unknown, meta?: unknown) =>
    encodeSafetensors(t as Record<string, SafetensorsTensor>, meta as Record<string, string>);
  assert.throws(() => enc({ x: { dtype: "F32", shape: [3], data: new Float32Array(2) } }), ShapeError);
  assert.throws(() => enc({ x: { dtype: "F32", shape: [-1], data: new Float32Array(0) } }), ShapeError);
  assert.throws(() => enc({ x: { dtype: "F32", shape: [1.5], data: new Float32Array(1) } }), ShapeError);
  assert.throws(() => enc({ x: { dtype: "F32", shape: [2], data: new Float64Array(2) } }), /Float32Array/);
  assert.throws(() => enc({ x: { dtype: "F8_E4M3", shape: [1], data: new Uint8Array(1) } }), InvalidArgumentError);
  assert.throws(() => enc({ __metadata__: { dtype: "U8", shape: [1], data: new Uint8Array(1) } }), /reserved/);
  assert.throws(() => enc({}, { a: 1 }), /metadata\["a"\] must be a string/);
  assert.throws(() => enc(null), InvalidArgumentError);
});

test("decoding rejects every malformed file with a CheckpointError naming the problem", () => {
  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const d8 = new Uint8Array(8);
  assert.doesNotThrow(() => decodeSafetensors(file(ok, d8)));

  rejects(new Uint8Array(5), /shorter than the 8-byte/);
  rejects(file(ok, d8, 2 ** 40), /exceeds the limit/);
  rejects(file(ok, d8, MAX_HEADER_BYTES + 1), /exceeds the limit/);
  rejects(file(ok, d8, 1000), /runs past the end/);
  rejects(concat(u64(4), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/);
  rejects(file('["a"]'), /starting with '\{'/);
  rejects(file(" {}"), /starting with '\{'/);
  rejects(file("{}", new Uint8Array(0), 0), /starting with '\{'/);
  rejects(file('{"a":}'), /not valid JSON/);
  rejects(file('{"a":{"dtype":"F32"'), /not valid JSON: unterminated|unexpected end|expected/);
  rejects(file("{} x"), /after the header object/);
  rejects(file('{"a":1,"a":2}'), /duplicate key "a"/);
  rejects(file(`{"a":${"[".repeat(40)}${"]".repeat(40)}}`), /nesting deeper/);
  rejects(file('{"a":"\\x"}'), /bad escape/);
  rejects(file('{"a":"\\u12"}'), /bad \\u escape/);
  rejects(file('{"a":"x\ny"}'), /control character/);
  rejects(file('{"a":01}'), /not valid JSON/);
  rejects(file('{"a":NaN}'), /not valid JSON/);
  rejects(file('{"__metadata__":{"k":1}}'), /must be a string/);
  rejects(file('{"__metadata__":[]}'), /"__metadata__" must be an object/);
  rejects(file('{"a":[1]}'), /must be an object \{ dtype, shape, data_offsets \}/);
  rejects(file(ok.replace("F32", "F33"), d8), /dtype must be one of .* got "F33"/);
  rejects(file(ok.replace('"dtype":"F32",', ""), d8), /dtype must be one of .*field missing/);
  rejects(file(ok.replace("}}", ',"extra":1}}'), d8), /unknown field "extra"/);
  rejects(file(ok.replace("[2]", "2"), d8), /shape must be an array/);
  rejects(file(ok.replace("[2]", "[-2]"), d8), /non-negative integers/);
  rejects(file(ok.replace("[2]", "[2.5]"), d8), /non-negative integers/);
  rejects(file(ok.replace("[2]", "[1e300]"), d8), /non-negative integers/);
  rejects(file(ok.replace("[2]", "[4294967296,4294967296]"), d8), /too large/);
  rejects(file(ok.replace("[2]", "[3]"), d8), /needs 12 bytes but data_offsets span 8/);
  rejects(file(ok.replace("[0,8]", "[0]"), d8), /data_offsets must be \[begin, end\]/);
  rejects(file(ok.replace("[0,8]", "[8,0]"), d8), /begin after end/);
  rejects(file(ok.replace("[0,8]", "[4,12]"), d8), /run past the 8 data bytes/);
  rejects(file(ok.replace("[0,8]", "[0,-8]"), d8), /data_offsets must be/);
  rejects(file(ok, new Uint8Array(12)), /cover 8 data bytes but the file holds 12/);
  rejects(file(ok.replace("[2]", "[1]").replace("[0,8]", "[4,8]"), d8), /hole before "a"/);
  rejects(
    file(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}',
      d8,
    ),
    /"b" at \[4, 8\) overlaps/,
  );
});

test("decoding a non-Uint8Array is an argument error", () => {
  assert.throws(() => decodeSafetensors([1, 2, 3] as unknown as Uint8Array), InvalidArgumentError);
});

/** xorshift32 for the fuzz loop: deterministic, and the test needs nothing from src/. */
function fuzzRng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

test("fuzz: truncations, bit flips and header edits give a CheckpointError or a valid decode, never anything else", () => {
  const base = encodeSafetensors(
    {
      w: { dtype: "F32", shape: [3, 4], data: new Float32Array(12).map((_, i) => i / 7) },
      b: { dtype: "F64", shape: [4], data: new Float64Array([1, 2, 3, 4]) },
      step: { dtype: "I64", shape: [], data: new BigInt64Array([5n]) },
      mask: { dtype: "U8", shape: [0], data: new Uint8Array(0) },
    },
    { format: "tsrl", version: "1" },
  );
  const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
  const headerText = new TextDecoder().decode(base.subarray(8, 8 + headerLen));
  const rand = fuzzRng(12345);
  const tokens = [
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "0",
    "-1",
    "1e99",
    "9007199254740993",
    "null",
    '"F32"',
    "\\",
    "\u00e9",
  ];
  let valid = 0;
  let rejected = 0;
  for (let iter = 0; iter < 4000; iter++) {
    let bytes: Uint8Array;
    const kind = iter % 4;
    if (kind === 0) {
      bytes = base.slice(0, rand(base.length)); // truncation
    } else if (kind === 1) {
      bytes = base.slice();
      for (let k = 1 + rand(3); k > 0; k--) bytes[rand(bytes.length)] ^= 1 << rand(8); // bit flips
    } else if (kind === 2) {
      // header edit: replace a span with a JSON-ish token, length prefix kept consistent
      const at = rand(headerText.length);
      const text = headerText.slice(0, at) + tokens[rand(tokens.length)] + headerText.slice(at + rand(4));
      bytes = concat(u64(new TextEncoder().encode(text).length), ascii(text), base.subarray(8 + headerLen));
    } else {
      // flip bits only inside the length prefix or header: the interesting part
      bytes = base.slice();
      bytes[rand(8 + headerLen)] ^= 1 << rand(8);
    }
    try {
      const out = decodeSafetensors(bytes);
      valid++;
      // a valid decode must be self-consistent and re-encode losslessly
      for (const t of Object.values(out.tensors)) {
        assert.equal(
          t.data.length,
          t.shape.reduce((a, d) => a * d, 1),
        );
      }
      const again = decodeSafetensors(encodeSafetensors(out.tensors, out.metadata));
      assert.deepEqual(Object.keys(again.tensors).sort(), Object.keys(out.tensors).sort());
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      assert.ok(e.message.startsWith("safetensors: "), e.message);
      rejected++;
    }
  }
  assert.ok(rejected > 2000, `most corruptions are caught (${rejected} rejected, ${valid} decoded)`);
  assert.ok(valid > 0, "bit flips inside tensor data still decode");
});
