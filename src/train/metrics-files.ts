/**
 * Logger sinks that write a run's metrics to files: one JSON object per dump (metrics.jsonl) and a CSV table
 * (metrics.csv, rewritten with a wider header when a new metric appears, as SB3's CSV writer does).
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { LogSink } from "../algos/common/logger.js";

/** Appends `{"step": N, "<metric>": v, ...}` lines. Non-finite values are written as null. */
export class JsonlSink implements LogSink {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, "");
  }

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    const row: Record<string, number | null> = { step };
    for (const [k, v] of Object.entries(metrics)) row[k] = Number.isFinite(v) ? v : null;
    appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }
}

/** A CSV table with a `step` column and one column per metric (empty cells where a row lacks one). */
export class CsvSink implements LogSink {
  private columns: string[] = [];
  private readonly rows: string[] = [];

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "step\n");
  }

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    const newKeys = Object.keys(metrics).filter((k) => !this.columns.includes(k));
    if (newKeys.length > 0) {
      this.columns = [...this.columns, ...newKeys.sort()];
      // earlier rows get empty cells for the new columns; rewrite the whole table once
      const pad = ",".repeat(newKeys.length);
      for (let i = 0; i < this.rows.length; i++) this.rows[i] += pad;
      writeFileSync(
        this.path,
        `${["step", ...this.columns].map(csvCell).join(",")}\n${this.rows.map((r) => `${r}\n`).join("")}`,
      );
    }
    const line = [String(step), ...this.columns.map((c) => (c in metrics ? String(metrics[c]) : ""))].join(",");
    this.rows.push(line);
    appendFileSync(this.path, `${line}\n`);
  }
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Parse a metrics.jsonl file's text into rows (for plots and summaries). */
export function parseJsonl(text: string): Record<string, number | null>[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, number | null>);
}
