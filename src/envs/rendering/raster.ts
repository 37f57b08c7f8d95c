import { cos, sin } from "../../core/math/index.js";
import type { RgbFrame } from "../env.js";

export type Rgb = readonly [number, number, number];

/**
 * A tiny software rasteriser for rgb_array frames: filled polygons (even-odd rule, sampled at pixel centres),
 * disks, thick lines and polylines on an opaque RGBA buffer. Runs unchanged in Node and browsers.
 * Coordinates are pixels with y pointing down; `flipVertical` turns a y-up drawing right way up
 * (Gymnasium draws y-up and flips the same way).
 */
export class Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;

  constructor(width: number, height: number, background: Rgb = [255, 255, 255]) {
    this.width = width;
    this.height = height;
    this.data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < this.data.length; i += 4) {
      this.data[i] = background[0];
      this.data[i + 1] = background[1];
      this.data[i + 2] = background[2];
      this.data[i + 3] = 255;
    }
  }

  frame(): RgbFrame {
    return { width: this.width, height: this.height, data: this.data };
  }

  private span(y: number, x0: number, x1: number, c: Rgb): void {
    if (y < 0 || y >= this.height) return;
    const a = Math.max(0, x0);
    const b = Math.min(this.width, x1);
    const d = this.data;
    for (let x = a, i = (y * this.width + a) * 4; x < b; x++, i += 4) {
      d[i] = c[0];
      d[i + 1] = c[1];
      d[i + 2] = c[2];
    }
  }

  /** Fill a polygon given as [x0, y0, x1, y1, ...]. */
  fillPolygon(points: readonly number[], c: Rgb): void {
    const n = points.length / 2;
    if (n < 3) return;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 1; i < points.length; i += 2) {
      minY = Math.min(minY, points[i]);
      maxY = Math.max(maxY, points[i]);
    }
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.height - 1, Math.ceil(maxY));
    const xs: number[] = [];
    for (let y = y0; y <= y1; y++) {
      const sy = y + 0.5;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ay = points[2 * i + 1];
        const by = points[2 * j + 1];
        if (ay > sy !== by > sy) {
          const ax = points[2 * i];
          const bx = points[2 * j];
          xs.push(ax + ((sy - ay) * (bx - ax)) / (by - ay));
        }
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        this.span(y, Math.ceil(xs[k] - 0.5), Math.ceil(xs[k + 1] - 0.5), c);
      }
    }
  }

  /** Fill a disk of radius r centred at (cx, cy). */
  fillCircle(cx: number, cy: number, r: number, c: Rgb): void {
    const y0 = Math.floor(cy - r);
    const y1 = Math.ceil(cy + r);
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      const h = r * r - dy * dy;
      if (h < 0) continue;
      const w = Math.sqrt(h);
      this.span(y, Math.ceil(cx - w - 0.5), Math.ceil(cx + w - 0.5), c);
    }
  }

  /** A straight segment of the given width (at least one pixel wide). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, width = 1): void {
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len = Math.sqrt(dx * dx + dy * dy);
    if (len === 0) {
      this.fillCircle(x0, y0, width / 2, c);
      return;
    }
    const h = Math.max(width, 1) / 2;
    const nx = (-dy / len) * h;
    const ny = (dx / len) * h;
    this.fillPolygon([x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny], c);
  }

  /** Connected segments through [x0, y0, x1, y1, ...]. */
  polyline(points: readonly number[], c: Rgb, width = 1): void {
    for (let i = 0; i + 3 < points.length; i += 2) {
      this.line(points[i], points[i + 1], points[i + 2], points[i + 3], c, width);
    }
  }

  /** Mirror the image top to bottom, in place. */
  flipVertical(): void {
    const row = this.width * 4;
    const tmp = new Uint8ClampedArray(row);
    for (let top = 0, bottom = this.height - 1; top < bottom; top++, bottom--) {
      const a = top * row;
      const b = bottom * row;
      tmp.set(this.data.subarray(a, a + row));
      this.data.copyWithin(a, b, b + row);
      this.data.set(tmp, b);
    }
  }
}

/** Rotate (x, y) counter-clockwise by `angle` and translate by (ox, oy): pygame's `Vector2.rotate_rad` + offset. */
export function rotated(points: readonly number[], angle: number, ox: number, oy: number): number[] {
  const c = cos(angle);
  const s = sin(angle);
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    out.push(x * c - y * s + ox, x * s + y * c + oy);
  }
  return out;
}
