import type { MjData, MjModel } from "mujoco";
import { cos, hypot, hypot3, sin, tan } from "../../core/math/index.js";
import type { RgbFrame } from "../env.js";

/** Gymnasium's `default_camera_config`: the body a camera tracks, its distance, elevation and azimuth (degrees). */
export interface CameraConfig {
  /** The body whose centre of mass the camera follows; none or 0 for a fixed camera at `lookat`. */
  trackBodyId?: number;
  distance?: number;
  /** Degrees below the horizon are negative (MuJoCo's default -45). */
  elevation?: number;
  /** Degrees around z (MuJoCo's default 90: looking along +y, so +x runs to the right). */
  azimuth?: number;
  /** Point looked at by a fixed camera (a tracking camera looks at the body's centre of mass). */
  lookat?: readonly [number, number, number];
}

// mjtGeom
const PLANE = 0;
const SPHERE = 2;
const CAPSULE = 3;
const ELLIPSOID = 4;
const CYLINDER = 5;
const BOX = 6;

const FOVY = (45 * Math.PI) / 180;
const NO_HIT = Number.POSITIVE_INFINITY;

/**
 * A software ray caster for MuJoCo's primitive geoms (planes with a checker, spheres, capsules, ellipsoids,
 * cylinders, boxes; meshes and height fields are skipped), lit by a headlight, from a perspective camera (fovy 45
 * degrees) placed as MuJoCo's free or tracking camera. Geoms of groups 0-2 with non-zero alpha are drawn, as MuJoCo's
 * default visual options do. Enough to watch a gait in a GIF; not a replacement for MuJoCo's OpenGL renderer.
 */
