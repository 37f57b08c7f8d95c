// WebAssembly SIMD128 kernels for tsrl's numeric core (AssemblyScript, stub runtime, imported memory).
// Every pointer is a BYTE address into the imported memory (the TypeScript side owns it as a float32 arena);
// matrices are row-major float32. The semantics of each export are those of the `Kernels` interface in
// src/core/kernels/kernels.ts, which is the documentation; the TypeScript reference there is what tests compare with.
// Built twice by scripts/build-wasm.mjs: plain SIMD128, and with `--use RELAXED=1` where multiply-adds become the
// fused f32x4.relaxed_madd (relaxed-simd).

// @ts-expect-error: decorator, and RELAXED exists only when passed with --use
@inline const USE_RELAXED: bool = isDefined(RELAXED);

/** a*b + c: fused (one rounding) in the relaxed build, separate multiply and add otherwise. */
// @ts-expect-error: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (USE_RELAXED) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-expect-error: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** End of this module's static data (math lookup tables): the arena must never hand out memory below it. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------------------------------
// matmul

// Epilogues fused into a matmul's store (op codes shared with the TypeScript side, src/core/kernels/wasm.ts), so a
// dense layer's bias, relu and activation gradient cost no extra pass over memory:
//   0: none   2: relu   3: times 1 - y^2 (tanh's gradient)   4: where y > 0 (relu's gradient)
// y, for 3 and 4, is a matrix of C's shape at byte distance `auxd` from C (usize arithmetic wraps).
// tanh is not fused: its 17-instruction rational approximation on eight live accumulators measured 15% slower (and still 14% after the pmin/pmax change)
// than the separate vectorised pass over the stored tile.

/** The epilogue of four lanes of C at `cp`. */
// @ts-expect-error: decorator
@inline function epiVec(v: v128, op: i32, cp: usize, auxd: usize): v128 {
  if (op == 0) return v;
  if (op == 2) return f32x4.pmax(v, f32x4.splat(0));
  const y = v128.load(cp + auxd);
  if (op == 3) return f32x4.mul(v, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
  return v128.and(v, f32x4.gt(y, f32x4.splat(0)));
}

/** The epilogue of one element of C at `cp` (lane for lane the same arithmetic as epiVec). */
// @ts-expect-error: decorator
@inline function epiScalar(s: f32, op: i32, cp: usize, auxd: usize): f32 {
  if (op == 0) return s;
  if (op == 2) return s < 0 ? 0 : s;
  const y = load<f32>(cp + auxd);
  if (op == 3) return s * (1 - y * y);
  return y > 0 ? s : 0;
}

// Micro-tiles of C for gemmRowMajorB. `pa` points at op(A)[i, 0] (row stride ai, column stride ap, in bytes),
// `pb` at B[0, j], `cp` at C[i, j]; rs is the row stride of B and C. Each walks p = 0..k once. `bias` (0: none)
// points at the bias of column j and starts the accumulators (never together with acc); `op` is the epilogue.

/** 4 rows x 8 columns: eight f32x4 accumulators; per p two B vectors and four broadcast A values. */
// @ts-expect-error: decorator
@inline function tile4x8(
  pa: usize, ai: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  if (acc) {
    c00 = v128.load(cp); c01 = v128.load(cp, 16);
    c10 = v128.load(cp + rs); c11 = v128.load(cp + rs, 16);
    c20 = v128.load(cp + 2 * rs); c21 = v128.load(cp + 2 * rs, 16);
    c30 = v128.load(cp + 3 * rs); c31 = v128.load(cp + 3 * rs, 16);
  } else if (bias != 0) {
    c00 = v128.load(bias); c01 = v128.load(bias, 16);
    c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
  }
  // one pointer per A row, stepped by adds: measured 10% faster than base + r * ai addressing
  let pa0 = pa;
  let pa1 = pa + ai;
  let pa2 = pa + 2 * ai;
  let pa3 = pa + 3 * ai;
  const pEnd = pb + <usize>k * rs;
  while (pb < pEnd) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa0);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa1);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    pa0 += ap; pa1 += ap; pa2 += ap; pa3 += ap;
    pb += rs;
  }
  if (op != 0) {
    c00 = epiVec(c00, op, cp, auxd); c01 = epiVec(c01, op, cp + 16, auxd);
    c10 = epiVec(c10, op, cp + rs, auxd); c11 = epiVec(c11, op, cp + rs + 16, auxd);
    c20 = epiVec(c20, op, cp + 2 * rs, auxd); c21 = epiVec(c21, op, cp + 2 * rs + 16, auxd);
    c30 = epiVec(c30, op, cp + 3 * rs, auxd); c31 = epiVec(c31, op, cp + 3 * rs + 16, auxd);
  }
  v128.store(cp, c00); v128.store(cp, c01, 16);
  v128.store(cp + rs, c10); v128.store(cp + rs, c11, 16);
  v128.store(cp + 2 * rs, c20); v128.store(cp + 2 * rs, c21, 16);
  v128.store(cp + 3 * rs, c30); v128.store(cp + 3 * rs, c31, 16);
}

/**
 * 8 rows x 4 columns of C for op(A) = A^T (A stored [k, m]: op(A)[i..i+7, p] are eight consecutive floats), the
 * weight gradient of a first layer reading 4 features (C [64, 4]). The accumulators run DOWN the columns (two A
 * vectors times four broadcast B values per p: 6 loads per 8 multiply-adds, where 4x4 needs 5 per 4) and 4x4 blocks
 * are transposed in registers at the ends. Each element's arithmetic is 4x4's: madd(A[i,p], B[p,j], c) over p in
 * order from the same start (C, the bias or 0), the product's operands merely swapped, which rounds the same.
 */
// @ts-expect-error: decorator
@inline function tile8x4T(
  pa: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const zero = f32x4.splat(0);
  let u0 = zero, u1 = zero, u2 = zero, u3 = zero, v0 = zero, v1 = zero, v2 = zero, v3 = zero;
  if (acc) {
    for (let h = 0; h < 2; h++) {
      const q = cp + <usize>(4 * h) * rs;
      const r0 = v128.load(q);
      const r1 = v128.load(q + rs);
      const r2 = v128.load(q + 2 * rs);
      const r3 = v128.load(q + 3 * rs);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      if (h == 0) {
        u0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); u1 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
        u2 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); u3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
      } else {
        v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v1 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
        v2 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
      }
    }
  } else if (bias != 0) {
    u0 = v128.load32_splat(bias); u1 = v128.load32_splat(bias, 4);
    u2 = v128.load32_splat(bias, 8); u3 = v128.load32_splat(bias, 12);
    v0 = u0; v1 = u1; v2 = u2; v3 = u3;
  }
  const pEnd = pb + <usize>k * rs;
  while (pb < pEnd) {
    const a0 = v128.load(pa);
    const a1 = v128.load(pa, 16);
    let y = v128.load32_splat(pb);
    u0 = madd(a0, y, u0); v0 = madd(a1, y, v0);
    y = v128.load32_splat(pb, 4);
    u1 = madd(a0, y, u1); v1 = madd(a1, y, v1);
    y = v128.load32_splat(pb, 8);
    u2 = madd(a0, y, u2); v2 = madd(a1, y, v2);
    y = v128.load32_splat(pb, 12);
    u3 = madd(a0, y, u3); v3 = madd(a1, y, v3);
    pa += ap;
    pb += rs;
  }
  storeT4(u0, u1, u2, u3, cp, rs, op, auxd);
  storeT4(v0, v1, v2, v3, cp + 4 * rs, rs, op, auxd);
}

