import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../../src/errors.js";
import {
  aggregate,
  aggregateIqm,
  aggregateMean,
  aggregateMedian,
  bootstrapInterval,
  interquartileMean,
  medianOf,
  optimalityGap,
  percentileSorted,
  performanceProfile,
  performanceProfileInterval,
  probabilityOfImprovement,
  probabilityOfImprovementInterval,
} from "../../src/study/stats.js";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("IQM cuts floor(n/4) runs at each end, as scipy's trim_mean(x, 0.25) (no fractional weights)", () => {
  close(interquartileMean([1, 2, 3, 4, 5, 6, 7, 8]), 4.5); // (3 + 4 + 5 + 6) / 4
  close(interquartileMean([100, 2, 3, 4, 1]), 3); // n = 5: one cut each end -> (2 + 3 + 4) / 3
  close(interquartileMean([1, 2, 9]), 4); // n = 3: nothing cut
  // scipy.stats.trim_mean(a, 0.25) = 3.2642857142857147 (scipy 1.17)
  close(interquartileMean([3.1, -2.0, 7.5, 0.25, 11.0, 4.4, 4.4, -6.5, 2.2, 9.9, 1.0]), 3.2642857142857147, 1e-14);
  // across tasks: trim_mean of all runs together (rliable aggregate_iqm, axis=None)
  close(
    aggregateIqm([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]),
    4.5,
  );
});

test("mean and median aggregate per-task means (rliable); a single task's median is its runs' median", () => {
  close(
    aggregateMean([
      [1, 2],
      [3, 5],
    ]),
    2.75,
  );
  close(aggregateMedian([[1, 3], [10], [4, 4]]), 4); // task means 2, 10, 4
  close(aggregateMedian([[1, 2, 10]]), 2);
  close(medianOf([4, 1, 3, 2]), 2.5);
});

test("optimality gap: mean shortfall below gamma, runs above it count 0", () => {
  close(optimalityGap([[0.5, 1.2], [0.8]], 1), (0.5 + 0 + 0.2) / 3);
  close(optimalityGap([[5, 7]], 6), 0.5);
});

test("probability of improvement counts ties half, averages over tasks, equals Mann-Whitney U / (N M)", () => {
  close(probabilityOfImprovement([[1, 2]], [[1, 0]]), 3.5 / 4);
  close(probabilityOfImprovement([[1, 2], [0]], [[1, 0], [1]]), (3.5 / 4 + 0) / 2);
  // scipy.stats.mannwhitneyu(x, y, alternative="greater").statistic / (5 * 4) = 0.6
  close(probabilityOfImprovement([[1.0, 3.5, 2.0, 2.0, 8.0]], [[2.0, 0.5, 4.0, 2.0]]), 0.6);
  close(probabilityOfImprovement([[3, 3]], [[3, 3]]), 0.5);
  assert.throws(() => probabilityOfImprovement([[1]], [[1], [2]]), InvalidArgumentError);
});

test("performance profile: fraction of runs strictly above each threshold, averaged over tasks", () => {
  assert.deepEqual(performanceProfile([[1, 2, 3, 4]], [0, 2.5, 4]), [1, 0.5, 0]);
  assert.deepEqual(
    performanceProfile(
      [
        [1, 2],
        [3, 4],
      ],
      [2],
    ),
    [0.5],
  );
});

test("percentiles interpolate linearly as numpy.percentile", () => {
  const xs = [0.3, 1.1, 2.9, 4.0, 7.5, 9.0];
  // numpy.percentile(xs, [2.5, 97.5]) = [0.4, 8.8125]
  close(percentileSorted(xs, 2.5), 0.4, 1e-12);
  close(percentileSorted(xs, 97.5), 8.8125, 1e-12);
  close(percentileSorted([1, 2, 3, 4], 25), 1.75);
});

test("stratified bootstrap: seeded (same input, same interval), resamples within each task, brackets the estimate", () => {
  const scores = [
    [1, 5, 2, 8, 3],
    [10, 12, 9, 30, 11],
  ];
  const a = aggregate(scores, { reps: 500, seed: 3, gamma: 10 });
  const b = aggregate(scores, { reps: 500, seed: 3, gamma: 10 });
  assert.deepEqual(a, b);
  const c = aggregate(scores, { reps: 500, seed: 4, gamma: 10 });
  assert.notDeepEqual(a.iqm, c.iqm);
  for (const k of ["mean", "median", "iqm"] as const) assert.ok(a[k].lo <= a[k].point && a[k].point <= a[k].hi, k);
  close(a.mean.point, aggregateMean(scores));
  assert.equal(a.runs, 10);
  // identical runs: every resample is the same, so the interval has no width
  const flat = bootstrapInterval([[2, 2, 2]], aggregateMean, { reps: 50 });
  assert.deepEqual(flat, { point: 2, lo: 2, hi: 2 });
  // two runs 0 and 1: resampled means are 0, 0.5 or 1 (1/4, 1/2, 1/4): the 95% interval spans [0, 1]
  const two = bootstrapInterval([[0, 1]], aggregateMean, { reps: 4000, seed: 1 });
  assert.deepEqual([two.lo, two.hi], [0, 1]);
  // stratified: a task's resample never takes another task's runs, so task means stay inside each task's range
  const sep = bootstrapInterval(
    [
      [0, 0.5],
      [100, 101],
    ],
    (s) => Math.min(...s[1]),
    { reps: 300 },
  );
  assert.ok(sep.lo >= 100);
});

test("P(X > Y) and profiles come with intervals; bad scores are named errors", () => {
  const x = [[3, 4, 5, 6]];
  const y = [[1, 2, 3, 4]];
  const p = probabilityOfImprovementInterval(x, y, { reps: 300 });
  close(p.point, probabilityOfImprovement(x, y));
  assert.ok(p.lo <= p.point && p.point <= p.hi && p.hi <= 1);
  const prof = performanceProfileInterval(x, [2, 4, 6], { reps: 300 });
  assert.deepEqual(prof.point, [1, 0.5, 0]);
  assert.equal(prof.lo.length, 3);
  assert.throws(() => aggregate([]), /non-empty list of tasks/);
  assert.throws(() => aggregate([[1, Number.NaN]]), /NaN; scores must be finite/);
  assert.throws(() => aggregate([[1]], { reps: 0 }), /reps must be an integer >= 1/);
});
