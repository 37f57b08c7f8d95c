import { InvalidArgumentError } from "../../errors.js";
import type { Arena } from "../arena.js";
import type { Kernels } from "./kernels.js";
import { ReferenceKernels } from "./reference.js";

export { type BinaryKernel, Broadcast, type Kernels, type UnaryKernel } from "./kernels.js";
export { ReferenceKernels } from "./reference.js";

/** Which kernels to use: "auto" picks the fastest available, "wasm" requires WebAssembly SIMD, "ts" the reference. */
export type KernelPreference = "auto" | "wasm" | "ts";

/** Kernels for `arena`: WebAssembly SIMD when available (float32 arenas), the TypeScript reference otherwise. */
export function selectKernels(arena: Arena, preference: KernelPreference = "auto"): Kernels {
  if (preference !== "auto" && preference !== "wasm" && preference !== "ts") {
    throw new InvalidArgumentError(`kernels must be "auto", "wasm" or "ts", got ${JSON.stringify(preference)}`);
  }
  if (preference === "wasm") {
    throw new InvalidArgumentError('kernels "wasm" requested but WebAssembly SIMD kernels are not built yet');
  }
  return new ReferenceKernels(arena);
}
