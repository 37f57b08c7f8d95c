import { InvalidArgumentError } from "../../errors.js";
import type { Arena } from "../arena.js";
import type { Kernels } from "./kernels.js";
import { ReferenceKernels } from "./reference.js";
import { WasmKernels } from "./wasm.js";
import * as binaries from "./wasm-binary.generated.js";

export { type BinaryKernel, Broadcast, type Kernels, type LayerActivation, type UnaryKernel } from "./kernels.js";
export { ReferenceKernels } from "./reference.js";

/**
 * Which kernels to use. "auto": the fastest available for the arena; "wasm": the best WebAssembly variant (error
 * if none loads); "wasm-simd" / "wasm-relaxed": that variant exactly; "ts": the TypeScript reference.
 */
export const kernelPreferences = ["auto", "wasm", "wasm-simd", "wasm-relaxed", "ts"] as const;
export type KernelPreference = (typeof kernelPreferences)[number];

type Variant = "simd" | "relaxed";

/**
 * "auto"/"wasm" take the relaxed-SIMD build (fused multiply-add) where the runtime has it: it passes the same
 * tests and ran the blocked matmul about 30% faster (54 vs 42 GFLOP/s at 64x64x64, 2-core AMD EPYC, Node 20,
 * interleaved A/B). relaxed_madd may fuse or not depending on the CPU, so results can differ in the last bits
 * between machines (never between runs on one machine).
 */
const PREFER_RELAXED = true;

const compiled = new Map<Variant, WebAssembly.Module | null>();

function wasmBytes(variant: Variant): Uint8Array<ArrayBuffer> | null {
  const b64 = (binaries as Record<string, unknown>)[`${variant}Wasm`];
  if (typeof b64 !== "string") return null;
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Node 20 ships relaxed SIMD behind a flag; it must be set before the module is compiled. Browsers need nothing. */
function enableRelaxedSimdInNode(): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.("node:v8") as { setFlagsFromString?: (flags: string) => void } | undefined;
  v8?.setFlagsFromString?.("--experimental-wasm-relaxed-simd");
}

/** The compiled module of a variant, or null where the runtime lacks the features it needs. Cached. */
function wasmModule(variant: Variant): WebAssembly.Module | null {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  let mod: WebAssembly.Module | null = null;
  const bytes = wasmBytes(variant);
  if (bytes !== null && typeof WebAssembly === "object") {
    if (variant === "relaxed") enableRelaxedSimdInNode();
    if (WebAssembly.validate(bytes)) {
      try {
        mod = new WebAssembly.Module(bytes);
      } catch {
        // e.g. a browser main thread refusing synchronous compiles of large modules: see initKernels()
        mod = null;
      }
    }
  }
  compiled.set(variant, mod);
  return mod;
}

/**
 * Compile the wasm kernels asynchronously. Browsers refuse to compile large modules synchronously on the main
 * thread, so a web page awaits this once before creating engines; in Node it is optional.
 */
export async function initKernels(): Promise<void> {
  for (const variant of ["simd", "relaxed"] as const) {
    if (compiled.get(variant)) continue;
    const bytes = wasmBytes(variant);
    if (bytes === null || typeof WebAssembly !== "object") continue;
    if (variant === "relaxed") enableRelaxedSimdInNode();
    if (!WebAssembly.validate(bytes)) continue;
    compiled.set(variant, await WebAssembly.compile(bytes));
  }
}

/** Which wasm kernel builds this runtime can run. */
export function availableWasmKernels(): { simd: boolean; relaxed: boolean } {
  return { simd: wasmModule("simd") !== null, relaxed: wasmModule("relaxed") !== null };
}

/** Kernels for `arena`: WebAssembly SIMD when available (float32 arenas), the TypeScript reference otherwise. */
export function selectKernels(arena: Arena, preference: KernelPreference = "auto"): Kernels {
  switch (preference) {
    case "ts":
      return new ReferenceKernels(arena);
    case "auto":
      if (arena.dtype !== "float32") return new ReferenceKernels(arena);
      return bestWasm(arena) ?? new ReferenceKernels(arena);
    case "wasm":
    case "wasm-simd":
    case "wasm-relaxed": {
      if (arena.dtype !== "float32") {
        throw new InvalidArgumentError(
          `kernels ${JSON.stringify(preference)} need a float32 arena, got dtype ${JSON.stringify(arena.dtype)}`,
        );
      }
      const k =
        preference === "wasm" ? bestWasm(arena) : loadWasm(arena, preference === "wasm-simd" ? "simd" : "relaxed");
      if (k === null) {
        throw new InvalidArgumentError(
          `kernels ${JSON.stringify(preference)} requested but this runtime cannot load them (no WebAssembly SIMD${
            preference === "wasm-relaxed" ? "/relaxed SIMD" : ""
          }, or the kernels were not built: run npm run build)`,
        );
      }
      return k;
    }
    default:
      throw new InvalidArgumentError(
        `kernels must be "auto", "wasm", "wasm-simd", "wasm-relaxed" or "ts", got ${JSON.stringify(preference)}`,
      );
  }
}

function loadWasm(arena: Arena, variant: Variant): Kernels | null {
  const mod = wasmModule(variant);
  if (mod === null) return null;
  try {
    return new WasmKernels(arena, mod, variant === "simd" ? "wasm-simd" : "wasm-relaxed");
  } catch {
    // a runtime that refuses to instantiate synchronously: fall back like a missing feature
    return null;
  }
}

function bestWasm(arena: Arena): Kernels | null {
  return (PREFER_RELAXED ? loadWasm(arena, "relaxed") : null) ?? loadWasm(arena, "simd");
}
