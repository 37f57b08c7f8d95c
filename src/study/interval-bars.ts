/**
 * Horizontal bars with confidence-interval whiskers (rliable's aggregate-metric plot): one panel per metric, one bar
 * per variant. Plain SVG text, like train/plot.ts.
 */
import { escapeXml, formatTick, niceTicks, PALETTE } from "../train/plot.js";
import type { Interval } from "./stats.js";

export interface IntervalPanel {
  title: string;
  /** One interval per label, in the labels' order. */
  values: readonly Interval[];
}

export function intervalBarsSvg(labels: readonly string[], panels: readonly IntervalPanel[], title?: string): string {
  const labelW = 24 + 8 * Math.max(...labels.map((l) => l.length));
  const panelW = 220;
  const rowH = 24;
  const top = title ? 52 : 30;
  const W = labelW + panels.length * (panelW + 16) + 8;
  const H = top + labels.length * rowH + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (title) out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`);
  labels.forEach((l, i) => {
    out.push(`<text x="${labelW - 8}" y="${top + i * rowH + rowH / 2 + 4}" text-anchor="end">${escapeXml(l)}</text>`);
  });
  panels.forEach((p, k) => {
    const x0 = labelW + k * (panelW + 16);
    let lo = Math.min(...p.values.map((v) => v.lo));
    let hi = Math.max(...p.values.map((v) => v.hi));
    if (hi === lo) {
      lo -= 1;
      hi += 1;
    }
    const pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    const sx = (v: number) => x0 + ((v - lo) / (hi - lo)) * panelW;
    out.push(`<text x="${x0 + panelW / 2}" y="${top - 10}" text-anchor="middle">${escapeXml(p.title)}</text>`);
    for (const t of niceTicks(lo, hi, 4)) {
      out.push(
        `<line x1="${sx(t).toFixed(1)}" y1="${top}" x2="${sx(t).toFixed(1)}" y2="${top + labels.length * rowH}" stroke="#eee"/>`,
        `<text x="${sx(t).toFixed(1)}" y="${top + labels.length * rowH + 16}" text-anchor="middle">${formatTick(t)}</text>`,
      );
    }
    out.push(
      `<rect x="${x0}" y="${top}" width="${panelW}" height="${labels.length * rowH}" fill="none" stroke="#333"/>`,
    );
    p.values.forEach((v, i) => {
      const color = PALETTE[i % PALETTE.length];
      const y = top + i * rowH;
      out.push(
        `<rect class="ci" x="${sx(v.lo).toFixed(1)}" y="${y + 5}" width="${Math.max(1, sx(v.hi) - sx(v.lo)).toFixed(1)}" height="${rowH - 10}" fill="${color}" fill-opacity="0.35"/>`,
        `<line class="point" x1="${sx(v.point).toFixed(1)}" y1="${y + 3}" x2="${sx(v.point).toFixed(1)}" y2="${y + rowH - 3}" stroke="${color}" stroke-width="2.5"/>`,
      );
    });
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