/** Rows r of a 4x4 block of C at `cp` from its columns c0..c3 (transposed in registers), through the epilogue. */
// @ts-expect-error: decorator
@inline function storeT4(c0: v128, c1: v128, c2: v128, c3: v128, cp: usize, rs: usize, op: i32, auxd: usize): void {
  const t0 = i32x4.shuffle(c0, c1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(c0, c1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c2, c3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c2, c3, 2, 6, 3, 7);
  v128.store(cp, epiVec(i32x4.shuffle(t0, t2, 0, 1, 4, 5), op, cp, auxd));
  v128.store(cp + rs, epiVec(i32x4.shuffle(t0, t2, 2, 3, 6, 7), op, cp + rs, auxd));
  v128.store(cp + 2 * rs, epiVec(i32x4.shuffle(t1, t3, 0, 1, 4, 5), op, cp + 2 * rs, auxd));
  v128.store(cp + 3 * rs, epiVec(i32x4.shuffle(t1, t3, 2, 3, 6, 7), op, cp + 3 * rs, auxd));
}

/** 4 rows x 4 columns. */
// @ts-expect-error: decorator
@inline function tile4x4(
  pa: usize, ai: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const zero = f32x4.splat(0);
  let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  if (acc) {
    c0 = v128.load(cp); c1 = v128.load(cp + rs); c2 = v128.load(cp + 2 * rs); c3 = v128.load(cp + 3 * rs);
  } else if (bias != 0) {
    c0 = v128.load(bias); c1 = c0; c2 = c0; c3 = c0;
  }
  let pa0 = pa;
  let pa1 = pa + ai;
  let pa2 = pa + 2 * ai;
  let pa3 = pa + 3 * ai;
  const pEnd = pb + <usize>k * rs;
  while (pb < pEnd) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa0), b0, c0);
    c1 = madd(v128.load32_splat(pa1), b0, c1);
    c2 = madd(v128.load32_splat(pa2), b0, c2);
    c3 = madd(v128.load32_splat(pa3), b0, c3);
    pa0 += ap; pa1 += ap; pa2 += ap; pa3 += ap;
    pb += rs;
  }
  if (op != 0) {
    c0 = epiVec(c0, op, cp, auxd); c1 = epiVec(c1, op, cp + rs, auxd);
    c2 = epiVec(c2, op, cp + 2 * rs, auxd); c3 = epiVec(c3, op, cp + 3 * rs, auxd);
  }
  v128.store(cp, c0); v128.store(cp + rs, c1); v128.store(cp + 2 * rs, c2); v128.store(cp + 3 * rs, c3);
}

/** 4 rows x 1 column, scalar. */
// @ts-expect-error: decorator
@inline function tile4x1(
  pa: usize, ai: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let p = 0; p < k; p++) {
    const y = load<f32>(pb);
    s0 += load<f32>(pa) * y;
    s1 += load<f32>(pa + ai) * y;
    s2 += load<f32>(pa + 2 * ai) * y;
    s3 += load<f32>(pa + 3 * ai) * y;
    pa += ap;
    pb += rs;
  }
  if (acc) {
    s0 += load<f32>(cp); s1 += load<f32>(cp + rs); s2 += load<f32>(cp + 2 * rs); s3 += load<f32>(cp + 3 * rs);
  } else if (bias != 0) {
    const b = load<f32>(bias);
    s0 += b; s1 += b; s2 += b; s3 += b;
  }
  if (op != 0) {
    s0 = epiScalar(s0, op, cp, auxd); s1 = epiScalar(s1, op, cp + rs, auxd);
    s2 = epiScalar(s2, op, cp + 2 * rs, auxd); s3 = epiScalar(s3, op, cp + 3 * rs, auxd);
  }
  store<f32>(cp, s0); store<f32>(cp + rs, s1); store<f32>(cp + 2 * rs, s2); store<f32>(cp + 3 * rs, s3);
}

/** 1 row x 8 columns. */
// @ts-expect-error: decorator
@inline function tile1x8(
  pa: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (acc) { c0 = v128.load(cp); c1 = v128.load(cp, 16); }
  else if (bias != 0) { c0 = v128.load(bias); c1 = v128.load(bias, 16); }
  for (let p = 0; p < k; p++) {
    const x = v128.load32_splat(pa);
    c0 = madd(x, v128.load(pb), c0);
    c1 = madd(x, v128.load(pb, 16), c1);
    pa += ap;
    pb += rs;
  }
  if (op != 0) { c0 = epiVec(c0, op, cp, auxd); c1 = epiVec(c1, op, cp + 16, auxd); }
  v128.store(cp, c0); v128.store(cp, c1, 16);
}

/** 1 row x 4 columns. */
// @ts-expect-error: decorator
@inline function tile1x4(
  pa: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  let c0 = f32x4.splat(0);
  if (acc) c0 = v128.load(cp);
  else if (bias != 0) c0 = v128.load(bias);
  for (let p = 0; p < k; p++) {
    c0 = madd(v128.load32_splat(pa), v128.load(pb), c0);
    pa += ap;
    pb += rs;
  }
  if (op != 0) c0 = epiVec(c0, op, cp, auxd);
  v128.store(cp, c0);
}

/** 1 row x 1 column, scalar. */
// @ts-expect-error: decorator
@inline function tile1x1(
  pa: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += ap;
    pb += rs;
  }
  if (acc) s = load<f32>(cp) + s;
  else if (bias != 0) s += load<f32>(bias);
  store<f32>(cp, epiScalar(s, op, cp, auxd));
}

/**
 * Column j of C for op(A) = A^T (A stored [k, m], so rows i..i+3 of op(A) at a given p are four consecutive floats):
 * `rows` (4 or 16) rows at once, vectorised down the column. The edge columns of a narrow C (n % 4, e.g. the weight
 * gradient of a first layer reading 3 observations) would otherwise take scalar 4x1 tiles. It multiplies and adds
 * separately, never fused, so each element gets exactly the scalar tile's arithmetic (a change of rounding here would
 * move every tuned learning result on envs whose observation size is not a multiple of 4).
 */
// @ts-expect-error: decorator
@inline function tileVx1(
  rows: i32, pa: usize, ap: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const zero = f32x4.splat(0);
  let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  const pEnd = pb + <usize>k * rs;
  if (rows == 16) {
    while (pb < pEnd) {
      const y = v128.load32_splat(pb);
      c0 = f32x4.add(c0, f32x4.mul(v128.load(pa), y));
      c1 = f32x4.add(c1, f32x4.mul(v128.load(pa, 16), y));
      c2 = f32x4.add(c2, f32x4.mul(v128.load(pa, 32), y));
      c3 = f32x4.add(c3, f32x4.mul(v128.load(pa, 48), y));
      pa += ap;
      pb += rs;
    }
  } else {
    while (pb < pEnd) {
      c0 = f32x4.add(c0, f32x4.mul(v128.load(pa), v128.load32_splat(pb)));
      pa += ap;
      pb += rs;
    }
  }
  const b: f32 = bias != 0 ? load<f32>(bias) : 0;
  for (let g = 0; g < (rows >> 2); g++) {
    const v = g == 0 ? c0 : g == 1 ? c1 : g == 2 ? c2 : c3;
    for (let l = 0; l < 4; l++) {
      const cq = cp + <usize>(g * 4 + l) * rs;
      let z = f32x4.extract_lane(v, 0);
      if (l == 1) z = f32x4.extract_lane(v, 1);
      else if (l == 2) z = f32x4.extract_lane(v, 2);
      else if (l == 3) z = f32x4.extract_lane(v, 3);
      if (acc) z = load<f32>(cq) + z;
      else if (bias != 0) z += b;
      store<f32>(cq, epiScalar(z, op, cq, auxd));
    }
  }
}

