import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { PickleError } from "../../src/errors.js";
import { readTorchStateDict } from "../../src/interop/torch-pth.js";
import { ZipArchive } from "../../src/interop/zip-reader.js";
import { writeZip } from "../support/zip-writer.js";

const enc = new TextEncoder();

/** Pickle bytes from opcodes and arguments, written out by hand (the way an attacker would craft them). */
function pickle(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") out.push(...enc.encode(p));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const unicode = (s: string) => [0x58, ...u32(enc.encode(s).length), ...enc.encode(s)];
const GLOBAL = (m: string, n: string) => [0x63, ...enc.encode(`${m}\n${n}\n`)];

/** A state_dict pickle {name: _rebuild_tensor_v2(storage(key, numel), 0, shape, stride, False, OrderedDict())}. */
function stateDictPickle(name: string, numel: number, shape: number[], stride: number[]): Uint8Array {
  const tuple = (xs: number[]) => [0x28, ...xs.flatMap((x) => [0x4a, ...u32(x)]), 0x74];
  return pickle(
    [0x80, 2],
    GLOBAL("collections", "OrderedDict"),
    [0x29, 0x52], // OrderedDict()
    unicode(name),
    GLOBAL("torch._utils", "_rebuild_tensor_v2"),
    [0x28], // args
    [
      0x28,
      ...unicode("storage"),
      ...GLOBAL("torch", "FloatStorage"),
      ...unicode("0"),
      ...unicode("cpu"),
      0x4a,
      ...u32(numel),
      0x74,
      0x51,
    ],
    [0x4b, 0], // offset
    tuple(shape),
    tuple(stride),
    [0x89], // requires_grad False
    GLOBAL("collections", "OrderedDict"),
    [0x29, 0x52],
    [0x74, 0x52], // call _rebuild_tensor_v2
    [0x73, 0x2e], // SETITEM, STOP
  );
}

async function pth(pkl: Uint8Array, storage?: Uint8Array): Promise<Uint8Array> {
  return writeZip([
    { name: "archive/data.pkl", data: pkl },
    ...(storage === undefined ? [] : [{ name: "archive/data/0", data: storage }]),
  ]);
}

test("reads the state_dict of a real SB3 policy.pth", async () => {
  const sb3 = ZipArchive.open(
    new Uint8Array(readFileSync(new URL("../fixtures/sb3/ppo-CartPole-v1.zip", import.meta.url))),
  );
  const sd = await readTorchStateDict(await sb3.read("policy.pth"));
  assert.deepEqual(sd.get("mlp_extractor.policy_net.0.weight")?.shape, [64, 4]);
  assert.deepEqual(sd.get("action_net.bias")?.shape, [2]);
  assert.equal(sd.size, 12);
});

test("a hand-made state_dict: contiguous and transposed (strided) tensors", async () => {
  const storage = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
  const sd = await readTorchStateDict(await pth(stateDictPickle("w", 6, [2, 3], [3, 1]), storage));
  assert.deepEqual(Array.from(sd.get("w")?.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  const t = await readTorchStateDict(await pth(stateDictPickle("wt", 6, [3, 2], [1, 3]), storage));
  assert.deepEqual(Array.from(t.get("wt")?.data as Float32Array), [1, 4, 2, 5, 3, 6]);
});

test("a pickle calling os.system, eval or any global outside the allowlist is refused naming it; nothing runs", async () => {
  for (const [m, n] of [
    ["os", "system"],
    ["posix", "system"],
    ["builtins", "eval"],
    ["subprocess", "Popen"],
    ["torch", "load"],
  ]) {
    const evil = pickle([0x80, 2], GLOBAL(m, n), [0x28, ...unicode("touch /tmp/pwned"), 0x74, 0x52, 0x2e]);
    await assert.rejects(
      async () => readTorchStateDict(await pth(evil)),
      (e) => e instanceof PickleError && e.message.includes(`refusing global ${m}.${n}`),
      `${m}.${n}`,
    );
  }
  // protocol-4 STACK_GLOBAL goes through the same allowlist
  const stacked = pickle([0x80, 4], [0x8c, 2], "os", [0x8c, 6], "system", [0x93, 0x2e]);
  await assert.rejects(async () => readTorchStateDict(await pth(stacked)), /refusing global os.system/);
  // object-building opcodes are refused by name
  const inst = pickle([0x80, 2], [0x28], [0x69], "os\nsystem\n", [0x2e]);
  await assert.rejects(async () => readTorchStateDict(await pth(inst)), /opcode 0x69 INST/);
  const newobj = pickle([0x80, 2], GLOBAL("collections", "OrderedDict"), [0x29, 0x81, 0x2e]);
  await assert.rejects(async () => readTorchStateDict(await pth(newobj)), /opcode 0x81 NEWOBJ/);
  // an allowed global may only be called through its handler: a storage type is not callable
  const callStorage = pickle([0x80, 2], GLOBAL("torch", "FloatStorage"), [0x29, 0x52, 0x2e]);
  await assert.rejects(async () => readTorchStateDict(await pth(callStorage)), /refusing to call torch.FloatStorage/);
});

test("a storage shorter than its tensor needs, or than it declares, is refused", async () => {
  const storage = new Uint8Array(new Float32Array(4).buffer); // 16 bytes, 4 floats
  await assert.rejects(
    async () => readTorchStateDict(await pth(stateDictPickle("w", 4, [4, 4], [4, 1]), storage)),
    (e) =>
      e instanceof PickleError &&
      /tensor w of shape \[4, 4\] needs storage element 15, storage 0 holds 4/.test(e.message),
  );
  await assert.rejects(
    async () => readTorchStateDict(await pth(stateDictPickle("w", 16, [4, 4], [4, 1]), storage)),
    (e) => e instanceof PickleError && /storage 0 has 16 bytes, its reference declares 16 x 4/.test(e.message),
  );
  await assert.rejects(
    async () => readTorchStateDict(await pth(stateDictPickle("w", 4, [2, 2], [2, 1]))),
    /names storage 0, missing from the archive/,
  );
});

test("truncated and malformed pickles are PickleErrors", async () => {
  const good = stateDictPickle("w", 6, [2, 3], [3, 1]);
  await assert.rejects(async () => readTorchStateDict(await pth(good.subarray(0, good.length - 5))), PickleError);
  await assert.rejects(async () => readTorchStateDict(await pth(pickle([0x80, 2], [0x68, 9], [0x2e]))), /memo 9/);
  await assert.rejects(
    async () => readTorchStateDict(await pth(pickle([0x80, 2], [0x4e, 0x2e]))),
    /expected a state_dict/,
  );
  await assert.rejects(
    async () => readTorchStateDict(await writeZip([{ name: "x", data: enc.encode("x") }])),
    /no data.pkl/,
  );
});
