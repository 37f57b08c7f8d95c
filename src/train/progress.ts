import { ProgressBar } from "../algos/common/callbacks.js";

export type ProgressMode = "auto" | "bar" | "lines" | "none";

/**
 * Progress on stderr (or `stream`): a live bar when stderr is a terminal ("auto" or "bar"), periodic plain lines otherwise
 * (CI logs, pipes). Returns null for "none".
 */
export function terminalProgress(
  mode: ProgressMode = "auto",
  stream: ProgressStream = { write: (s) => process.stderr.write(s), isTTY: process.stderr.isTTY === true },
  intervalMs?: number,
): ProgressBar | null {
  if (mode === "none") return null;
  const tty = mode === "bar" || (mode === "auto" && stream.isTTY === true);
  return new ProgressBar({ write: (s) => stream.write(s), tty, intervalMs });
}

/** Where progress goes: stderr by default; the CLI passes its own stream. */
export interface ProgressStream {
  write(text: string): void;
  isTTY?: boolean;
}
