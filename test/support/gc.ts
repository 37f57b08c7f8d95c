// Counting garbage collections, for the tests that show a hot loop allocates nothing: a loop that allocated even
// 16 bytes per iteration over a million iterations would fill V8's young generation and trigger scavenges.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (options?: { type: "major" | "minor" }) => void;
/** A full (major) garbage collection. */
export const fullGc = (): void => gc();
/**
 * Two minor GCs (scavenges): the young generation emptied (the second promotes what survived the first) without a
 * full collection's side effect on code, which V8 deoptimizes when an object it was specialized for died.
 */
export const emptyYoungGeneration = (): void => {
  gc({ type: "minor" });
  gc({ type: "minor" });
};

/**
 * Minor GCs during `loop()`, after a warm-up run and a full collection. The fewer of two measured runs is returned:
 * one-off garbage (a deoptimization, a late recompilation) shows in one run only, per-iteration garbage in both.
 */
export async function minorGcsDuring(loop: () => void): Promise<number> {
  loop(); // warm up: let the JIT optimize the loop first
  let best = Infinity;
  for (let run = 0; run < 2; run++) {
    fullGc();
    const kinds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind);
    });
    observer.observe({ entryTypes: ["gc"] });
    loop();
    await new Promise((r) => setTimeout(r, 50));
    observer.disconnect();
    best = Math.min(best, kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MINOR).length);
  }
  return best;
}
