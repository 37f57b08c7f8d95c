import { cos, sin } from "../../core/math/index.js";
import type { RgbFrame } from "../env.js";
import { Raster, rotated } from "./raster.js";

// Scenes drawn as Gymnasium's pygame renderers draw them (same sizes, colours and geometry), y up then flipped.

export function renderCartPole(x: number, theta: number): RgbFrame {
  const W = 600;
  const H = 400;
  const xThreshold = 2.4;
  const scale = W / (xThreshold * 2);
  const polewidth = 10.0;
  const polelen = scale * (2 * 0.5);
  const cartwidth = 50.0;
  const cartheight = 30.0;
  const r = new Raster(W, H);
  const [l, rr, t, b] = [-cartwidth / 2, cartwidth / 2, cartheight / 2, -cartheight / 2];
  const axleoffset = cartheight / 4.0;
  const cartx = x * scale + W / 2.0;
  const carty = 100;
  r.fillPolygon([l + cartx, b + carty, l + cartx, t + carty, rr + cartx, t + carty, rr + cartx, b + carty], [0, 0, 0]);
  const [pl, pr, pt, pb] = [-polewidth / 2, polewidth / 2, polelen - polewidth / 2, -polewidth / 2];
  r.fillPolygon(rotated([pl, pb, pl, pt, pr, pt, pr, pb], -theta, cartx, carty + axleoffset), [202, 152, 101]);
  r.fillCircle(Math.trunc(cartx), Math.trunc(carty + axleoffset), Math.trunc(polewidth / 2), [129, 132, 203]);
  r.line(0, carty, W, carty, [0, 0, 0]);
  r.flipVertical();
  return r.frame();
}

export function renderAcrobot(theta1: number, theta2: number): RgbFrame {
  const D = 500;
  const bound = 1.0 + 1.0 + 0.2;
  const scale = D / (bound * 2);
  const offset = D / 2;
  const r = new Raster(D, D);
  const p1x = -cos(theta1) * scale;
  const p1y = sin(theta1) * scale;
  const p2x = p1x - cos(theta1 + theta2) * scale;
  const p2y = p1y + sin(theta1 + theta2) * scale;
  // Gymnasium swaps the coordinates of the joints ([:, ::-1]) before drawing
  const joints = [
    [0, 0],
    [p1y, p1x],
    [p2y, p2x],
  ];
  const thetas = [theta1 - Math.PI / 2, theta1 + theta2 - Math.PI / 2];
  r.line(-2.2 * scale + offset, 1 * scale + offset, 2.2 * scale + offset, 1 * scale + offset, [0, 0, 0]);
  for (let k = 0; k < 2; k++) {
    const x = joints[k][0] + offset;
    const y = joints[k][1] + offset;
    const [l, rr, t, b] = [0, scale, 0.1 * scale, -0.1 * scale];
    r.fillPolygon(rotated([l, b, l, t, rr, t, rr, b], thetas[k], x, y), [0, 204, 204]);
    r.fillCircle(Math.trunc(x), Math.trunc(y), Math.trunc(0.1 * scale), [204, 204, 0]);
  }
  r.flipVertical();
  return r.frame();
}

function mountainHeight(x: number): number {
  return sin(3 * x) * 0.45 + 0.55;
}

export function renderMountainCar(position: number, goalPosition: number): RgbFrame {
  const W = 600;
  const H = 400;
  const minPosition = -1.2;
  const maxPosition = 0.6;
  const scale = W / (maxPosition - minPosition);
  const carwidth = 40;
  const carheight = 20;
  const r = new Raster(W, H);
  const curve: number[] = [];
  for (let i = 0; i < 100; i++) {
    const xs = minPosition + ((maxPosition - minPosition) * i) / 99;
    curve.push((xs - minPosition) * scale, mountainHeight(xs) * scale);
  }
  r.polyline(curve, [0, 0, 0]);
  const clearance = 10;
  const angle = cos(3 * position);
  const ox = (position - minPosition) * scale;
  const oy = clearance + mountainHeight(position) * scale;
  const [l, rr, t, b] = [-carwidth / 2, carwidth / 2, carheight, 0];
  r.fillPolygon(rotated([l, b, l, t, rr, t, rr, b], angle, ox, oy), [0, 0, 0]);
  for (const wx of [carwidth / 4, -carwidth / 4]) {
    const [cx, cy] = rotated([wx, 0], angle, ox, oy);
    r.fillCircle(Math.trunc(cx), Math.trunc(cy), Math.trunc(carheight / 2.5), [128, 128, 128]);
  }
  const flagx = Math.trunc((goalPosition - minPosition) * scale);
  const flagy1 = Math.trunc(mountainHeight(goalPosition) * scale);
  const flagy2 = flagy1 + 50;
  r.line(flagx, flagy1, flagx, flagy2, [0, 0, 0]);
  r.fillPolygon([flagx, flagy2, flagx, flagy2 - 10, flagx + 25, flagy2 - 5], [204, 204, 0]);
  r.flipVertical();
  return r.frame();
}

/** `lastTorque` (null before the first step) is drawn as a bar whose length and side show the applied torque. */
export function renderPendulum(theta: number, lastTorque: number | null): RgbFrame {
  const D = 500;
  const bound = 2.2;
  const scale = D / (bound * 2);
  const offset = Math.floor(D / 2);
  const r = new Raster(D, D);
  const rodLength = 1 * scale;
  const rodWidth = 0.2 * scale;
  const [l, rr, t, b] = [0, rodLength, rodWidth / 2, -rodWidth / 2];
  const angle = theta + Math.PI / 2;
  const red: [number, number, number] = [204, 77, 77];
  r.fillPolygon(rotated([l, b, l, t, rr, t, rr, b], angle, offset, offset), red);
  r.fillCircle(offset, offset, Math.trunc(rodWidth / 2), red);
  const [ex, ey] = rotated([rodLength, 0], angle, offset, offset);
  r.fillCircle(Math.trunc(ex), Math.trunc(ey), Math.trunc(rodWidth / 2), red);
  if (lastTorque !== null && lastTorque !== 0) {
    // Gymnasium blits an arrow image scaled by |u|/2; a bar below the hinge carries the same information
    r.line(offset, offset - 1.5 * scale, offset + (lastTorque / 2) * scale, offset - 1.5 * scale, [0, 0, 0], 6);
  }
  r.fillCircle(offset, offset, Math.trunc(0.05 * scale), [0, 0, 0]);
  r.flipVertical();
  return r.frame();
}
