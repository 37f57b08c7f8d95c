/**
 * Learning-curve plots as standalone SVG text (no browser, no canvas): episode returns against env steps.
 * A series with one run shows the raw points faintly and a smoothed line; a series with several runs (seeds) shows
 * each run's smoothed curve faintly, as far as that run goes, and the mean of them with a min/max band over the
 * steps all runs cover (runs of different lengths are not cut to the shortest). Pure string building: usable in
 * Node and browsers.
 */

import { log10, pow } from "../core/math/index.js";
import { describe, InvalidArgumentError } from "../errors.js";

export interface CurveRun {
  /** Env step of each point, increasing. */
  steps: readonly number[];
  /** Value (episode return, evaluation mean...) of each point. */
  values: readonly number[];
}

export interface CurveSeries {
  label: string;
  runs: readonly CurveRun[];
  /** A band computed by the caller (e.g. a confidence interval) around the series' single run, drawn unsmoothed. */
  interval?: { lo: readonly number[]; hi: readonly number[] };
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Smoothing window as a fraction of each run's points (moving average). Default 0.05 (at least 1 point). */
  smoothing?: number;
  /** Points on the common step grid used to average several runs. Default 200. */
  gridPoints?: number;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Centered moving average over `window` points (shrinking at the ends). */
export function smooth(values: readonly number[], window: number): number[] {
  const half = Math.floor(Math.max(1, window) / 2);
  const prefix = [0];
  for (const v of values) prefix.push(prefix[prefix.length - 1] + v);
  return values.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length, i + half + 1);
    return (prefix[hi] - prefix[lo]) / (hi - lo);
  });
}

/** Linear interpolation of (xs, ys) at x (clamped to the ends). */
function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const t = xs[hi] === xs[lo] ? 0 : (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

/** Mean, min and max of several runs' smoothed curves on a common grid over the steps all runs cover. */
export function aggregateRuns(
  runs: readonly CurveRun[],
  smoothing = 0.05,
  gridPoints = 200,
): { steps: number[]; mean: number[]; min: number[]; max: number[] } {
  const smoothed = runs.map((r) => smooth(r.values, Math.ceil(r.values.length * smoothing)));
  const start = Math.max(...runs.map((r) => r.steps[0]));
  const end = Math.min(...runs.map((r) => r.steps[r.steps.length - 1]));
  const n = end > start ? gridPoints : 1;
  const steps: number[] = [];
  const mean: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = n === 1 ? start : start + ((end - start) * i) / (n - 1);
    const ys = runs.map((r, k) => interp(r.steps, smoothed[k], x));
    steps.push(x);
    mean.push(ys.reduce((a, b) => a + b, 0) / ys.length);
    min.push(Math.min(...ys));
    max.push(Math.max(...ys));
  }
  return { steps, mean, min, max };
}