export function renderMujocoScene(
  model: MjModel,
  data: MjData,
  width: number,
  height: number,
  camera: CameraConfig,
): RgbFrame {
  const ngeom = model.ngeom;
  const type = model.geom_type as Int32Array;
  const size = model.geom_size as Float64Array;
  const group = model.geom_group as Int32Array;
  const matid = model.geom_matid as Int32Array;
  const geomRgba = model.geom_rgba as Float32Array;
  const matRgba = model.mat_rgba as Float32Array;
  const xpos = data.geom_xpos as Float64Array;
  const xmat = data.geom_xmat as Float64Array;

  // camera frame: forward from azimuth/elevation, right = forward x z, up = right x forward
  const el = ((camera.elevation ?? -45) * Math.PI) / 180;
  const az = ((camera.azimuth ?? 90) * Math.PI) / 180;
  const fwd = [cos(el) * cos(az), cos(el) * sin(az), sin(el)];
  let right = [fwd[1], -fwd[0], 0];
  const rn = hypot(right[0], right[1]);
  right = rn < 1e-9 ? [1, 0, 0] : [right[0] / rn, right[1] / rn, 0];
  const up = cross(right, fwd);
  const look = [...(camera.lookat ?? [0, 0, 0])];
  const track = camera.trackBodyId ?? 0;
  if (track > 0 && track < model.nbody) {
    const com = data.subtree_com as Float64Array;
    for (let k = 0; k < 3; k++) look[k] = com[3 * track + k];
  }
  const dist = camera.distance ?? model.stat.extent * 1.5;
  const eye = [look[0] - dist * fwd[0], look[1] - dist * fwd[1], look[2] - dist * fwd[2]];

  // per geom: drawable, colour, a bounding sphere's radius, and the eye in the geom's frame (local = R^T (p - pos))
  const drawn: number[] = [];
  const colour = new Float64Array(ngeom * 3);
  const eyeLocal = new Float64Array(ngeom * 3);
  const bound = new Float64Array(ngeom);
  for (let g = 0; g < ngeom; g++) {
    const m = matid[g];
    // MuJoCo: a geom's own rgba wins over its material's unless it is the default grey
    const own = geomRgba.subarray(4 * g, 4 * g + 4);
    const isDefault = own[0] === 0.5 && own[1] === 0.5 && own[2] === 0.5 && own[3] === 1;
    const rgba = m >= 0 && isDefault ? matRgba.subarray(4 * m, 4 * m + 4) : own;
    const t = type[g];
    if (rgba[3] === 0 || group[g] > 2 || !(t === PLANE || (t >= SPHERE && t <= BOX))) continue;
    drawn.push(g);
    const a = size[3 * g];
    const b = size[3 * g + 1];
    const c = size[3 * g + 2];
    bound[g] =
      t === PLANE
        ? Infinity
        : t === SPHERE
          ? a
          : t === CAPSULE
            ? a + b
            : t === CYLINDER
              ? hypot(a, b)
              : t === BOX
                ? hypot3(a, b, c)
                : Math.max(a, b, c);
    for (let k = 0; k < 3; k++) colour[3 * g + k] = rgba[k];
    const d = [eye[0] - xpos[3 * g], eye[1] - xpos[3 * g + 1], eye[2] - xpos[3 * g + 2]];
    for (let k = 0; k < 3; k++) {
      eyeLocal[3 * g + k] = xmat[9 * g + k] * d[0] + xmat[9 * g + 3 + k] * d[1] + xmat[9 * g + 6 + k] * d[2];
    }
  }

  const pixels = new Uint8ClampedArray(width * height * 4);
  const f = height / 2 / tan(FOVY / 2);
  const o = [0, 0, 0];
  const dl = [0, 0, 0];
  const n = [0, 0, 0];
  const best = [0, 0, 0];
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const sx = (px + 0.5 - width / 2) / f;
      const sy = (height / 2 - py - 0.5) / f;
      const dx = fwd[0] + sx * right[0] + sy * up[0];
      const dy = fwd[1] + sx * right[1] + sy * up[1];
      const dz = fwd[2] + sx * right[2] + sy * up[2];
      const inv = 1 / hypot3(dx, dy, dz);
      let tBest = NO_HIT;
      let gBest = -1;
      let checker = 0;
      for (const g of drawn) {
        const R = bound[g];
        if (R !== Infinity) {
          // skip geoms whose bounding sphere the ray misses or that lie behind the nearest hit so far
          const ox = eye[0] - xpos[3 * g];
          const oy = eye[1] - xpos[3 * g + 1];
          const oz = eye[2] - xpos[3 * g + 2];
          const b = (ox * dx + oy * dy + oz * dz) * inv;
          const c = ox * ox + oy * oy + oz * oz - R * R;
          if (b * b - c < 0 || -b + Math.sqrt(b * b - c) < 0 || -b - R > tBest) continue;
        }
        for (let k = 0; k < 3; k++) {
          o[k] = eyeLocal[3 * g + k];
          dl[k] = (xmat[9 * g + k] * dx + xmat[9 * g + 3 + k] * dy + xmat[9 * g + 6 + k] * dz) * inv;
        }
        const t = intersect(type[g], size, 3 * g, o, dl, n);
        if (t < tBest) {
          tBest = t;
          gBest = g;
          // normal back to world: R n
          for (let k = 0; k < 3; k++) {
            best[k] = xmat[9 * g + 3 * k] * n[0] + xmat[9 * g + 3 * k + 1] * n[1] + xmat[9 * g + 3 * k + 2] * n[2];
          }
          checker = type[g] === PLANE ? (Math.floor(o[0] + t * dl[0]) + Math.floor(o[1] + t * dl[1])) & 1 : 0;
        }
      }
      const p = 4 * (py * width + px);
      if (gBest < 0) {
        // sky: a vertical gradient
        const s = 0.5 + 0.5 * sy;
        pixels[p] = 60 + 60 * s;
        pixels[p + 1] = 90 + 70 * s;
        pixels[p + 2] = 140 + 90 * s;
      } else {
        // headlight: ambient + diffuse on |n . ray|
        const lambert =
          (Math.abs(best[0] * dx + best[1] * dy + best[2] * dz) * inv) / hypot3(best[0], best[1], best[2]);
        const shade = (0.35 + 0.65 * lambert) * (checker ? 0.75 : 1);
        for (let k = 0; k < 3; k++) pixels[p + k] = 255 * Math.min(1, colour[3 * gBest + k] * shade);
      }
      pixels[p + 3] = 255;
    }
  }
  return { width, height, data: pixels };
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Nearest t > 0 where the local ray o + t d meets the geom (unit d), writing the local normal to n; else NO_HIT. */
function intersect(type: number, size: Float64Array, s: number, o: number[], d: number[], n: number[]): number {
  switch (type) {
    case PLANE: {
      if (Math.abs(d[2]) < 1e-12) return NO_HIT;
      const t = -o[2] / d[2];
      if (t <= 0) return NO_HIT;
      const x = o[0] + t * d[0];
      const y = o[1] + t * d[1];
      if ((size[s] > 0 && Math.abs(x) > size[s]) || (size[s + 1] > 0 && Math.abs(y) > size[s + 1])) return NO_HIT;
      n[0] = 0;
      n[1] = 0;
      n[2] = 1;
      return t;
    }
    case SPHERE:
      return sphere(o, d, size[s], 0, n);
    case ELLIPSOID: {
      // scale to the unit sphere; the normal is the gradient of the implicit form
      const a = size[s];
      const b = size[s + 1];
      const c = size[s + 2];
      const os = [o[0] / a, o[1] / b, o[2] / c];
      const ds = [d[0] / a, d[1] / b, d[2] / c];
      const A = ds[0] * ds[0] + ds[1] * ds[1] + ds[2] * ds[2];
      const B = os[0] * ds[0] + os[1] * ds[1] + os[2] * ds[2];
      const C = os[0] * os[0] + os[1] * os[1] + os[2] * os[2] - 1;
      const disc = B * B - A * C;
      if (disc < 0) return NO_HIT;
      const t = (-B - Math.sqrt(disc)) / A;
      if (t <= 0) return NO_HIT;
      setNormal(n, (o[0] + t * d[0]) / (a * a), (o[1] + t * d[1]) / (b * b), (o[2] + t * d[2]) / (c * c));
      return t;
    }
    case CAPSULE: {
      const r = size[s];
      const h = size[s + 1];
      let t = cylinderSide(o, d, r, h, n);
      const t1 = sphere(o, d, r, h, scratch);
      if (t1 < t) {
        t = t1;
        copy(n, scratch);
      }
      const t2 = sphere(o, d, r, -h, scratch);
      if (t2 < t) {
        t = t2;
        copy(n, scratch);
      }
      return t;
    }
    case CYLINDER: {
      const r = size[s];
      const h = size[s + 1];
      let t = cylinderSide(o, d, r, h, n);
      for (const zc of [h, -h]) {
        if (Math.abs(d[2]) < 1e-12) break;
        const tc = (zc - o[2]) / d[2];
        if (tc > 0 && tc < t) {
          const x = o[0] + tc * d[0];
          const y = o[1] + tc * d[1];
          if (x * x + y * y <= r * r) {
            t = tc;
            setNormal(n, 0, 0, Math.sign(zc));
          }
        }
      }
      return t;
    }
    case BOX: {
      // slabs
      let tNear = -Infinity;
      let tFar = Infinity;
      let axis = 0;
      for (let k = 0; k < 3; k++) {
        const e = size[s + k];
        if (Math.abs(d[k]) < 1e-12) {
          if (Math.abs(o[k]) > e) return NO_HIT;
          continue;
        }
        let ta = (-e - o[k]) / d[k];
        let tb = (e - o[k]) / d[k];
        if (ta > tb) [ta, tb] = [tb, ta];
        if (ta > tNear) {
          tNear = ta;
          axis = k;
        }
        tFar = Math.min(tFar, tb);
      }
      if (tNear > tFar || tNear <= 0) return NO_HIT;
      setNormal(n, 0, 0, 0);
      n[axis] = -Math.sign(d[axis]);
      return tNear;
    }
    default:
      return NO_HIT;
  }
}