/**
 * The last `nc` (1 to 3) columns of C for A stored row-major (the input gradient of a layer reading 3 features,
 * dX = dz W, C [m, 3]): four rows at once, vectorised down each column, A's 4x4 blocks transposed in registers so
 * each p gives the four rows' A values as one vector. Multiplies and adds separately, as tile4x1 does, so each
 * element gets exactly tile4x1's arithmetic: s = 0, s += A[i,p] * B[p,j] for p in order, then C or the bias.
 */
// @ts-expect-error: decorator
@inline function tile4xT(
  nc: i32, pa: usize, ai: usize, pb: usize, cp: usize, rs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const zero = f32x4.splat(0);
  let c0 = zero, c1 = zero, c2 = zero;
  let pa0 = pa;
  let pa1 = pa + ai;
  let pa2 = pa + 2 * ai;
  let pa3 = pa + 3 * ai;
  const k4 = k & ~3;
  for (let p = 0; p < k4; p += 4) {
    const r0 = v128.load(pa0);
    const r1 = v128.load(pa1);
    const r2 = v128.load(pa2);
    const r3 = v128.load(pa3);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    for (let q = 0; q < 4; q++) {
      const x = q == 0 ? i32x4.shuffle(t0, t2, 0, 1, 4, 5)
        : q == 1 ? i32x4.shuffle(t0, t2, 2, 3, 6, 7)
        : q == 2 ? i32x4.shuffle(t1, t3, 0, 1, 4, 5)
        : i32x4.shuffle(t1, t3, 2, 3, 6, 7);
      const pq = pb + <usize>q * rs;
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load32_splat(pq)));
      if (nc > 1) c1 = f32x4.add(c1, f32x4.mul(x, v128.load32_splat(pq, 4)));
      if (nc > 2) c2 = f32x4.add(c2, f32x4.mul(x, v128.load32_splat(pq, 8)));
    }
    pa0 += 16; pa1 += 16; pa2 += 16; pa3 += 16;
    pb += 4 * rs;
  }
  for (let p = k4; p < k; p++) {
    let x = v128.load32_splat(pa0);
    x = f32x4.replace_lane(x, 1, load<f32>(pa1));
    x = f32x4.replace_lane(x, 2, load<f32>(pa2));
    x = f32x4.replace_lane(x, 3, load<f32>(pa3));
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load32_splat(pb)));
    if (nc > 1) c1 = f32x4.add(c1, f32x4.mul(x, v128.load32_splat(pb, 4)));
    if (nc > 2) c2 = f32x4.add(c2, f32x4.mul(x, v128.load32_splat(pb, 8)));
    pa0 += 4; pa1 += 4; pa2 += 4; pa3 += 4;
    pb += rs;
  }
  for (let col = 0; col < nc; col++) {
    const v = col == 0 ? c0 : col == 1 ? c1 : c2;
    const b: f32 = bias != 0 ? load<f32>(bias + (<usize>col << 2)) : 0;
    for (let l = 0; l < 4; l++) {
      const cq = cp + <usize>l * rs + (<usize>col << 2);
      let z = f32x4.extract_lane(v, 0);
      if (l == 1) z = f32x4.extract_lane(v, 1);
      else if (l == 2) z = f32x4.extract_lane(v, 2);
      else if (l == 3) z = f32x4.extract_lane(v, 3);
      if (acc) z = load<f32>(cq) + z;
      else if (bias != 0) z += b;
      store<f32>(cq, epiScalar(z, op, cq, auxd));
    }
  }
}

/**
 * C[m,n] (+)= op(A)[m,k] · B[k,n] with B's rows contiguous. op(A)'s element (i, p) is at a + i*ai + p*ap (byte
 * strides), which covers A and A^T. Register blocking in 4x8 tiles of C (then 4x4, 4x1 and single-row edges).
 * Column panels of B are the outer loop and row blocks of A the inner one: the k x 8 panel of B stays in L1
 * while every row block passes over it (measured 3-10% faster than rows outer). `rs` is the row stride of B and C in
 * bytes (4n for the whole matrix; larger when B and C point at a block of columns).
 */
