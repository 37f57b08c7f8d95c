import { InvalidArgumentError } from "../../errors.js";
import { Arena, type ArenaDType } from "../arena.js";
import type { Kernels } from "./kernels.js";
import { ReferenceKernels } from "./reference.js";
import { checkThreads, threadSupport } from "./thread-pool.js";
import { ThreadedKernels } from "./threaded.js";
import { WasmKernels } from "./wasm.js";
import * as binaries from "./wasm-binary.generated.js";

export { type BinaryKernel, Broadcast, type Kernels, type LayerActivation, type UnaryKernel } from "./kernels.js";
export { ReferenceKernels } from "./reference.js";
export { checkThreads, defaultThreads, threadSupport, WorkerError } from "./thread-pool.js";
export { ThreadedKernels } from "./threaded.js";

/**
 * Which kernels to use. "auto": the fastest available for the arena; "wasm": the best WebAssembly variant (error
 * if none loads); "wasm-simd" / "wasm-relaxed": that variant exactly; "ts": the TypeScript reference.
 */
export const kernelPreferences = ["auto", "wasm", "wasm-simd", "wasm-relaxed", "ts"] as const;
export type KernelPreference = (typeof kernelPreferences)[number];

/** A build of assembly/kernels.ts; the *Shared ones import a shared memory (for an arena with threads). */
type Variant = "simd" | "relaxed" | "simdShared" | "relaxedShared";

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
    if (variant.startsWith("relaxed")) enableRelaxedSimdInNode();
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
  for (const variant of ["simd", "relaxed", "simdShared", "relaxedShared"] as const) {
    if (compiled.get(variant)) continue;
    const bytes = wasmBytes(variant);
    if (bytes === null || typeof WebAssembly !== "object") continue;
    if (variant.startsWith("relaxed")) enableRelaxedSimdInNode();
    if (!WebAssembly.validate(bytes)) continue;
    compiled.set(variant, await WebAssembly.compile(bytes));
  }
}

/** Which wasm kernel builds this runtime can run. */
export function availableWasmKernels(): { simd: boolean; relaxed: boolean } {
  return { simd: wasmModule("simd") !== null, relaxed: wasmModule("relaxed") !== null };
}

/**
 * Kernels for `arena`: WebAssembly SIMD when available (float32 arenas), the TypeScript reference otherwise.
 * `threads` > 1 on a shared arena: the wasm kernels with their large products split over that many threads
 * ({@link ThreadedKernels}); the TypeScript kernels always run on one.
 */
export function selectKernels(arena: Arena, preference: KernelPreference = "auto", threads = 1): Kernels {
  if (threads > 1 && !arena.shared) {
    throw new InvalidArgumentError(`selectKernels: threads ${threads} needs a shared arena (Arena({ shared: true }))`);
  }
  switch (preference) {
    case "ts":
      return new ReferenceKernels(arena);
    case "auto":
      if (arena.dtype !== "float32") return new ReferenceKernels(arena);
      return bestWasm(arena, threads) ?? new ReferenceKernels(arena);
    case "wasm":
    case "wasm-simd":
    case "wasm-relaxed": {
      if (arena.dtype !== "float32") {
        throw new InvalidArgumentError(
          `kernels ${JSON.stringify(preference)} need a float32 arena, got dtype ${JSON.stringify(arena.dtype)}`,
        );
      }
      const k =
        preference === "wasm"
          ? bestWasm(arena, threads)
          : loadWasm(arena, preference === "wasm-simd" ? "simd" : "relaxed", threads);
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

function loadWasm(arena: Arena, build: "simd" | "relaxed", threads: number): Kernels | null {
  const mod = wasmModule(arena.shared ? `${build}Shared` : build);
  if (mod === null) return null;
  const name = build === "simd" ? "wasm-simd" : "wasm-relaxed";
  try {
    return threads > 1 ? new ThreadedKernels(arena, mod, name, threads) : new WasmKernels(arena, mod, name);
  } catch {
    // a runtime that refuses to instantiate synchronously: fall back like a missing feature
    return null;
  }
}

function bestWasm(arena: Arena, threads: number): Kernels | null {
  return (PREFER_RELAXED ? loadWasm(arena, "relaxed", threads) : null) ?? loadWasm(arena, "simd", threads);
}

export interface ComputeOptions {
  /** Element type; default "float32". */
  dtype?: ArenaDType;
  /** Kernel choice; default "auto". */
  kernels?: KernelPreference;
  /** Threads for the large products (integer >= 1); default: the machine's, at most 8. */
  threads?: number;
  /** Initial arena size in bytes. */
  initialBytes?: number;
}

/** An arena, the kernels on it, the threads they use, and why fewer than asked (null when not). */
export interface Compute {
  readonly arena: Arena;
  readonly kernels: Kernels;
  readonly threads: number;
  readonly threadsNote: string | null;
}

/**
 * The arena and kernels for a float32 or float64 computation on `threads` threads: a shared arena and
 * {@link ThreadedKernels} when more than one is asked for and this runtime can run them; one thread with a note
 * saying why otherwise (no SharedArrayBuffer, a browser's main thread, the TypeScript kernels).
 */
export function makeCompute(opts: ComputeOptions = {}, what = "threads"): Compute {
  const dtype = opts.dtype ?? "float32";
  const preference = opts.kernels ?? "auto";
  const asked = checkThreads(opts.threads, what);
  let note: string | null = null;
  let threads = asked;
  if (asked > 1) {
    const support = threadSupport();
    if (dtype !== "float32" || preference === "ts") note = "the TypeScript kernels run on one thread";
    else if (support.spawn === null) note = support.reason;
    else if (!availableWasmKernels().simd) note = "this runtime has no WebAssembly SIMD kernels to run on threads";
    if (note !== null) threads = 1;
  }
  const arena = new Arena({ dtype, initialBytes: opts.initialBytes, shared: threads > 1 });
  const kernels = selectKernels(arena, preference, threads);
  if (note !== null) note = `${what} ${asked}: running on one thread, because ${note}`;
  return { arena, kernels, threads, threadsNote: note };
}
