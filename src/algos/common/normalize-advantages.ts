/** Shift and scale x[0, n) to zero mean and unit (Bessel-corrected) std, as SB3 does per minibatch. */
export function normalizeInPlace(x: Float64Array, n: number): void {
  if (n < 2) return;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) * (x[i] - mean);
  const std = Math.sqrt(v / (n - 1));
  for (let i = 0; i < n; i++) x[i] = (x[i] - mean) / (std + 1e-8);
}