function gemmRowMajorB(
  a: usize, ai: usize, ap: usize, b: usize, c: usize, m: i32, k: i32, n: i32, rs: usize, acc: bool, bias: usize, op: i32,
  auxd: usize,
): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const pb = b + ((<usize>j) << 2);
    const cj = c + ((<usize>j) << 2);
    const bj: usize = bias == 0 ? 0 : bias + ((<usize>j) << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) tile4x8(a + <usize>i * ai, ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
    for (; i < m; i++) tile1x8(a + <usize>i * ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
  }
  for (; j + 4 <= n; j += 4) {
    const pb = b + ((<usize>j) << 2);
    const cj = c + ((<usize>j) << 2);
    const bj: usize = bias == 0 ? 0 : bias + ((<usize>j) << 2);
    let i = 0;
    if (ai == 4) for (; i + 8 <= m; i += 8) tile8x4T(a + <usize>i * 4, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
    for (; i + 4 <= m; i += 4) tile4x4(a + <usize>i * ai, ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
    for (; i < m; i++) tile1x4(a + <usize>i * ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
  }
  if (ap == 4 && j < n) {
    // A row-major: the last n % 4 columns together, four rows at a time (the rest of the rows below)
    const nc = n - j;
    const jo: usize = (<usize>j) << 2;
    const bj: usize = bias == 0 ? 0 : bias + jo;
    for (let i = 0; i + 4 <= m; i += 4) {
      const pa = a + <usize>i * ai;
      const cp = c + jo + <usize>i * rs;
      if (nc == 1) tile4xT(1, pa, ai, b + jo, cp, rs, k, acc, bj, op, auxd);
      else if (nc == 2) tile4xT(2, pa, ai, b + jo, cp, rs, k, acc, bj, op, auxd);
      else tile4xT(3, pa, ai, b + jo, cp, rs, k, acc, bj, op, auxd);
    }
  }
  for (; j < n; j++) {
    const pb = b + ((<usize>j) << 2);
    const cj = c + ((<usize>j) << 2);
    const bj: usize = bias == 0 ? 0 : bias + ((<usize>j) << 2);
    let i = 0;
    if (ap == 4) i = m & ~3; // done by tile4xT above
    if (ai == 4) {
      for (; i + 16 <= m; i += 16) tileVx1(16, a + <usize>i * 4, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
      for (; i + 4 <= m; i += 4) tileVx1(4, a + <usize>i * 4, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
    }
    for (; i + 4 <= m; i += 4) tile4x1(a + <usize>i * ai, ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
    for (; i < m; i++) tile1x1(a + <usize>i * ai, ap, pb, cj + <usize>i * rs, rs, k, acc, bj, op, auxd);
  }
}

/**
 * C[i..i+3, j] of gemmDotNT: four rows of A (at `pa`, row stride `ks` bytes) dotted with row j of B (at `pb`), four
 * independent multiply-add chains instead of one at a time. Each element's arithmetic is gemmDotNT's single-column
 * loop's: a madd chain over the k4 vector steps, hsum, the scalar tail, then C or the bias added, then the epilogue.
 */
// @ts-expect-error: decorator
@inline function dotRows4(
  pa: usize, ks: usize, pb: usize, cp: usize, cs: usize, k: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const k4 = k & ~3;
  const pa1 = pa + ks;
  const pa2 = pa1 + ks;
  const pa3 = pa2 + ks;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  for (let p = 0; p < k4; p += 4) {
    const o = (<usize>p) << 2;
    const y = v128.load(pb + o);
    s0 = madd(v128.load(pa + o), y, s0);
    s1 = madd(v128.load(pa1 + o), y, s1);
    s2 = madd(v128.load(pa2 + o), y, s2);
    s3 = madd(v128.load(pa3 + o), y, s3);
  }
  let h0 = hsum(s0), h1 = hsum(s1), h2 = hsum(s2), h3 = hsum(s3);
  for (let p = k4; p < k; p++) {
    const o = (<usize>p) << 2;
    const y = load<f32>(pb + o);
    h0 += load<f32>(pa + o) * y;
    h1 += load<f32>(pa1 + o) * y;
    h2 += load<f32>(pa2 + o) * y;
    h3 += load<f32>(pa3 + o) * y;
  }
  if (acc) {
    h0 = load<f32>(cp) + h0; h1 = load<f32>(cp + cs) + h1; h2 = load<f32>(cp + 2 * cs) + h2; h3 = load<f32>(cp + 3 * cs) + h3;
  } else if (bias != 0) {
    const bv = load<f32>(bias);
    h0 += bv; h1 += bv; h2 += bv; h3 += bv;
  }
  store<f32>(cp, epiScalar(h0, op, cp, auxd));
  store<f32>(cp + cs, epiScalar(h1, op, cp + cs, auxd));
  store<f32>(cp + 2 * cs, epiScalar(h2, op, cp + 2 * cs, auxd));
  store<f32>(cp + 3 * cs, epiScalar(h3, op, cp + 3 * cs, auxd));
}

/**
 * C[m,n] (+)= A[m,k] · B^T with B stored [n,k]: dot products of contiguous rows, one A row against four B rows
 * at a time. Used when m is too small to repay packing B^T (acting with batch 1).
 */
function gemmDotNT(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: bool, bias: usize, op: i32, auxd: usize,
): void {
  const ks: usize = (<usize>k) << 2;
  const k4 = k & ~3;
  const m4 = m & ~3;
  const n4 = n & ~3;
  // the last n % 4 columns (all of C for a 1- or 2-output head), four rows at a time
  for (let i = 0; i < m4; i += 4) {
    for (let j = n4; j < n; j++) {
      const jo: usize = (<usize>j) << 2;
      const cp = c + ((<usize>i * <usize>n) << 2) + jo;
      dotRows4(a + <usize>i * ks, ks, b + <usize>j * ks, cp, (<usize>n) << 2, k, acc, bias == 0 ? 0 : bias + jo, op, auxd);
    }
  }
  for (let i = 0; i < m; i++) {
    const pa = a + <usize>i * ks;
    const cRow = c + ((<usize>i * <usize>n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pb0 = b + <usize>j * ks;
      const pb1 = pb0 + ks;
      const pb2 = pb1 + ks;
      const pb3 = pb2 + ks;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = (<usize>p) << 2;
        const x = v128.load(pa + o);
        s0 = madd(x, v128.load(pb0 + o), s0);
        s1 = madd(x, v128.load(pb1 + o), s1);
        s2 = madd(x, v128.load(pb2 + o), s2);
        s3 = madd(x, v128.load(pb3 + o), s3);
      }
      let h0 = hsum(s0), h1 = hsum(s1), h2 = hsum(s2), h3 = hsum(s3);
      for (let p = k4; p < k; p++) {
        const o = (<usize>p) << 2;
        const x = load<f32>(pa + o);
        h0 += x * load<f32>(pb0 + o);
        h1 += x * load<f32>(pb1 + o);
        h2 += x * load<f32>(pb2 + o);
        h3 += x * load<f32>(pb3 + o);
      }
      const cp = cRow + ((<usize>j) << 2);
      let h = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(h0), 1, h1), 2, h2), 3, h3);
      if (acc) h = f32x4.add(v128.load(cp), h);
      else if (bias != 0) h = f32x4.add(h, v128.load(bias + ((<usize>j) << 2)));
      v128.store(cp, epiVec(h, op, cp, auxd));
    }
    if (i < m4) continue; // its last n % 4 columns: done by dotRows4 above
    for (; j < n; j++) {
      const pb = b + <usize>j * ks;
      let s = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = (<usize>p) << 2;
        s = madd(v128.load(pa + o), v128.load(pb + o), s);
      }
      let h = hsum(s);
      for (let p = k4; p < k; p++) h += load<f32>(pa + ((<usize>p) << 2)) * load<f32>(pb + ((<usize>p) << 2));
      const cp = cRow + ((<usize>j) << 2);
      if (acc) h = load<f32>(cp) + h;
      else if (bias != 0) h += load<f32>(bias + ((<usize>j) << 2));
      store<f32>(cp, epiScalar(h, op, cp, auxd));
    }
  }
}

/**
 * dst[c, r] = src[r, c] for src [rows, cols]: 4x4 tiles transposed in registers, scalar edges. `dstStride` is dst's
 * row length in floats (`rows` for a whole transpose; the full width when dst is a block of columns).
 */
function transpose(src: usize, dst: usize, rows: i32, cols: i32, dstStride: i32): void {
  const sr: usize = (<usize>cols) << 2; // src row stride
  const dr: usize = (<usize>dstStride) << 2; // dst row stride
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = src + <usize>r * sr;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const s = s0 + ((<usize>c) << 2);
      const r0 = v128.load(s);
      const r1 = v128.load(s + sr);
      const r2 = v128.load(s + 2 * sr);
      const r3 = v128.load(s + 3 * sr);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>c * dr + ((<usize>r) << 2);
      v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(d + dr, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * dr, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * dr, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) {
        store<f32>(dst + <usize>c * dr + ((<usize>(r + i)) << 2), load<f32>(s0 + <usize>i * sr + ((<usize>c) << 2)));
      }
    }
  }
  for (; r < rows; r++) {
    const s = src + <usize>r * sr;
    for (let c = 0; c < cols; c++) store<f32>(dst + <usize>c * dr + ((<usize>r) << 2), load<f32>(s + ((<usize>c) << 2)));
  }
}

/** Below this many rows, or below this many columns, of C, C = A·B^T runs as dot products instead of packing B^T. */
const DOT_ROWS = 4;
const DOT_COLS = 8;

/**
 * Whether a matmul of these flags and sizes multiplies by a packed B^T (transposed into `scratch` first) rather
 * than by dot products or by B as stored. Decided from the WHOLE C, so that every block of rows of a split call
 * takes the same path as the undivided call.
 */
export function matmulPacksB(m: i32, n: i32, transA: bool, transB: bool): bool {
  return transB && (transA || (m >= DOT_ROWS && n >= DOT_COLS));
}

/**
 * C[m,n] = epilogue(([C +] op(A)[m,k] · op(B)[k,n]) [+ bias]): `bias` (0: none; never with acc) a row of n floats,
 * `op` and `aux` (y for the gradient epilogues, C's shape; it may be C itself) as above. `scratch` must hold k*n
 * floats when transB is set (B^T is packed there) and must not overlap A, B or C.
 */
export function matmul(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, acc: bool, scratch: usize,
  bias: usize, op: i32, aux: usize,
): void {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    // the empty product: C, the bias or 0, through the epilogue
    const auxd: usize = aux - c;
    for (let i: usize = 0; i < <usize>m * <usize>n; i++) {
      const cp = c + (i << 2);
      const z: f32 = acc ? load<f32>(cp) : bias != 0 ? load<f32>(bias + ((i % <usize>n) << 2)) : 0;
      store<f32>(cp, epiScalar(z, op, cp, auxd));
    }
    return;
  }
  if (matmulPacksB(m, n, transA, transB)) transpose(b, scratch, n, k, n);
  matmulRows(a, b, c, m, k, n, transA, transB, acc, scratch, bias, op, aux, 0, m);
}

