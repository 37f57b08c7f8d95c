// Issue 16.10: `tsrl plot` of runs of different lengths draws each run as far as it goes and the mean and band
// only where they overlap (it used to cut every run to the shortest). Two synthetic run folders, 1,000 and 3,000
// steps long.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-plot-lengths-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function runFolder(name: string, seed: number, lastStep: number): string {
  const run = join(dir, name);
  mkdirSync(run);
  const config = {
    algorithm: "PPO",
    env: "CartPole-v1",
    seed,
    nEnvs: 1,
    totalTimesteps: lastStep,
    evalFreq: 0,
    evalEpisodes: 0,
    finalEvalEpisodes: 0,
    checkpointFreq: 0,
    hyperparams: {},
    envKwargs: {},
  };
  writeFileSync(join(run, "config.json"), JSON.stringify(config));
  const rows = ["step,return,length"];
  for (let s = 100; s <= lastStep; s += 100) rows.push(`${s},${s / 10 + seed},${20}`);
  writeFileSync(join(run, "episodes.csv"), `${rows.join("\n")}\n`);
  return run;
}

/** The x pixel coordinates of an SVG points attribute. */
const xs = (points: string) => points.split(" ").map((p) => Number(p.split(",")[0]));

test("plot draws each run to its own end and the band only over the steps both runs cover", async () => {
  const short = runFolder("short", 0, 1000);
  const long = runFolder("long", 1, 3000);
  const out = join(dir, "plot.svg");
  const r = await cli("plot", short, long, "--out", out);
  assert.equal(r.code, 0, r.err);
  const svg = readFileSync(out, "utf8");
  const runs = [...svg.matchAll(/<polyline class="series-0 run" points="([^"]+)"/g)].map((m) => xs(m[1]));
  assert.equal(runs.length, 2, "one line per run");
  const band = xs(/<polygon class="series-0 band" points="([^"]+)"/.exec(svg)?.[1] ?? "");
  const mean = xs(/<polyline class="series-0 line" points="([^"]+)"/.exec(svg)?.[1] ?? "");
  const left = Number(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="none"/.exec(svg)?.[1]);
  const width = Number(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"[^>]*fill="none"/.exec(svg)?.[1]);
  const px = (step: number) => left + (step / 3000) * width; // the x axis runs from 0 to the longest run's end
  const end = (p: number[]) => Math.max(...p);
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.11;
  assert.ok(near(end(runs[0]), px(1000)), `short run ends at step 1000: ${end(runs[0])} vs ${px(1000)}`);
  assert.ok(near(end(runs[1]), px(3000)), `long run ends at step 3000: ${end(runs[1])} vs ${px(3000)}`);
  assert.ok(near(end(band), px(1000)) && near(end(mean), px(1000)), "mean and band stop where the short run ends");
  assert.ok(near(Math.min(...band), px(100)), "and start where both start");
});
