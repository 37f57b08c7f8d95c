// npm run bench:browser: PPO CartPole-v1, zoo settings, 100k steps (bench/browser-run.ts), in headless Chromium
// (Debian's, driven by playwright-core; the run on the page's main thread, no drawing) and in Node, alternated
// in one process so both see the same machine load. Prints a markdown table; ROUNDS (default 2) runs of each.
import { loadavg } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { serve } from "../scripts/serve-web.js";
import { launchChromium, ROOT } from "../test-browser/harness.js";
import { type BrowserBenchResult, runPpoCartPole } from "./browser-run.js";

const rounds = Number(process.env.ROUNDS ?? 2);
const outdir = join(ROOT, "build", "bench-browser");
await esbuild.build({
  absWorkingDir: ROOT,
  stdin: {
    contents: `import { runPpoCartPole } from "./bench/browser-run.ts";
window.bench = () => runPpoCartPole();`,
    resolveDir: ROOT,
    sourcefile: "bench-page.ts",
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "browser",
  outfile: join(outdir, "bench.js"),
  logLevel: "warning",
});
const { writeFileSync } = await import("node:fs");
writeFileSync(join(outdir, "index.html"), `<!doctype html><script type="module" src="bench.js"></script>`);
const server = await serve(outdir, 0);
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
await page.waitForFunction(() => typeof (window as unknown as { bench?: unknown }).bench === "function");
const version = browser.version();

const rows: { where: string; r: BrowserBenchResult }[] = [];
for (let i = 0; i < rounds; i++) {
  rows.push({ where: "Node", r: await runPpoCartPole() });
  const r = await page.evaluate(() => (window as unknown as { bench: () => Promise<BrowserBenchResult> }).bench());
  rows.push({ where: "Chromium", r });
  console.error(`round ${i + 1}: Node ${rows.at(-2)?.r.wallS.toFixed(2)} s, Chromium ${r.wallS.toFixed(2)} s`);
}
await browser.close();
server.close();

console.log(
  `PPO CartPole-v1, zoo settings, 100k steps; Node ${process.version}, Chromium ${version}; load ${loadavg()[0].toFixed(1)}\n`,
);
console.log("| run | where | wall s | env steps/s | final ep_rew_mean | greedy eval (20 episodes) |");
console.log("|---|---|---:|---:|---:|---:|");
rows.forEach(({ where, r }, i) => {
  console.log(
    `| ${Math.floor(i / 2) + 1} | ${where} | ${r.wallS.toFixed(2)} | ${Math.round(r.stepsPerS).toLocaleString("en")} | ${r.epRewMean.toFixed(1)} | ${r.evalMean.toFixed(1)} |`,
  );
});
const best = (w: string): number => Math.min(...rows.filter((x) => x.where === w).map((x) => x.r.wallS));
console.log(`\nbest Chromium / best Node wall time: ${(best("Chromium") / best("Node")).toFixed(2)}`);