/** `scratch` = B^T for B stored [n, k] (the packing step of matmul, exported for the thread pool). */
export function packB(b: usize, scratch: usize, n: i32, k: i32): void {
  transpose(b, scratch, n, k, n);
}

/**
 * Rows [i0, i1) of matmul's C, k > 0, B^T already packed in `scratch` when matmulPacksB says so. The threads of
 * src/core/kernels/thread-pool.ts each run one block of rows; i0 must be a multiple of 16 (or i1 = m) so that
 * every row falls in the same micro-tile as in the undivided call (the 16-row tiles of tileVx1 are the largest):
 * each element of C then gets exactly the arithmetic, in the same order, of the single-thread call.
 */
export function matmulRows(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, acc: bool, scratch: usize,
  bias: usize, op: i32, aux: usize, i0: i32, i1: i32,
): void {
  const auxd: usize = aux - c;
  const rows = i1 - i0;
  if (rows <= 0) return;
  const ci = c + ((<usize>i0 * <usize>n) << 2);
  if (transB && !matmulPacksB(m, n, transA, transB)) {
    gemmDotNT(a + ((<usize>i0 * <usize>k) << 2), b, ci, rows, k, n, acc, bias, op, auxd);
    return;
  }
  const ai: usize = transA ? 4 : (<usize>k) << 2;
  const ap: usize = transA ? (<usize>m) << 2 : 4;
  gemmRowMajorB(a + <usize>i0 * ai, ai, ap, transB ? scratch : b, ci, rows, k, n, (<usize>n) << 2, acc, bias, op, auxd);
}

/**
 * Columns [j0, j1) of matmul's C, k > 0, for the paths that multiply by B row-major (not the dot-product path:
 * matmulPacksB must hold when transB is set). When B is packed, this call packs its own columns of B^T into
 * `scratch` first, so threads that split C by columns pack in parallel and each reads only its share of B (a
 * batch-64 product by a 256x256 weight is B-bound: splitting rows would make every thread read all of B). j0 must
 * be a multiple of 8 and j1 one too (or n): every column then falls in the same micro-tile as in the undivided
 * call, so each element gets exactly its arithmetic, in the same order.
 */
export function matmulCols(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, acc: bool, scratch: usize,
  bias: usize, op: i32, aux: usize, j0: i32, j1: i32,
): void {
  const cols = j1 - j0;
  if (cols <= 0) return;
  const rs: usize = (<usize>n) << 2;
  const jo: usize = (<usize>j0) << 2;
  let pb = b + jo;
  if (transB) {
    transpose(b + <usize>j0 * ((<usize>k) << 2), scratch + jo, cols, k, n);
    pb = scratch + jo;
  }
  const ai: usize = transA ? 4 : (<usize>k) << 2;
  const ap: usize = transA ? (<usize>m) << 2 : 4;
  gemmRowMajorB(a, ai, ap, pb, c + jo, m, k, cols, rs, acc, bias == 0 ? 0 : bias + jo, op, aux - c);
}

// ---------------------------------------------------------------------------------------------------------------
// fill, copy, scalar arithmetic

export function fill(out: usize, value: f32, n: i32): void {
  const v = f32x4.splat(value);
  const end = out + ((<usize>n) << 2);
  let p = out;
  for (; p + 16 <= end; p += 16) v128.store(p, v);
  for (; p < end; p += 4) store<f32>(p, value);
}

export function copy(src: usize, out: usize, n: i32): void {
  memory.copy(out, src, (<usize>n) << 2);
}

export function scale(x: usize, s: f32, out: usize, n: i32): void {
  const sv = f32x4.splat(s);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.mul(v128.load(x + o), sv));
  for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(x + o) * s);
}

export function addScalar(x: usize, s: f32, out: usize, n: i32): void {
  const sv = f32x4.splat(s);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.add(v128.load(x + o), sv));
  for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(x + o) + s);
}

export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const av = f32x4.splat(alpha);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(y + o, madd(av, v128.load(x + o), v128.load(y + o)));
  for (; o < bytes; o += 4) store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
}

// Broadcast modes, as in kernels.ts
const FULL = 0;
const ROW = 1;
const COL = 2;

/** Byte address of row r of an operand laid out by `mode`; for COL/SCALAR modes the row is one repeated value. */
// @ts-expect-error: decorator
@inline function rowPtr(base: usize, mode: i32, r: i32, cols: i32): usize {
  if (mode == FULL) return base + ((<usize>r * <usize>cols) << 2);
  if (mode == COL) return base + ((<usize>r) << 2);
  return base; // ROW, SCALAR
}

// @ts-expect-error: decorator
@inline function isVector(mode: i32): bool {
  return mode == FULL || mode == ROW;
}

export function broadcast(src: usize, mode: i32, out: usize, rows: i32, cols: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const s = rowPtr(src, mode, r, cols);
    const o = out + <usize>r * rowBytes;
    if (isVector(mode)) memory.copy(o, s, rowBytes);
    else fill(o, load<f32>(s), cols);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// elementwise binary with broadcasting

const OP_ADD = 0;
const OP_SUB = 1;
const OP_MUL = 2;
const OP_DIV = 3;
const OP_MIN = 4;
const OP_MAX = 5;

// @ts-expect-error: decorator
@inline function vop(op: i32, x: v128, y: v128): v128 {
  if (op == OP_ADD) return f32x4.add(x, y);
  if (op == OP_SUB) return f32x4.sub(x, y);
  if (op == OP_MUL) return f32x4.mul(x, y);
  if (op == OP_DIV) return f32x4.div(x, y);
  if (op == OP_MIN) return f32x4.min(x, y);
  return f32x4.max(x, y);
}

// @ts-expect-error: decorator
@inline function sop(op: i32, x: f32, y: f32): f32 {
  if (op == OP_ADD) return x + y;
  if (op == OP_SUB) return x - y;
  if (op == OP_MUL) return x * y;
  if (op == OP_DIV) return x / y;
  if (op == OP_MIN) return min<f32>(x, y);
  return max<f32>(x, y);
}

/** One row: out[c] (+)= a[c] op b[c], where a non-vector operand is the single value at its pointer. */
// @ts-expect-error: decorator
@inline function binaryRow(op: i32, a: usize, aVec: bool, b: usize, bVec: bool, out: usize, cols: i32, acc: bool): void {
  const bytes = (<usize>cols) << 2;
  const as = load<f32>(a);
  const bs = load<f32>(b);
  const av = f32x4.splat(as);
  const bv = f32x4.splat(bs);
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    let y = vop(op, aVec ? v128.load(a + o) : av, bVec ? v128.load(b + o) : bv);
    if (acc) y = f32x4.add(v128.load(out + o), y);
    v128.store(out + o, y);
  }
  for (; o < bytes; o += 4) {
    let y = sop(op, aVec ? load<f32>(a + o) : as, bVec ? load<f32>(b + o) : bs);
    if (acc) y += load<f32>(out + o);
    store<f32>(out + o, y);
  }
}

