// Small sums the MuJoCo envs' rewards share.

/** sum_i x_i^2 */
export function sumSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** sum_i clip(x_i, low, high)^2 over x[from:] */
export function sumClippedSquares(x: ArrayLike<number>, low: number, high: number, from = 0): number {
  let s = 0;
  for (let i = from; i < x.length; i++) {
    const v = Math.min(Math.max(x[i], low), high);
    s += v * v;
  }
  return s;
}

/** True when low < x < high. */
export function inOpenRange(x: number, range: readonly [number, number]): boolean {
  return range[0] < x && x < range[1];
}

/** |(x, y)| as NumPy's `np.linalg.norm` computes it (sqrt of the sum of squares; Math.hypot rescales and allocates). */
export function norm2(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}
