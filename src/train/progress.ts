import { ProgressBar } from "../algos/common/callbacks.js";

export type ProgressMode = "auto" | "bar" | "lines" | "none";

/**
 * Progress on stderr: a live bar when stderr is a terminal ("auto" or "bar"), periodic plain lines otherwise
 * (CI logs, pipes). Returns null for "none".
 */
export function terminalProgress(mode: ProgressMode = "auto", intervalMs?: number): ProgressBar | null {
  if (mode === "none") return null;
  const tty = mode === "bar" || (mode === "auto" && process.stderr.isTTY === true);
  return new ProgressBar({ write: (s) => process.stderr.write(s), tty, intervalMs });
}
