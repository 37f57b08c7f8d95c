/**
 * Statistics that hold up with few runs (Agarwal et al., NeurIPS 2021, "Deep RL at the Edge of the Statistical
 * Precipice"; definitions as in their rliable library's metrics.py and library.py). Scores come as one list of runs
 * per task (environment): `scores[task][run]`; tasks may have different run counts.
 *
 *   mean    = mean over tasks of each task's mean score                    (rliable aggregate_mean)
 *   median  = median over tasks of each task's mean score                  (rliable aggregate_median); with one task,
 *             where that would be its mean, the median of its runs
 *   IQM     = mean of the middle 50% of all runs: scipy's trim_mean(x, 0.25) cuts floor(0.25 n) runs from each end,
 *             no fractional weights (rliable aggregate_iqm)
 *   optimality gap = mean over all runs of max(gamma - x, 0)               (rliable aggregate_optimality_gap)
 *   P(X > Y) = mean over tasks of (1 / (N M)) sum_i sum_j [x_i > y_j] + 0.5 [x_i = y_j]   (Mann-Whitney U / N M)
 *   performance profile: for each threshold tau, the mean over tasks of the fraction of runs scoring above tau
 *
 * Confidence intervals: stratified bootstrap (runs resampled with replacement within each task, tasks kept), the
 * 2.5th and 97.5th percentiles of the statistic over `reps` resamples (numpy's linear interpolation). The generator
 * is the repository's seeded Rng: the same scores and seed give the same intervals.
 */
import { Rng } from "../core/rng.js";
import { describe, InvalidArgumentError } from "../errors.js";

export type Scores = readonly (readonly number[])[];

export interface Interval {
  point: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  /** Bootstrap resamples. Default 2000. */
  reps?: number;
  /** Seed of the resampling generator. Default 0. */
  seed?: number;
  /** Coverage of the interval. Default 0.95. */
  confidence?: number;
}