// @ts-expect-error: decorator
@inline function binary(op: i32, a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  if (aMode == FULL && bMode == FULL) {
    // one long row
    if (acc) binaryRow(op, a, true, b, true, out, rows * cols, true);
    else binaryRow(op, a, true, b, true, out, rows * cols, false);
    return;
  }
  const aVec = isVector(aMode);
  const bVec = isVector(bMode);
  for (let r = 0; r < rows; r++) {
    const pa = rowPtr(a, aMode, r, cols);
    const pb = rowPtr(b, bMode, r, cols);
    const po = out + ((<usize>r * <usize>cols) << 2);
    if (aVec && bVec) {
      if (acc) binaryRow(op, pa, true, pb, true, po, cols, true);
      else binaryRow(op, pa, true, pb, true, po, cols, false);
    } else if (aVec) {
      if (acc) binaryRow(op, pa, true, pb, false, po, cols, true);
      else binaryRow(op, pa, true, pb, false, po, cols, false);
    } else if (bVec) {
      if (acc) binaryRow(op, pa, false, pb, true, po, cols, true);
      else binaryRow(op, pa, false, pb, true, po, cols, false);
    } else {
      if (acc) binaryRow(op, pa, false, pb, false, po, cols, true);
      else binaryRow(op, pa, false, pb, false, po, cols, false);
    }
  }
}

export function add(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_ADD, a, aMode, b, bMode, out, rows, cols, acc);
}
export function sub(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_SUB, a, aMode, b, bMode, out, rows, cols, acc);
}
export function mul(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_MUL, a, aMode, b, bMode, out, rows, cols, acc);
}
export function div(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_DIV, a, aMode, b, bMode, out, rows, cols, acc);
}
export function minimum(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_MIN, a, aMode, b, bMode, out, rows, cols, acc);
}
export function maximum(a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32, acc: bool): void {
  binary(OP_MAX, a, aMode, b, bMode, out, rows, cols, acc);
}

/** out = mask ? a : b, mask one byte per output element at `mask`. */
export function where(mask: usize, a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const pa = rowPtr(a, aMode, r, cols);
    const pb = rowPtr(b, bMode, r, cols);
    const aStep: usize = isVector(aMode) ? 4 : 0;
    const bStep: usize = isVector(bMode) ? 4 : 0;
    const base = <usize>r * <usize>cols;
    for (let c = 0; c < cols; c++) {
      const i = base + <usize>c;
      const src = load<u8>(mask + i) != 0 ? pa + <usize>c * aStep : pb + <usize>c * bStep;
      store<f32>(out + (i << 2), load<f32>(src));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// elementwise unary

export function neg(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.neg(v128.load(x + o)));
  for (; o < bytes; o += 4) store<f32>(out + o, -load<f32>(x + o));
}

export function square(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const v = v128.load(x + o);
    v128.store(out + o, f32x4.mul(v, v));
  }
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    store<f32>(out + o, v * v);
  }
}

export function sqrt(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.sqrt(v128.load(x + o)));
  for (; o < bytes; o += 4) store<f32>(out + o, Mathf.sqrt(load<f32>(x + o)));
}

export function relu(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  // pmax (x < 0 ? 0 : x) keeps NaN from x as the reference does
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.pmax(v128.load(x + o), zero));
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    store<f32>(out + o, v < 0 ? 0 : v);
  }
}

export function clamp(x: usize, lo: f32, hi: f32, out: usize, n: i32): void {
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, f32x4.min(f32x4.max(v128.load(x + o), lov), hiv));
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    store<f32>(out + o, v < lo ? lo : v > hi ? hi : v);
  }
}

// Vectorised exp and tanh: the scalar libm versions cost ~10-30 ns per element, which made tanh layers the largest
// cost of a small network's training step.

/** e^x for four lanes (Cephes' expf polynomial, 1 ulp): x = n ln2 + r, e^r by a degree-6 polynomial, times 2^n built in exponent bits (in two
 * halves, so n = 128 near the overflow threshold and the subnormal results below -87.3 come out right). */
// @ts-expect-error: decorator
@inline function expv(x: v128): v128 {
  const hi = f32x4.splat(88.72283935546875); // ln(FLT_MAX): above it, +Infinity
  const lo = f32x4.splat(-103.972076416); // below it the result rounds to 0
  const big = f32x4.gt(x, hi);
  const tiny = f32x4.lt(x, lo);
  // pmin/pmax (one minps/maxps each; wasm's min/max cost a NaN-and-zero fix-up sequence on x86): against these
  // non-zero constants they give the same lanes, NaN included
  let v = f32x4.pmax(f32x4.pmin(x, hi), lo);
  // n = round(x / ln2) without floor or float->int conversion: adding 1.5 * 2^23 leaves n in the low mantissa bits
  const magic = f32x4.splat(12582912.0);
  const t = madd(v, f32x4.splat(1.44269504088896341), magic);
  const fx = f32x4.sub(t, magic);
  // r = x - n ln2, ln2 split in two for exactness
  v = madd(fx, f32x4.splat(-0.693359375), v);
  v = madd(fx, f32x4.splat(2.12194440e-4), v);
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, v, f32x4.splat(1.3981999507e-3));
  y = madd(y, v, f32x4.splat(8.3334519073e-3));
  y = madd(y, v, f32x4.splat(4.1665795894e-2));
  y = madd(y, v, f32x4.splat(1.6666665459e-1));
  y = madd(y, v, f32x4.splat(5.0000001201e-1));
  y = madd(y, f32x4.mul(v, v), f32x4.add(v, f32x4.splat(1)));
  const n = i32x4.sub(t, magic);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  y = f32x4.mul(f32x4.mul(y, i32x4.shl(i32x4.add(n1, bias), 23)), i32x4.shl(i32x4.add(n2, bias), 23));
  y = v128.bitselect(f32x4.splat(Infinity), y, big);
  return v128.andnot(y, tiny);
}

/**
 * tanh for four lanes: the odd rational minimax approximation x P(x^2) / Q(x^2) of Eigen (and XLA) on x clamped to
 * +-7.9053: one division and no exp, 1.7x faster than 1 - 2 / (e^{2x} + 1). Absolute error below 4e-7: a few ulp
 * where tanh approaches +-1, about 1 ulp elsewhere.
 */
// @ts-expect-error: decorator
@inline function tanhv(x: v128): v128 {
  const c = f32x4.splat(7.90531110763549805);
  const xc = f32x4.pmax(f32x4.pmin(x, c), f32x4.neg(c)); // NaN stays NaN; pmin/pmax as in expv
  const x2 = f32x4.mul(xc, xc);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = madd(p, x2, f32x4.splat(2.00018790482477e-13));
  p = madd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = madd(p, x2, f32x4.splat(5.12229709037114e-8));
  p = madd(p, x2, f32x4.splat(1.48572235717979e-5));
  p = madd(p, x2, f32x4.splat(6.37261928875436e-4));
  p = madd(p, x2, f32x4.splat(4.89352455891786e-3));
  let q = f32x4.splat(1.19825839466702e-6);
  q = madd(q, x2, f32x4.splat(1.18534705686654e-4));
  q = madd(q, x2, f32x4.splat(2.268434632439e-3));
  q = madd(q, x2, f32x4.splat(4.89352518554385e-3));
  const r = f32x4.div(f32x4.mul(xc, p), q);
  // below 4e-4, tanh(x) = x to float precision (and the ratio would lose the sign of -0)
  return v128.bitselect(x, r, f32x4.lt(f32x4.abs(x), f32x4.splat(0.0004)));
}

