import { Engine } from "./engine.js";
import { availableWasmKernels, type KernelPreference } from "./kernels/index.js";

/** Which numeric kernels a float32 engine (every algorithm's networks) runs on in this runtime, and why. */
export interface KernelsInfo {
  /** The kernels selected: WebAssembly relaxed SIMD (fused multiply-add), WebAssembly SIMD, or the TS fallback. */
  kernels: "wasm-relaxed" | "wasm-simd" | "ts";
  /** The WebAssembly builds this runtime compiled (in a browser: after `await initKernels()`). */
  available: { relaxedSimd: boolean; simd: boolean };
  /** Threads the large matrix products run on, and why fewer than asked (null when none). */
  threads: number;
  threadsNote: string | null;
}

/**
 * What an engine made with these options (default: what `new PPO(...)` makes) runs on: the kernels chosen, the
 * builds available, its threads and the reason for fewer threads. `tsrl info` prints it.
 */
export function kernelsInfo(opts: { kernels?: KernelPreference; threads?: number } = {}): KernelsInfo {
  const engine = new Engine({ kernels: opts.kernels, threads: opts.threads, initialBytes: 1 << 16 });
  try {
    const { simd, relaxed } = availableWasmKernels();
    return {
      kernels: engine.kernels.name,
      available: { relaxedSimd: relaxed, simd },
      threads: engine.threads,
      threadsNote: engine.threadsNote,
    };
  } finally {
    engine.close();
  }
}
