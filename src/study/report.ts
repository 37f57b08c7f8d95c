/**
 * `tsrl study report <folder>`: the statistics of a study's finished runs as markdown with SVG plots.
 *
 * A run's score is its final deterministic evaluation (summary.json); its learning curve is its periodic evaluations
 * (eval/mean_reward in metrics.jsonl). Per environment: mean, median and IQM of the scores with 95% bootstrap
 * intervals, the IQM learning curve with its interval band, and the performance profile. Across environments,
 * scores are normalized to [low, high] -> [0, 1] (the study's scoreRanges, else a uniformly random policy's mean
 * return, measured here, to the env's reward threshold): mean, median, IQM and optimality gap (gamma 1) with
 * stratified bootstrap intervals, and the probability of improvement between every two variants (rank-based, so raw
 * scores serve). Missing runs are listed; the statistics use the runs present.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { spec as envSpec, make } from "../envs/index.js";
import { parseJsonl } from "../train/metrics-files.js";
import { learningCurveSvg } from "../train/plot.js";
import { readSummary } from "./execute-run.js";
import { intervalBarsSvg } from "./interval-bars.js";
import { readStudyFolder } from "./run-study.js";
import { expandRuns, type StudySpec, slug } from "./spec.js";
import {
  aggregate,
  bootstrapInterval,
  type Interval,
  interquartileMean,
  performanceProfileInterval,
  probabilityOfImprovementInterval,
  type Scores,
} from "./stats.js";

export interface StudyReportOptions {
  /** Bootstrap resamples. Default 2000. */
  reps?: number;
  /** Seed of the bootstrap generator. Default 0. */
  seed?: number;
  /** Markdown inserted under the title (e.g. which code produced the runs). */
  preface?: string;
}

export interface StudyReport {
  markdown: string;
  /** SVG documents by file name (the markdown links them as `<svgFolder>/<name>`). */
  svgs: Record<string, string>;
  /** Keys of runs without a summary. */
  missing: string[];
}

interface Cell {
  scores: number[];
  curves: { steps: number[]; values: number[] }[];
}

/** Mean return of a uniformly random policy over `episodes` seeded episodes. */
export function randomPolicyScore(envId: string, episodes = 100, seed = 0): number {
  const env = make(envId);
  env.actionSpace.seed(seed);
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    env.reset({ seed: seed + e });
    for (;;) {
      const r = env.step(env.actionSpace.sample());
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
  }
  env.close();
  return total / episodes;
}

function scoreRange(spec: StudySpec, envId: string): { range: [number, number]; source: string } | null {
  const given = spec.scoreRanges?.[envId];
  const high = given?.[1] ?? envSpec(envId).rewardThreshold;
  if (high === undefined) return null;
  const low = given?.[0] === undefined || given[0] === "random" ? randomPolicyScore(envId) : given[0];
  const source = `low: ${given?.[0] === undefined || given[0] === "random" ? "a uniformly random policy, 100 episodes" : "the study's"}; high: ${given ? "the study's" : "the env's reward threshold"}`;
  return high > low ? { range: [low, high], source } : null;
}

function evalCurve(runDir: string): { steps: number[]; values: number[] } | null {
  const path = join(runDir, "metrics.jsonl");
  if (!existsSync(path)) return null;
  const steps: number[] = [];
  const values: number[] = [];
  for (const r of parseJsonl(readFileSync(path, "utf8"))) {
    const v = r["eval/mean_reward"];
    if (typeof v === "number" && Number.isFinite(v)) {
      steps.push(r.step ?? 0);
      values.push(v);
    }
  }
  return steps.length > 0 ? { steps, values } : null;
}

/** "a/E/s1, a/E/s2, b/E/s1" -> "a/E: s1, s2; b/E: s1". */
function missingByCell(keys: readonly string[]): string {
  const cells = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.lastIndexOf("/");
    const list = cells.get(k.slice(0, i)) ?? [];
    list.push(k.slice(i + 1));
    cells.set(k.slice(0, i), list);
  }
  return [...cells].map(([cell, seeds]) => `${cell}: ${seeds.join(", ")}`).join("; ");
}

const f = (v: number) => {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
};
const ci = (i: Interval) => `${f(i.point)} [${f(i.lo)}, ${f(i.hi)}]`;

/**
 * IQM over runs at each evaluation step of the first run, with its bootstrap interval. A run contributes its latest
 * evaluation at or before that step (a resumed run's evaluations may fall at other steps).
 */