export function checkScores(scores: Scores, what = "scores"): void {
  if (!Array.isArray(scores) || scores.length === 0)
    throw new InvalidArgumentError(
      `${what} must be a non-empty list of tasks (each a list of run scores), got ${describe(scores)}`,
    );
  scores.forEach((task, m) => {
    if (!Array.isArray(task) || task.length === 0)
      throw new InvalidArgumentError(`${what}[${m}] must be a non-empty list of run scores, got ${describe(task)}`);
    for (const x of task)
      if (typeof x !== "number" || !Number.isFinite(x))
        throw new InvalidArgumentError(`${what}[${m}] holds ${describe(x)}; scores must be finite numbers`);
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const meanOf = (xs: readonly number[]) => sum(xs) / xs.length;

/** Median of a list (the mean of the two middle values for an even count). */
export function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** scipy.stats.trim_mean(xs, 0.25): the mean after dropping floor(n / 4) values at each end. */
export function interquartileMean(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(0.25 * s.length);
  return meanOf(s.slice(cut, s.length - cut));
}

export function aggregateMean(scores: Scores): number {
  return meanOf(scores.map(meanOf));
}

export function aggregateMedian(scores: Scores): number {
  return scores.length === 1 ? medianOf(scores[0]) : medianOf(scores.map(meanOf));
}

export function aggregateIqm(scores: Scores): number {
  return interquartileMean(scores.flat());
}

export function optimalityGap(scores: Scores, gamma = 1): number {
  return meanOf(scores.flat().map((x) => Math.max(gamma - x, 0)));
}

/** P(X > Y): the probability that a run of X beats a run of Y on a task drawn at random (ties count half). */
export function probabilityOfImprovement(x: Scores, y: Scores): number {
  if (x.length !== y.length)
    throw new InvalidArgumentError(
      `probabilityOfImprovement: x has ${x.length} tasks, y has ${y.length}; they must match`,
    );
  let total = 0;
  for (let m = 0; m < x.length; m++) {
    let s = 0;
    for (const a of x[m]) for (const b of y[m]) s += a > b ? 1 : a === b ? 0.5 : 0;
    total += s / (x[m].length * y[m].length);
  }
  return total / x.length;
}

/** Fraction of runs above each threshold, averaged over tasks. */
export function performanceProfile(scores: Scores, taus: readonly number[]): number[] {
  return taus.map((tau) => meanOf(scores.map((task) => task.filter((v) => v > tau).length / task.length)));
}

/** numpy.percentile(xs, q) with linear interpolation (q in [0, 100]); `xs` must be sorted. */
export function percentileSorted(xs: readonly number[], q: number): number {
  const pos = (q / 100) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, xs.length - 1);
  return xs[lo] + (pos - lo) * (xs[hi] - xs[lo]);
}

/** One stratified resample: each task's runs drawn with replacement, as many as it has. */
export function stratifiedResample(scores: Scores, rng: Rng): number[][] {
  return scores.map((task) => {
    const out = new Array<number>(task.length);
    for (let i = 0; i < task.length; i++) out[i] = task[rng.int(task.length)];
    return out;
  });
}

function bootstrapOpts(opts: BootstrapOptions): { reps: number; rng: Rng; alpha: number } {
  const reps = opts.reps ?? 2000;
  if (!Number.isSafeInteger(reps) || reps < 1)
    throw new InvalidArgumentError(`reps must be an integer >= 1, got ${describe(reps)}`);
  const conf = opts.confidence ?? 0.95;
  if (!(conf > 0 && conf < 1)) throw new InvalidArgumentError(`confidence must be in (0, 1), got ${describe(conf)}`);
  return { reps, rng: new Rng(opts.seed ?? 0), alpha: 1 - conf };
}

/** Percentile interval of `stat` over stratified bootstrap resamples of one or more score sets (each resampled in turn). */
function intervalOf<T>(
  samples: readonly Scores[],
  stat: (...s: Scores[]) => T,
  pick: (t: T) => number[],
  opts: BootstrapOptions,
): { point: number[]; lo: number[]; hi: number[] } {
  for (const s of samples) checkScores(s);
  const { reps, rng, alpha } = bootstrapOpts(opts);
  const point = pick(stat(...samples));
  const draws = point.map(() => new Float64Array(reps));
  for (let r = 0; r < reps; r++) {
    const v = pick(stat(...samples.map((s) => stratifiedResample(s, rng))));
    for (let k = 0; k < v.length; k++) draws[k][r] = v[k];
  }
  const lo: number[] = [];
  const hi: number[] = [];
  for (const d of draws) {
    const sorted = Array.from(d).sort((a, b) => a - b);
    lo.push(percentileSorted(sorted, (100 * alpha) / 2));
    hi.push(percentileSorted(sorted, 100 * (1 - alpha / 2)));
  }
  return { point, lo, hi };
}

/** A scalar statistic of a score set with its stratified bootstrap percentile interval. */
export function bootstrapInterval(scores: Scores, stat: (s: Scores) => number, opts: BootstrapOptions = {}): Interval {
  const r = intervalOf([scores], stat, (v) => [v], opts);
  return { point: r.point[0], lo: r.lo[0], hi: r.hi[0] };
}

/** P(X > Y) with its interval (X and Y resampled independently within each task). */
export function probabilityOfImprovementInterval(x: Scores, y: Scores, opts: BootstrapOptions = {}): Interval {
  const r = intervalOf(
    [x, y],
    (a, b) => probabilityOfImprovement(a, b),
    (v) => [v],
    opts,
  );
  return { point: r.point[0], lo: r.lo[0], hi: r.hi[0] };
}

/** A performance profile with pointwise intervals. */
export function performanceProfileInterval(
  scores: Scores,
  taus: readonly number[],
  opts: BootstrapOptions = {},
): { taus: number[]; point: number[]; lo: number[]; hi: number[] } {
  return {
    taus: [...taus],
    ...intervalOf(
      [scores],
      (s) => performanceProfile(s, taus),
      (v) => v,
      opts,
    ),
  };
}

export interface Aggregate {
  mean: Interval;
  median: Interval;
  iqm: Interval;
  /** On normalized scores with gamma 1, when the caller gives `gamma`. */
  optimalityGap: Interval | null;
  runs: number;
}

/** Mean, median, IQM (and optimality gap below `gamma`) of a score set, each with its interval. */
export function aggregate(scores: Scores, opts: BootstrapOptions & { gamma?: number } = {}): Aggregate {
  checkScores(scores);
  const stats = [aggregateMean, aggregateMedian, aggregateIqm];
  if (opts.gamma !== undefined) {
    const g = opts.gamma;
    stats.push((s) => optimalityGap(s, g));
  }
  const r = intervalOf(
    [scores],
    (s) => stats.map((f) => f(s)),
    (v) => v,
    opts,
  );
  const at = (k: number): Interval => ({ point: r.point[k], lo: r.lo[k], hi: r.hi[k] });
  return {
    mean: at(0),
    median: at(1),
    iqm: at(2),
    optimalityGap: opts.gamma !== undefined ? at(3) : null,
    runs: scores.reduce((n, t) => n + t.length, 0),
  };
}