/** The last n % 4 (1 to 3) floats at p as a vector (zeros after them), so tails go through the same lane function. */
// @ts-expect-error: decorator
@inline function loadTail(p: usize, rest: i32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
  if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// @ts-expect-error: decorator
@inline function storeTail(p: usize, v: v128, rest: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rest > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rest > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// (exp and tanh each have their own loop: a shared loop choosing `flag ? tanhv(v) : expv(v)` compiles to a wasm
// `select`, which evaluates both.)
export function exp(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, expv(v128.load(x + o)));
  const rest = <i32>((bytes - o) >> 2);
  if (rest > 0) storeTail(out + o, expv(loadTail(x + o, rest)), rest);
}

export function tanh(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  // four independent vectors per pass: measured 1.2x faster than one at a time
  for (; o + 64 <= bytes; o += 64) {
    const y0 = tanhv(v128.load(x + o));
    const y1 = tanhv(v128.load(x + o, 16));
    const y2 = tanhv(v128.load(x + o, 32));
    const y3 = tanhv(v128.load(x + o, 48));
    v128.store(out + o, y0);
    v128.store(out + o, y1, 16);
    v128.store(out + o, y2, 32);
    v128.store(out + o, y3, 48);
  }
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, tanhv(v128.load(x + o)));
  const rest = <i32>((bytes - o) >> 2);
  if (rest > 0) storeTail(out + o, tanhv(loadTail(x + o, rest)), rest);
}

/**
 * ln x for four lanes (Cephes' logf, about 1 ulp): x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m by a degree-9
 * polynomial in m - 1, plus e ln2 with ln2 split in two. Subnormals are scaled by 2^23 first; x < 0 and NaN give
 * NaN, 0 gives -Infinity, +Infinity stays.
 */
// @ts-ignore: decorator
@inline function logv(x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const sub = f32x4.lt(x, f32x4.splat(1.17549435e-38)); // subnormal (or <= 0: fixed up below)
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, sub);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(sub, i32x4.splat(23)));
  // m in [0.5, 1): the mantissa with the exponent of 0.5
  const m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // below sqrt(1/2): use 2m - 1 and e - 1 (the masks are -1 where true)
  const low = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, low);
  const t = f32x4.add(f32x4.sub(m, one), v128.and(m, low));
  const z = f32x4.mul(t, t);
  let y = f32x4.splat(7.0376836292e-2);
  y = madd(y, t, f32x4.splat(-1.1514610310e-1));
  y = madd(y, t, f32x4.splat(1.1676998740e-1));
  y = madd(y, t, f32x4.splat(-1.2420140846e-1));
  y = madd(y, t, f32x4.splat(1.4249322787e-1));
  y = madd(y, t, f32x4.splat(-1.6668057665e-1));
  y = madd(y, t, f32x4.splat(2.0000714765e-1));
  y = madd(y, t, f32x4.splat(-2.4999993993e-1));
  y = madd(y, t, f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, t), z);
  const ef = f32x4.convert_i32x4_s(e);
  y = madd(ef, f32x4.splat(-2.12194440e-4), y);
  y = madd(z, f32x4.splat(-0.5), y);
  let r = f32x4.add(t, y);
  r = madd(ef, f32x4.splat(0.693359375), r);
  // special values: +Inf stays, 0 -> -Inf, x < 0 or NaN -> NaN
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, zero));
  return v128.bitselect(f32x4.splat(NaN), r, v128.or(f32x4.lt(x, zero), f32x4.ne(x, x)));
}

export function log(x: usize, out: usize, n: i32): void {
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(out + o, logv(v128.load(x + o)));
  const rest = <i32>((bytes - o) >> 2);
  // the zero-filled lanes of a tail vector give -Infinity, never stored
  if (rest > 0) storeTail(out + o, logv(loadTail(x + o, rest)), rest);
}

// ---------------------------------------------------------------------------------------------------------------
// backward helpers

export function tanhBackward(y: usize, gy: usize, gx: usize, n: i32, acc: bool): void {
  const one = f32x4.splat(1);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const t = v128.load(y + o);
    let d = f32x4.mul(v128.load(gy + o), f32x4.sub(one, f32x4.mul(t, t)));
    if (acc) d = f32x4.add(v128.load(gx + o), d);
    v128.store(gx + o, d);
  }
  for (; o < bytes; o += 4) {
    const t = load<f32>(y + o);
    let d = load<f32>(gy + o) * (1 - t * t);
    if (acc) d += load<f32>(gx + o);
    store<f32>(gx + o, d);
  }
}

export function reluBackward(x: usize, gy: usize, gx: usize, n: i32, acc: bool): void {
  const zero = f32x4.splat(0);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    let d = v128.and(v128.load(gy + o), f32x4.gt(v128.load(x + o), zero));
    if (acc) d = f32x4.add(v128.load(gx + o), d);
    v128.store(gx + o, d);
  }
  for (; o < bytes; o += 4) {
    let d: f32 = load<f32>(x + o) > 0 ? load<f32>(gy + o) : 0;
    if (acc) d += load<f32>(gx + o);
    store<f32>(gx + o, d);
  }
}

export function clampBackward(x: usize, lo: f32, hi: f32, gy: usize, gx: usize, n: i32, acc: bool): void {
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const v = v128.load(x + o);
    const inside = v128.and(f32x4.ge(v, lov), f32x4.le(v, hiv));
    let d = v128.and(v128.load(gy + o), inside);
    if (acc) d = f32x4.add(v128.load(gx + o), d);
    v128.store(gx + o, d);
  }
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    let d: f32 = v >= lo && v <= hi ? load<f32>(gy + o) : 0;
    if (acc) d += load<f32>(gx + o);
    store<f32>(gx + o, d);
  }
}

export function minMaxBackward(a: usize, b: usize, gy: usize, ga: usize, gb: usize, n: i32, isMax: bool): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    const x = load<f32>(a + o);
    const y = load<f32>(b + o);
    const g = load<f32>(gy + o);
    if (x == y) {
      store<f32>(ga + o, 0.5 * g);
      store<f32>(gb + o, 0.5 * g);
    } else if (isMax ? x > y : x < y) {
      store<f32>(ga + o, g);
      store<f32>(gb + o, 0);
    } else {
      store<f32>(ga + o, 0);
      store<f32>(gb + o, g);
    }
  }
}

export function maskedGrad(mask: usize, negate: bool, gy: usize, gx: usize, n: i32, acc: bool): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    const on = (load<u8>(mask + <usize>i) != 0) != negate;
    let d: f32 = on ? load<f32>(gy + o) : 0;
    if (acc) d += load<f32>(gx + o);
    store<f32>(gx + o, d);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// reductions

/** Sum of n floats: four f32x4 partial sums (16 lanes), then the lanes in f64. */
function sumRange(x: usize, n: i32): f64 {
  const bytes = (<usize>n) << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let o: usize = 0;
  for (; o + 64 <= bytes; o += 64) {
    s0 = f32x4.add(s0, v128.load(x + o));
    s1 = f32x4.add(s1, v128.load(x + o, 16));
    s2 = f32x4.add(s2, v128.load(x + o, 32));
    s3 = f32x4.add(s3, v128.load(x + o, 48));
  }
  for (; o + 16 <= bytes; o += 16) s0 = f32x4.add(s0, v128.load(x + o));
  let s: f64 = <f64>hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  for (; o < bytes; o += 4) s += <f64>load<f32>(x + o);
  return s;
}

export function sumAll(x: usize, out: usize, n: i32, acc: bool): void {
  let s = sumRange(x, n);
  if (acc) s += <f64>load<f32>(out);
  store<f32>(out, <f32>s);
}

export function sumRows(x: usize, out: usize, rows: i32, cols: i32, acc: bool): void {
  for (let r = 0; r < rows; r++) {
    let s = sumRange(x + ((<usize>r * <usize>cols) << 2), cols);
    const o = out + ((<usize>r) << 2);
    if (acc) s += <f64>load<f32>(o);
    store<f32>(o, <f32>s);
  }
}