/** Round tick positions covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = pow(10, Math.floor(log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function checkSeries(series: readonly CurveSeries[]): void {
  if (!Array.isArray(series) || series.length === 0) {
    throw new InvalidArgumentError(`learningCurveSvg: series must be a non-empty array, got ${describe(series)}`);
  }
  for (const s of series) {
    if (!s || !Array.isArray(s.runs) || s.runs.length === 0) {
      throw new InvalidArgumentError(`learningCurveSvg: series ${describe(s?.label)} has no runs`);
    }
    if (
      s.interval &&
      (s.runs.length !== 1 ||
        s.interval.lo.length !== s.runs[0].steps.length ||
        s.interval.hi.length !== s.runs[0].steps.length)
    ) {
      throw new InvalidArgumentError(
        `learningCurveSvg: series ${describe(s.label)}: an interval needs exactly one run and one lo/hi value per point`,
      );
    }
    for (const r of s.runs) {
      if (r.steps.length === 0 || r.steps.length !== r.values.length) {
        throw new InvalidArgumentError(
          `learningCurveSvg: series ${describe(s.label)}: a run needs equally many steps and values (at least one), got ${r.steps.length} and ${r.values.length}`,
        );
      }
      for (let i = 0; i < r.steps.length; i++) {
        if (!Number.isFinite(r.steps[i]) || !Number.isFinite(r.values[i]) || (i > 0 && r.steps[i] < r.steps[i - 1])) {
          throw new InvalidArgumentError(
            `learningCurveSvg: series ${describe(s.label)}: point ${i} must have finite values and non-decreasing steps, got (${r.steps[i]}, ${r.values[i]})`,
          );
        }
      }
    }
  }
}

/** The SVG document for one or more learning-curve series. */
export function learningCurveSvg(series: readonly CurveSeries[], opts: PlotOptions = {}): string {
  checkSeries(series);
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const smoothing = opts.smoothing ?? 0.05;
  const m = { left: 64, right: 16, top: opts.title ? 36 : 16, bottom: 48 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;

  type Drawn = {
    label: string;
    color: string;
    raw?: CurveRun;
    /** each run of a multi-run series, smoothed, over its own steps */
    runs?: { x: number[]; y: number[] }[];
    line: { x: number[]; y: number[] };
    band?: { x: number[]; lo: number[]; hi: number[] };
  };
  const drawn: Drawn[] = series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    if (s.interval) {
      const r = s.runs[0];
      return {
        label: s.label,
        color,
        line: { x: [...r.steps], y: [...r.values] },
        band: { x: [...r.steps], lo: [...s.interval.lo], hi: [...s.interval.hi] },
      };
    }
    if (s.runs.length === 1) {
      const r = s.runs[0];
      return {
        label: s.label,
        color,
        raw: r,
        line: { x: [...r.steps], y: smooth(r.values, Math.ceil(r.values.length * smoothing)) },
      };
    }
    const a = aggregateRuns(s.runs, smoothing, opts.gridPoints ?? 200);
    return {
      label: `${s.label} (${s.runs.length} runs)`,
      color,
      runs: s.runs.map((r) => ({ x: [...r.steps], y: smooth(r.values, Math.ceil(r.values.length * smoothing)) })),
      line: { x: a.steps, y: a.mean },
      band: { x: a.steps, lo: a.min, hi: a.max },
    };
  });

  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const see = (xs: readonly number[], ys: readonly number[]) => {
    for (let i = 0; i < xs.length; i++) {
      x0 = Math.min(x0, xs[i]);
      x1 = Math.max(x1, xs[i]);
      y0 = Math.min(y0, ys[i]);
      y1 = Math.max(y1, ys[i]);
    }
  };
  for (const d of drawn) {
    if (d.raw) see(d.raw.steps, d.raw.values);
    for (const r of d.runs ?? []) see(r.x, r.y);
    see(d.line.x, d.line.y);
    if (d.band) {
      see(d.band.x, d.band.lo);
      see(d.band.x, d.band.hi);
    }
  }
  if (x0 > 0) x0 = 0; // steps count from 0: start the axis there
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 1;
    y1 += 1;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const pts = (xs: readonly number[], ys: readonly number[]) =>
    xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join(" ");

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  );
  if (opts.title)
    out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(opts.title)}</text>`);
  for (const t of niceTicks(x0, x1)) {
    out.push(
      `<line x1="${sx(t).toFixed(1)}" y1="${m.top}" x2="${sx(t).toFixed(1)}" y2="${m.top + ph}" stroke="#eee"/>`,
      `<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(
      `<line x1="${m.left}" y1="${sy(t).toFixed(1)}" x2="${m.left + pw}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(
    `<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(opts.xLabel ?? "env steps")}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel ?? "episode return")}</text>`,
  );
  for (const d of drawn) {
    const cls = `series-${drawn.indexOf(d)}`;
    if (d.band) {
      const poly = `${pts(d.band.x, d.band.hi)} ${pts([...d.band.x].reverse(), [...d.band.lo].reverse())}`;
      out.push(`<polygon class="${cls} band" points="${poly}" fill="${d.color}" fill-opacity="0.2" stroke="none"/>`);
    }
    for (const r of d.runs ?? []) {
      out.push(
        `<polyline class="${cls} run" points="${pts(r.x, r.y)}" fill="none" stroke="${d.color}" stroke-opacity="0.35" stroke-width="1"/>`,
      );
    }
    if (d.raw) {
      out.push(
        `<polyline class="${cls} raw" points="${pts(d.raw.steps, d.raw.values)}" fill="none" stroke="${d.color}" stroke-opacity="0.25" stroke-width="1"/>`,
      );
    }
    out.push(
      `<polyline class="${cls} line" points="${pts(d.line.x, d.line.y)}" fill="none" stroke="${d.color}" stroke-width="2"/>`,
    );
  }
  drawn.forEach((d, i) => {
    const y = m.top + 14 + i * 16;
    out.push(
      `<line x1="${m.left + 10}" y1="${y - 4}" x2="${m.left + 30}" y2="${y - 4}" stroke="${d.color}" stroke-width="2"/>`,
      `<text x="${m.left + 36}" y="${y}">${escapeXml(d.label)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
