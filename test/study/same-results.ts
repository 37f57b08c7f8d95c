import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonl } from "../../src/train/metrics-files.js";

/**
 * What a run computed, for bit-for-bit comparisons between places it ran: the final model's tensors (the bytes after
 * the safetensors header; the header's JSON also holds the envs' unseeded space samplers, which training never uses),
 * every training episode, the logged metrics (not wall-clock ones; periodic evaluations included: a resumed run
 * continues their schedule and the eval env's stream), and the final and best evaluations.
 */
export function runResults(runDir: string): {
  tensors: Buffer;
  episodes: string;
  metrics: string;
  finalEval: unknown;
  bestEval: unknown;
} {
  const model = readFileSync(join(runDir, "model.safetensors"));
  const headerLen = Number(model.readBigUInt64LE(0));
  const rows = parseJsonl(readFileSync(join(runDir, "metrics.jsonl"), "utf8")).map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("time/"))),
  );
  return {
    tensors: model.subarray(8 + headerLen),
    episodes: readFileSync(join(runDir, "episodes.csv"), "utf8"),
    metrics: JSON.stringify(rows),
    finalEval: JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")).finalEval,
    bestEval: JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")).bestEval,
  };
}
