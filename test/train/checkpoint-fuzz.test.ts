// Loading a real algorithm's checkpoint (PPO with normalizers) checks everything: random corruptions, truncation
// at every length class, and a header whose offsets overrun the data each give a CheckpointError, never a crash or
// a silently different model.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Algorithm, PPO } from "../../src/algos/index.js";
import { Rng } from "../../src/core/rng.js";
import { CheckpointError } from "../../src/errors.js";
import { DriftEnv } from "../algos/algorithm-fixtures.js";

function header(bytes: Uint8Array): { json: Record<string, unknown>; dataStart: number } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), dataStart: 8 + n };
}

function withHeader(bytes: Uint8Array, json: Record<string, unknown>): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + h.length + (bytes.length - header(bytes).dataStart));
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes.subarray(header(bytes).dataStart), 8 + h.length);
  return out;
}

test("PPO checkpoint: every corruption is a CheckpointError or loads the identical model", async () => {
  const model = await new PPO(new DriftEnv(), {
    seed: 2,
    nSteps: 64,
    batchSize: 32,
    nEpochs: 1,
    normalizeObs: true,
    policyKwargs: { netArch: [8] },
  }).learn(128);
  const good = model.toBytes();
  const ref = Buffer.from(Algorithm.fromBytes(good, { env: new DriftEnv() }).toBytes()).toString("base64");
  assert.equal(ref, Buffer.from(good).toString("base64"));
  const rng = new Rng(99);
  let caught = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    const bytes = new Uint8Array(good);
    const k = rng.int(3);
    let b: Uint8Array = bytes;
    if (k === 0) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
    else if (k === 1) b = bytes.subarray(0, rng.int(bytes.length));
    else for (let i = 0; i < 4; i++) bytes[rng.int(bytes.length)] = rng.int(256);
    try {
      const m = Algorithm.fromBytes(b, { env: new DriftEnv() });
      assert.equal(Buffer.from(m.toBytes()).toString("base64"), ref, `trial ${t}: a different model loaded`);
    } catch (e) {
      assert.ok(e instanceof CheckpointError, `trial ${t}: ${(e as Error).name}: ${(e as Error).message}`);
      caught++;
    }
  }
  assert.ok(caught > trials * 0.9, `${caught} of ${trials} corruptions caught`);
});

test("a header whose offsets overrun the data, or whose shapes disagree with the model, is refused", async () => {
  const model = new PPO(new DriftEnv(), { nSteps: 16, batchSize: 16, policyKwargs: { netArch: [8] } });
  const good = model.toBytes();
  const { json } = header(good);
  const name = Object.keys(json).find((k) => k !== "__metadata__") as string;
  const entry = json[name] as { data_offsets: [number, number]; shape: number[] };
  const overrun = structuredClone(json) as Record<string, { data_offsets: [number, number] }>;
  overrun[name].data_offsets = [entry.data_offsets[0], entry.data_offsets[1] + 1_000_000];
  assert.throws(() => Algorithm.fromBytes(withHeader(good, overrun), { env: new DriftEnv() }), CheckpointError);
  // a consistent file (CRC recomputed by re-encoding) whose tensor shape does not fit the model
  const ckpt = model.getCheckpoint();
  const matrix = Object.keys(ckpt.tensors).find((k) => !k.startsWith("env/") && ckpt.tensors[k].data.length > 1);
  assert.ok(matrix, "PPO has a tensor of several elements");
  const t = ckpt.tensors[matrix];
  const n = t.data.length - 1;
  ckpt.tensors[matrix] = { ...t, shape: [n], data: t.data.slice(0, n) } as typeof t;
  const { checkpointToBytes } = await import("../../src/algos/common/checkpoint.js");
  assert.throws(
    () => Algorithm.fromBytes(checkpointToBytes(ckpt), { env: new DriftEnv() }),
    (e: Error) => e instanceof CheckpointError && e.message.includes(matrix),
  );
});
