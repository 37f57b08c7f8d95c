import { writeZip } from "./zip-writer.js";

// Writes what `torch.save(state_dict)` writes (PyTorch's zip serialization, pickle protocol 2), for building
// SB3-layout model files in tests from tensors tsrl holds.

const enc = new TextEncoder();
const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const unicode = (s: string) => [0x58, ...u32(enc.encode(s).length), ...enc.encode(s)];
const global = (m: string, n: string) => [0x63, ...enc.encode(`${m}\n${n}\n`)];
const tuple = (xs: readonly number[]) => [0x28, ...xs.flatMap((x) => [0x4a, ...u32(x)]), 0x74];

/** A float32 tensor: its name, row-major values and shape. */
export type NamedTensor = readonly [name: string, values: ArrayLike<number>, shape: readonly number[]];

/**
 * `torch.save(OrderedDict(name -> tensor))` bytes: `archive/data.pkl` with one `_rebuild_tensor_v2` per tensor
 * over its own FloatStorage `archive/data/<i>`, contiguous strides, `archive/byteorder` "little".
 */
export async function torchStateDictPth(tensors: readonly NamedTensor[]): Promise<Uint8Array> {
  const pkl: number[] = [0x80, 2, ...global("collections", "OrderedDict"), 0x29, 0x52];
  const storages: { name: string; data: Uint8Array }[] = [];
  tensors.forEach(([name, values, shape], i) => {
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    pkl.push(...unicode(name), ...global("torch._utils", "_rebuild_tensor_v2"), 0x28);
    pkl.push(0x28, ...unicode("storage"), ...global("torch", "FloatStorage"), ...unicode(String(i)));
    pkl.push(...unicode("cpu"), 0x4a, ...u32(values.length), 0x74, 0x51); // persistent id
    pkl.push(0x4b, 0, ...tuple(shape), ...tuple(stride), 0x89, ...global("collections", "OrderedDict"), 0x29, 0x52);
    pkl.push(0x74, 0x52, 0x73); // _rebuild_tensor_v2(...), SETITEM
    storages.push({ name: `archive/data/${i}`, data: new Uint8Array(Float32Array.from(values).buffer) });
  });
  pkl.push(0x2e);
  return writeZip([
    { name: "archive/data.pkl", data: Uint8Array.from(pkl) },
    { name: "archive/byteorder", data: enc.encode("little") },
    ...storages,
  ]);
}
