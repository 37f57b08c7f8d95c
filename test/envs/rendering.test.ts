import assert from "node:assert/strict";
import { test } from "node:test";
import { Raster } from "../../src/envs/rendering/raster.js";

function count(r: Raster, rgb: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < r.data.length; i += 4) {
    if (r.data[i] === rgb[0] && r.data[i + 1] === rgb[1] && r.data[i + 2] === rgb[2]) n++;
  }
  return n;
}

test("Raster fills polygons by pixel centres: an axis-aligned 10x6 rectangle covers 60 pixels", () => {
  const r = new Raster(20, 20);
  r.fillPolygon([2, 3, 12, 3, 12, 9, 2, 9], [255, 0, 0]);
  assert.equal(count(r, [255, 0, 0]), 60);
  assert.deepEqual(Array.from(r.data.subarray(0, 4)), [255, 255, 255, 255]);
  const i = (3 * 20 + 2) * 4;
  assert.deepEqual(Array.from(r.data.subarray(i, i + 4)), [255, 0, 0, 255]);
});

test("Raster disks and rotated polygons have the right area", () => {
  const r = new Raster(100, 100);
  r.fillCircle(50, 50, 20, [0, 0, 255]);
  const disk = count(r, [0, 0, 255]);
  assert.ok(Math.abs(disk - Math.PI * 400) < 40, `disk area ${disk}`);
  const s = new Raster(100, 100);
  const c = Math.SQRT1_2 * 20;
  s.fillPolygon([50, 50 - c, 50 + c, 50, 50, 50 + c, 50 - c, 50], [0, 255, 0]); // 20x20 square rotated 45 degrees
  assert.ok(Math.abs(count(s, [0, 255, 0]) - 400) <= 30); // diagonal edges run through pixel centres
});

test("Raster.flipVertical mirrors rows; thick lines cover about length x width", () => {
  const r = new Raster(4, 3);
  r.fillPolygon([0, 0, 4, 0, 4, 1, 0, 1], [0, 0, 0]);
  r.flipVertical();
  assert.equal(r.data[0], 255);
  assert.equal(r.data[2 * 4 * 4], 0);
  const l = new Raster(100, 100);
  l.line(10, 50, 90, 50, [9, 9, 9], 4);
  assert.equal(count(l, [9, 9, 9]), 80 * 4);
});
