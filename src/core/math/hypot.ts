// Math.hypot as V8 defines it (src/builtins/math.tq): scale by the largest magnitude, Kahan-sum the squares,
// sqrt. Plain arithmetic, so the same bits everywhere; written out for 2 and 3 arguments so no engine's own
// version (or a rest-argument array) is involved.

/** sqrt(a^2 + b^2) without overflow, the same bits as Node 20's Math.hypot(a, b). */
export function hypot(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return Math.abs(a) === Number.POSITIVE_INFINITY || Math.abs(b) === Number.POSITIVE_INFINITY
      ? Number.POSITIVE_INFINITY
      : Number.NaN;
  }
  a = Math.abs(a);
  b = Math.abs(b);
  const max = Math.max(a, b);
  if (max === Number.POSITIVE_INFINITY) return max;
  if (max === 0) return 0;
  let sum = 0;
  let compensation = 0;
  let n = a / max;
  let summand = n * n - compensation;
  const preliminary = sum + summand;
  compensation = preliminary - sum - summand;
  sum = preliminary;
  n = b / max;
  summand = n * n - compensation;
  sum += summand;
  return Math.sqrt(sum) * max;
}

/** sqrt(a^2 + b^2 + c^2) without overflow, the same bits as Node 20's Math.hypot(a, b, c). */
export function hypot3(a: number, b: number, c: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c)) {
    const inf = Number.POSITIVE_INFINITY;
    return Math.abs(a) === inf || Math.abs(b) === inf || Math.abs(c) === inf ? inf : Number.NaN;
  }
  a = Math.abs(a);
  b = Math.abs(b);
  c = Math.abs(c);
  let max = Math.max(a, b);
  if (c > max) max = c;
  if (max === Number.POSITIVE_INFINITY) return max;
  if (max === 0) return 0;
  let sum = 0;
  let compensation = 0;
  let n = a / max;
  let summand = n * n - compensation;
  let preliminary = sum + summand;
  compensation = preliminary - sum - summand;
  sum = preliminary;
  n = b / max;
  summand = n * n - compensation;
  preliminary = sum + summand;
  compensation = preliminary - sum - summand;
  sum = preliminary;
  n = c / max;
  summand = n * n - compensation;
  sum += summand;
  return Math.sqrt(sum) * max;
}