const scratch = [0, 0, 0];

function copy(a: number[], b: number[]): void {
  a[0] = b[0];
  a[1] = b[1];
  a[2] = b[2];
}

function setNormal(n: number[], x: number, y: number, z: number): void {
  n[0] = x;
  n[1] = y;
  n[2] = z;
}

/** Sphere of radius r centred at (0, 0, zc). */
function sphere(o: number[], d: number[], r: number, zc: number, n: number[]): number {
  const oz = o[2] - zc;
  const b = o[0] * d[0] + o[1] * d[1] + oz * d[2];
  const c = o[0] * o[0] + o[1] * o[1] + oz * oz - r * r;
  const disc = b * b - c;
  if (disc < 0) return NO_HIT;
  const t = -b - Math.sqrt(disc);
  if (t <= 0) return NO_HIT;
  setNormal(n, o[0] + t * d[0], o[1] + t * d[1], oz + t * d[2]);
  return t;
}

/** The side of a z-aligned cylinder of radius r between z = -h and h. */
function cylinderSide(o: number[], d: number[], r: number, h: number, n: number[]): number {
  const a = d[0] * d[0] + d[1] * d[1];
  if (a < 1e-12) return NO_HIT;
  const b = o[0] * d[0] + o[1] * d[1];
  const c = o[0] * o[0] + o[1] * o[1] - r * r;
  const disc = b * b - a * c;
  if (disc < 0) return NO_HIT;
  const t = (-b - Math.sqrt(disc)) / a;
  if (t <= 0) return NO_HIT;
  const z = o[2] + t * d[2];
  if (Math.abs(z) > h) return NO_HIT;
  setNormal(n, o[0] + t * d[0], o[1] + t * d[1], 0);
  return t;
}