function curveIqm(
  curves: { steps: number[]; values: number[] }[],
  opts: { reps: number; seed: number },
): { steps: number[]; point: number[]; lo: number[]; hi: number[] } | null {
  if (curves.length === 0) return null;
  const valueAt = (c: { steps: number[]; values: number[] }, s: number) => {
    let k = 0;
    while (k + 1 < c.steps.length && c.steps[k + 1] <= s) k++;
    return c.values[k];
  };
  const out = { steps: curves[0].steps, point: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (const s of out.steps) {
    const i = bootstrapInterval([curves.map((c) => valueAt(c, s))], (x) => interquartileMean(x[0]), opts);
    out.point.push(i.point);
    out.lo.push(i.lo);
    out.hi.push(i.hi);
  }
  return out;
}

/** The report of the study in `dir` (its study.json and run folders). */
export function studyReport(dir: string, opts: StudyReportOptions = {}): StudyReport {
  const spec = readStudyFolder(dir);
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 0 };
  const runs = expandRuns(spec);
  const variants = spec.variants.map((v) => v.name);
  const cells = new Map<string, Cell>();
  const missing: string[] = [];
  for (const run of runs) {
    const runDir = join(dir, "runs", run.folder);
    const s = readSummary(runDir);
    if (!s) {
      missing.push(run.key);
      continue;
    }
    const key = `${run.variant}\u0000${run.env}`;
    const cell = cells.get(key) ?? { scores: [], curves: [] };
    cell.scores.push(s.finalEval.meanReturn);
    const c = evalCurve(runDir);
    if (c) cell.curves.push(c);
    cells.set(key, cell);
  }
  const cellOf = (v: string, e: string) => cells.get(`${v}\u0000${e}`);
  const svgs: Record<string, string> = {};
  const md: string[] = [`# Study: ${spec.name}`, ""];
  if (opts.preface) md.push(opts.preface.trim(), "");
  if (spec.description) md.push(spec.description, "");
  const seeds = typeof spec.seeds === "number" ? spec.seeds : spec.seeds.length;
  md.push(
    `${runs.length - missing.length} of ${runs.length} runs finished (${variants.length} variants x ${spec.envs.length} envs x ${seeds} seeds).` +
      (missing.length > 0 ? ` **Partial**: missing ${missingByCell(missing)}.` : ""),
    "",
    `Score of a run: its final deterministic evaluation (mean return over ${spec.finalEvalEpisodes ?? 10} episodes). Intervals: 95% stratified bootstrap percentile intervals (${boot.reps} resamples, seed ${boot.seed}); IQM: mean of the middle 50% of runs (scipy's trim_mean(0.25)). Definitions: Agarwal et al. 2021 (rliable); see docs/studies.md.`,
    "",
  );

  // per environment
  for (const env of spec.envs) {
    const present = variants.filter((v) => cellOf(v, env));
    if (present.length === 0) continue;
    md.push(`## ${env}`, "", "| variant | runs | mean | median | IQM |", "|---|---:|---|---|---|");
    const aggs = present.map((v) => aggregate([(cellOf(v, env) as Cell).scores], boot));
    present.forEach((v, i) => {
      md.push(`| ${v} | ${aggs[i].runs} | ${ci(aggs[i].mean)} | ${ci(aggs[i].median)} | ${ci(aggs[i].iqm)} |`);
    });
    md.push("");
    const name = `${slug(env)}-scores.svg`;
    svgs[name] = intervalBarsSvg(
      present,
      [
        { title: "mean", values: aggs.map((a) => a.mean) },
        { title: "median", values: aggs.map((a) => a.median) },
        { title: "IQM", values: aggs.map((a) => a.iqm) },
      ],
      `${env}: final return, 95% CIs`,
    );
    const series = present.flatMap((v) => {
      const c = curveIqm((cellOf(v, env) as Cell).curves, boot);
      return c ? [{ label: v, runs: [{ steps: c.steps, values: c.point }], interval: { lo: c.lo, hi: c.hi } }] : [];
    });
    const curveName = `${slug(env)}-curves.svg`;
    if (series.length > 0)
      svgs[curveName] = learningCurveSvg(series, {
        title: `${env}: IQM of periodic evaluations, 95% CI`,
        yLabel: "evaluation return",
      });
    const all = present.flatMap((v) => (cellOf(v, env) as Cell).scores);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const taus = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
    const profName = `${slug(env)}-profile.svg`;
    svgs[profName] = learningCurveSvg(
      present.map((v) => {
        const p = performanceProfileInterval([(cellOf(v, env) as Cell).scores], taus, boot);
        return { label: v, runs: [{ steps: p.taus, values: p.point }], interval: { lo: p.lo, hi: p.hi } };
      }),
      { title: `${env}: performance profile, 95% CI`, xLabel: "return tau", yLabel: "fraction of runs > tau" },
    );
    md.push(`![${env} scores](SVG/${name})`, "");
    if (series.length > 0) md.push(`![${env} learning curves](SVG/${curveName})`, "");
    md.push(`![${env} performance profile](SVG/${profName})`, "");
  }

  // across environments: normalized scores, only where every env has a range and every variant runs on every env
  const ranges = spec.envs.map((e) => ({ env: e, r: scoreRange(spec, e) }));
  const complete = variants.filter((v) => spec.envs.every((e) => cellOf(v, e)));
  if (spec.envs.length > 1 && complete.length > 0) {
    md.push("## All environments", "");
    const normed = ranges.filter((x) => x.r !== null);
    if (normed.length > 0) {
      md.push(
        "Normalized score = (return - low) / (high - low):",
        "",
        ...normed.map((x) => {
          const r = x.r as { range: [number, number]; source: string };
          return `- ${x.env}: low ${f(r.range[0])}, high ${f(r.range[1])} (${r.source})`;
        }),
        ...ranges
          .filter((x) => x.r === null)
          .map((x) => `- ${x.env}: no range (add scoreRanges to the study): left out`),
        "",
        `| variant | runs | mean | median | IQM | optimality gap |`,
        "|---|---:|---|---|---|---|",
      );
      const norm = (v: string): Scores =>
        normed.map((x) => {
          const [a, b] = (x.r as { range: [number, number] }).range;
          return (cellOf(v, x.env) as Cell).scores.map((s) => (s - a) / (b - a));
        });
      const aggs = complete.map((v) => aggregate(norm(v), { ...boot, gamma: 1 }));
      complete.forEach((v, i) => {
        const a = aggs[i];
        md.push(
          `| ${v} | ${a.runs} | ${ci(a.mean)} | ${ci(a.median)} | ${ci(a.iqm)} | ${ci(a.optimalityGap as Interval)} |`,
        );
      });
      md.push("");
      svgs["aggregate-scores.svg"] = intervalBarsSvg(
        complete,
        [
          { title: "median", values: aggs.map((a) => a.median) },
          { title: "IQM", values: aggs.map((a) => a.iqm) },
          { title: "mean", values: aggs.map((a) => a.mean) },
          { title: "optimality gap", values: aggs.map((a) => a.optimalityGap as Interval) },
        ],
        "Normalized scores over all environments, 95% stratified bootstrap CIs",
      );
      const taus = Array.from({ length: 41 }, (_, i) => -0.25 + (1.5 * i) / 40);
      svgs["aggregate-profile.svg"] = learningCurveSvg(
        complete.map((v) => {
          const p = performanceProfileInterval(norm(v), taus, boot);
          return { label: v, runs: [{ steps: p.taus, values: p.point }], interval: { lo: p.lo, hi: p.hi } };
        }),
        {
          title: "Performance profile, normalized scores",
          xLabel: "normalized score tau",
          yLabel: "fraction of runs > tau",
        },
      );
      md.push(
        "![aggregate scores](SVG/aggregate-scores.svg)",
        "",
        "![aggregate profile](SVG/aggregate-profile.svg)",
        "",
      );
    }
  }
  if (complete.length > 1) {
    const raw = (v: string): Scores => spec.envs.map((e) => (cellOf(v, e) as Cell).scores);
    md.push(
      "## Probability of improvement",
      "",
      "P(row > column): the chance that a run of the row's variant scores above a run of the column's on an environment drawn at random (ties count half), with its 95% CI.",
      "",
      `| P(row > column) | ${complete.join(" | ")} |`,
      `|---|${complete.map(() => "---").join("|")}|`,
    );
    for (const x of complete) {
      const cells2 = complete.map((y) => (x === y ? "" : ci(probabilityOfImprovementInterval(raw(x), raw(y), boot))));
      md.push(`| ${x} | ${cells2.join(" | ")} |`);
    }
    md.push("");
  }
  return { markdown: `${md.join("\n")}\n`, svgs, missing };
}

/**
 * Write the report of the study in `dir`: `out` (default `<dir>/report.md`) and its SVGs in a folder beside it named
 * after it (`report/`). Returns the markdown's path.
 */
export function writeStudyReport(dir: string, opts: StudyReportOptions & { out?: string } = {}): string {
  const out = opts.out ?? join(dir, "report.md");
  const svgDir = join(dirname(out), basename(out).replace(/\.md$/, ""));
  const report = studyReport(dir, opts);
  mkdirSync(svgDir, { recursive: true });
  for (const [name, svg] of Object.entries(report.svgs)) writeFileSync(join(svgDir, name), svg);
  writeFileSync(out, report.markdown.replaceAll("](SVG/", `](${basename(svgDir)}/`));
  return out;
}