export function sumCols(x: usize, out: usize, rows: i32, cols: i32, acc: bool): void {
  // 16 columns at a time with their sums in registers, rows added in order (the same additions, in the same order,
  // as a row-by-row pass; without its load and store of the sums per row)
  const rs: usize = (<usize>cols) << 2;
  const zero = f32x4.splat(0);
  let c = 0;
  for (; c + 16 <= cols; c += 16) {
    const o = out + ((<usize>c) << 2);
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    if (acc) { s0 = v128.load(o); s1 = v128.load(o, 16); s2 = v128.load(o, 32); s3 = v128.load(o, 48); }
    let p = x + ((<usize>c) << 2);
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
      p += rs;
    }
    v128.store(o, s0); v128.store(o, s1, 16); v128.store(o, s2, 32); v128.store(o, s3, 48);
  }
  for (; c + 4 <= cols; c += 4) {
    const o = out + ((<usize>c) << 2);
    let s0 = acc ? v128.load(o) : zero;
    let p = x + ((<usize>c) << 2);
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      p += rs;
    }
    v128.store(o, s0);
  }
  for (; c < cols; c++) {
    const o = out + ((<usize>c) << 2);
    let s: f32 = acc ? load<f32>(o) : 0;
    let p = x + ((<usize>c) << 2);
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += rs;
    }
    store<f32>(o, s);
  }
}

export function maxRows(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let best = load<f32>(row);
    for (let c = 1; c < cols; c++) {
      const v = load<f32>(row + ((<usize>c) << 2));
      if (v > best) best = v;
    }
    store<f32>(out + ((<usize>r) << 2), best);
  }
}

/** out: i32 per row. */
export function argmaxRows(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let best = 0;
    let bestV = load<f32>(row);
    for (let c = 1; c < cols; c++) {
      const v = load<f32>(row + ((<usize>c) << 2));
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    store<i32>(out + ((<usize>r) << 2), best);
  }
}

export function sumSquares(x: usize, n: i32): f64 {
  return dot(x, x, n);
}

export function dot(x: usize, y: usize, n: i32): f64 {
  const bytes = (<usize>n) << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let o: usize = 0;
  for (; o + 32 <= bytes; o += 32) {
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
    s1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), s1);
  }
  for (; o + 16 <= bytes; o += 16) s0 = madd(v128.load(x + o), v128.load(y + o), s0);
  let s: f64 = <f64>hsum(f32x4.add(s0, s1));
  for (; o < bytes; o += 4) s += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// softmax family

export function logSoftmax(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>cols) << 2;
    const xi = x + off;
    const oi = out + off;
    let mx = -Infinity as f32;
    for (let c = 0; c < cols; c++) mx = max<f32>(mx, load<f32>(xi + ((<usize>c) << 2)));
    let s: f32 = 0;
    for (let c = 0; c < cols; c++) s += Mathf.exp(load<f32>(xi + ((<usize>c) << 2)) - mx);
    const lse = mx + Mathf.log(s);
    for (let c = 0; c < cols; c++) {
      const o = (<usize>c) << 2;
      store<f32>(oi + o, load<f32>(xi + o) - lse);
    }
  }
}

export function logSoftmaxBackward(y: usize, gy: usize, gx: usize, rows: i32, cols: i32, acc: bool): void {
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>cols) << 2;
    let s: f32 = 0;
    for (let c = 0; c < cols; c++) s += load<f32>(gy + off + ((<usize>c) << 2));
    for (let c = 0; c < cols; c++) {
      const o = off + ((<usize>c) << 2);
      let d = load<f32>(gy + o) - Mathf.exp(load<f32>(y + o)) * s;
      if (acc) d += load<f32>(gx + o);
      store<f32>(gx + o, d);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// indexing (indices are i32 in memory and already validated by the caller)

export function gather(x: usize, index: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const j = load<i32>(index + ((<usize>r) << 2));
    store<f32>(out + ((<usize>r) << 2), load<f32>(x + ((<usize>r * <usize>cols + <usize>j) << 2)));
  }
}

export function scatterAddRows(g: usize, index: usize, gx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const j = load<i32>(index + ((<usize>r) << 2));
    const p = gx + ((<usize>r * <usize>cols + <usize>j) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(g + ((<usize>r) << 2)));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// fused optimizer steps

// The caller computes in float64 the bias corrections (stepSize = lr / (1 - b1^t), invBc2Sqrt = 1 / sqrt(1 - b2^t))
// and c1 = 1 - b1, c2 = 1 - b2 (1 - f32(0.999) is 4.7e-5 off 0.001). Math.pow here would read lookup tables in this
// module's static data, so a step would silently depend on the arena head staying intact (with the tables
// overwritten, every step t >= 3 moved parameters several lr too far).
export function adamStep(
  param: usize, grad: usize, m: usize, v: usize, n: i32,
  stepSize: f32, invBc2Sqrt: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, weightDecay: f32,
): void {
  const wd = weightDecay;
  const e = eps;
  const b1v = f32x4.splat(b1), c1v = f32x4.splat(c1);
  const b2v = f32x4.splat(b2), c2v = f32x4.splat(c2);
  const wdv = f32x4.splat(wd), ev = f32x4.splat(e);
  const ssv = f32x4.splat(stepSize), ibv = f32x4.splat(invBc2Sqrt);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const p = v128.load(param + o);
    const g = madd(wdv, p, v128.load(grad + o));
    const mi = madd(b1v, v128.load(m + o), f32x4.mul(c1v, g));
    const vi = madd(b2v, v128.load(v + o), f32x4.mul(c2v, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = madd(f32x4.sqrt(vi), ibv, ev);
    v128.store(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(ssv, mi), denom)));
  }
  for (; o < bytes; o += 4) {
    const p = load<f32>(param + o);
    const g = load<f32>(grad + o) + wd * p;
    const mi = b1 * load<f32>(m + o) + c1 * g;
    const vi = b2 * load<f32>(v + o) + c2 * g * g;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(param + o, p - (stepSize * mi) / (Mathf.sqrt(vi) * invBc2Sqrt + e));
  }
}

/** `oneMinusAlpha` comes from the caller in float64 (1 - f32(0.99) would be 1e-6 off, as Adam's 1 - beta). */
export function rmspropStep(
  param: usize, grad: usize, sq: usize, buf: usize, gradAvg: usize, n: i32,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: bool,
  epsInsideSqrt: bool,
): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    const p = load<f32>(param + o);
    const g = load<f32>(grad + o) + weightDecay * p;
    const s = alpha * load<f32>(sq + o) + oneMinusAlpha * g * g;
    store<f32>(sq + o, s);
    let avg = s;
    if (centered) {
      const ga = alpha * load<f32>(gradAvg + o) + oneMinusAlpha * g;
      store<f32>(gradAvg + o, ga);
      avg = s - ga * ga;
    }
    const denom = epsInsideSqrt ? Mathf.sqrt(avg + eps) : Mathf.sqrt(avg) + eps;
    if (momentum > 0) {
      const b = momentum * load<f32>(buf + o) + g / denom;
      store<f32>(buf + o, b);
      store<f32>(param + o, p - lr * b);
    } else {
      store<f32>(param + o, p - (lr * g) / denom);
    }
  }
}

export function sgdStep(
  param: usize, grad: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, dampening: f32, nesterov: bool, weightDecay: f32, firstStep: bool,
): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    const p = load<f32>(param + o);
    let g = load<f32>(grad + o) + weightDecay * p;
    if (momentum != 0) {
      const b = firstStep ? g : momentum * load<f32>(buf + o) + (1 - dampening) * g;
      store<f32>(buf + o, b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f32>(param + o, p - lr * g);
  }
}
