import type { LogSink } from "./logger.js";

/** SB3's console table for one dump: aligned `| key | value |` rows grouped by prefix (rollout/, train/, time/...). */
export function formatMetricsTable(step: number, metrics: Readonly<Record<string, number>>): string {
  const rows: [string, string][] = [["step", String(step)]];
  let prefix = "";
  for (const key of Object.keys(metrics).sort()) {
    const slash = key.indexOf("/");
    const group = slash > 0 ? key.slice(0, slash) : "";
    if (group !== prefix && group !== "") rows.push([`${group}/`, ""]);
    prefix = group;
    rows.push([slash > 0 ? `    ${key.slice(slash + 1)}` : key, formatValue(metrics[key])]);
  }
  const kw = Math.max(...rows.map((r) => r[0].length));
  const vw = Math.max(...rows.map((r) => r[1].length));
  const line = `${"-".repeat(kw + vw + 7)}\n`;
  return `${line}${rows.map(([k, v]) => `| ${k.padEnd(kw)} | ${v.padEnd(vw)} |\n`).join("")}${line}`;
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** A Logger sink printing each dump as a table (`verbose: 1`, the CLI's `--verbose`). */
export class TableSink implements LogSink {
  constructor(private readonly out: (text: string) => void) {}

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    this.out(formatMetricsTable(step, metrics));
  }
}
