// tsrl/mujoco in Chromium: bundled with esbuild, Vite and webpack as docs/mujoco.md says, MuJoCo's WebAssembly loads, and
// Hopper-v5 steps to the same observations as in Node, bit for bit (the same .wasm runs the physics; tsrl's seeded generator
// and the observation code are plain float64 JavaScript), and renders the same rgb_array frame. Then the web page
// (build/web, `npm run build:web`): MuJoCo loads only when a MuJoCo env is picked, and PPO trains on it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import type { Browser } from "playwright-core";
import { Rng } from "tsrl";
import { initMujoco, MUJOCO_REGISTRATIONS } from "tsrl/mujoco";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import { copyMujocoFiles, MUJOCO_EXTERNALS } from "../scripts/build-web.js";
import { serve } from "../scripts/serve-web.js";
import { launchChromium, openPage, ROOT, screenshot, servePage } from "./harness.js";
import { hopperTrace } from "./mujoco-trace.js";

let browser: Browser;
let server: Server;
let url: string;
let web: { server: Server; url: string };
const dir = mkdtempSync(join(tmpdir(), "tsrl-mujoco-page-"));

const BUNDLERS = ["esbuild", "vite", "webpack"] as const;
const PAGE_FILE = { esbuild: "page.js", vite: "page.js", webpack: "page.mjs" };
/** webpack's bundle of the glue's thread worker (the one entry chunk besides the page), as the glue starts it. */
let webpackWorker: string;

before(async () => {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { page: "test-browser/mujoco-page.ts" },
    outdir: join(dir, "esbuild"),
    bundle: true,
    external: MUJOCO_EXTERNALS,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
  });
  // Vite also bundles the Emscripten glue's pthread worker (`new Worker(new URL(..., import.meta.url))`): as an ES
  // module (the glue awaits at top level), with the same externals.
  await viteBuild({
    root: ROOT,
    configFile: false,
    logLevel: "error",
    worker: { format: "es", rolldownOptions: { external: MUJOCO_EXTERNALS } },
    build: {
      outDir: join(dir, "vite"),
      target: "es2022",
      rolldownOptions: {
        input: join(ROOT, "test-browser", "mujoco-page.ts"),
        external: MUJOCO_EXTERNALS,
        output: { entryFileNames: "page.js" },
      },
    },
  });
  // webpack in production mode with docs/mujoco.md's settings: the same externals; ES module output, so that the glue's
  // thread worker is an ES module as the glue starts it (`type: "module"`); the glue's `import.meta.url` and
  // `new URL("mujoco.wasm", ...)` left to the browser. Not minified here: terser takes ~12 s of CPU over the page and
  // two copies of the glue (the minified build was checked by hand).
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(
      {
        mode: "production",
        context: ROOT,
        entry: { page: "./test-browser/mujoco-page.ts" },
        output: { path: join(dir, "webpack"), module: true },
        experiments: { outputModule: true },
        externals: Object.fromEntries(MUJOCO_EXTERNALS.map((name) => [name, name])),
        // the page is TypeScript importing ./mujoco-trace.js: an app's own concern, not MuJoCo's
        resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
        module: {
          rules: [
            { test: /[\\/]node_modules[\\/]mujoco[\\/]/, parser: { url: false, importMeta: false } },
            { test: /\.ts$/, loader: join(ROOT, "test-browser", "webpack-ts-loader.ts") },
          ],
        },
        optimization: { minimize: false },
      },
      (err, result) =>
        err || !result || result.hasErrors()
          ? reject(err ?? new Error(result?.toString("errors-only")))
          : resolve(result),
    ),
  );
  const workers = (stats.toJson({ all: false, chunks: true }).chunks ?? []).filter((c) => c.entry && !c.initial);
  assert.equal(workers.length, 1, "webpack did not bundle the glue's thread worker as one entry chunk");
  webpackWorker = workers[0].files?.[0] ?? "";
  for (const bundler of BUNDLERS) {
    await copyMujocoFiles(join(dir, bundler));
    const html = `<!doctype html><script type="module" src="${PAGE_FILE[bundler]}"></script>`;
    writeFileSync(join(dir, bundler, "index.html"), html);
  }
  browser = await launchChromium();
  server = await serve(dir, 0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  web = await servePage();
});
after(async () => {
  await browser?.close();
  server?.close();
  web?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const bundler of BUNDLERS) {
  test(`Hopper-v5 in Chromium, bundled by ${bundler}: MuJoCo loads, steps like Node bit for bit, renders the same frame`, async () => {
    const rng = new Rng(11);
    const actions = Array.from({ length: 60 }, () => Array.from({ length: 3 }, () => rng.uniformRange(-1, 1)));
    await initMujoco();
    const node = hopperTrace(4, actions);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}${bundler}/`);
    await page.waitForFunction(() => typeof window.hopperTrace === "function");
    const t0 = Date.now();
    const inPage = await page.evaluate(([seed, a]) => window.hopperTrace(seed, a), [4, actions] as const);
    console.log(`MuJoCo loaded and Hopper-v5 stepped ${actions.length} times in Chromium in ${Date.now() - t0} ms`);
    assert.deepEqual(errors, []);

    assert.ok(inPage.observations.length > actions.length + 1, "no episode ended: the resets went untested");
    assert.deepEqual(inPage.observations64, node.observations64, "float64 observations differ from Node's");
    assert.deepEqual(inPage.observations, node.observations);
    assert.deepEqual(inPage.rewards, node.rewards);
    assert.deepEqual(inPage.terminated, node.terminated);
    // the hopper moved: the trace is not a constant the two sides could agree on by accident
    assert.notDeepEqual(inPage.observations64[0], inPage.observations64.at(-1));

    assert.equal(inPage.frame.width, 64);
    assert.equal(inPage.frame.height, 48);
    assert.deepEqual(inPage.frame.rgba, node.frame.rgba, "the rendered frame differs from Node's");
    const colours = new Set<number>();
    for (let i = 0; i < inPage.frame.rgba.length; i += 4) {
      colours.add((inPage.frame.rgba[i] << 16) | (inPage.frame.rgba[i + 1] << 8) | inPage.frame.rgba[i + 2]);
    }
    assert.ok(colours.size > 8, `the frame looks empty (${colours.size} colours)`);
    await page.close();
  });
}

test("webpack's bundle of the glue's thread worker loads as the module worker the glue starts", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${url}webpack/`);
  const started = page.waitForEvent("worker");
  // as the glue's PThread.allocateUnusedWorker starts it: a module worker whose name says it hosts a thread
  await page.evaluate((file) => {
    const w = new Worker(new URL(file, location.href), { type: "module", name: "em-pthread-1" });
    w.onerror = (e) => {
      throw new Error(`thread worker: ${e.message}`);
    };
  }, webpackWorker);
  const worker = await started;
  // the glue, run as a thread, marks its global first thing (then waits for the main thread's wasm module)
  const loaded = () => worker.evaluate(() => (globalThis as { moduleLoaded?: boolean }).moduleLoaded === true);
  const t0 = Date.now();
  while (!(await loaded()) && errors.length === 0 && Date.now() - t0 < 10_000) await page.waitForTimeout(50);
  assert.deepEqual(errors, []);
  assert.ok(await loaded(), "the glue did not run in webpack's thread worker");
  await page.close();
});

test("the page loads MuJoCo when InvertedPendulum-v5 is picked, and PPO trains on it with frames on the canvas", async () => {
  const requests: string[] = [];
  const page = await openPage(browser, web.url, undefined, (p) => p.on("request", (r) => requests.push(r.url())));
  const mujocoGroup = await page.$$eval('#env optgroup[label^="MuJoCo"] option', (os) =>
    os.map((o) => (o as HTMLOptionElement).value),
  );
  assert.deepEqual(
    mujocoGroup,
    MUJOCO_REGISTRATIONS.map((r) => r.id),
  );
  // the first load (CartPole-v1 shown) fetched neither MuJoCo's code nor its WebAssembly
  await page.waitForTimeout(300);
  assert.deepEqual(
    requests.filter((u) => /mujoco/i.test(new URL(u).pathname)),
    [],
    "MuJoCo was fetched before a MuJoCo env was picked",
  );

  const blank = await page.$eval("#canvas", (c) => (c as HTMLCanvasElement).toDataURL());
  await page.selectOption("#env", "InvertedPendulum-v5");
  await page.waitForFunction(() => /MuJoCo loaded in/.test(document.getElementById("message")!.textContent!), null, {
    timeout: 60_000,
  });
  assert.ok(
    requests.some((u) => u.endsWith("/mujoco/mujoco.wasm")),
    "mujoco.wasm was not fetched",
  );
  // the preview: the env's first frame, drawn by the software renderer at the canvas's 3:2
  await page.waitForFunction((b) => (document.getElementById("canvas") as HTMLCanvasElement).toDataURL() !== b, blank);
  assert.deepEqual(
    await page.$eval("#canvas", (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
    [360, 240],
  );
  assert.equal(await page.inputValue("#algo"), "PPO");
  assert.equal(await page.inputValue("#hp-nSteps"), "32", "PPO starts from the zoo's InvertedPendulum-v5 entry");

  await page.click("#hp-details summary");
  await page.fill("#hp-totalTimesteps", "3000");
  const t0 = Date.now();
  await page.click("#start");
  await page.waitForFunction(() => document.getElementById("status")!.textContent === "training");
  const before = await page.$eval("#canvas", (c) => (c as HTMLCanvasElement).toDataURL());
  await page.waitForFunction(
    (b) => (document.getElementById("canvas") as HTMLCanvasElement).toDataURL() !== b,
    before,
    { timeout: 30_000 },
  );
  await page.waitForFunction(() => document.getElementById("status")!.textContent === "done", null, {
    timeout: 60_000,
  });
  const steps = Number((await page.locator("#steps").textContent())?.replace(/,/g, ""));
  console.log(`PPO InvertedPendulum-v5 in the page: ${steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.ok(steps >= 3000, `trained ${steps} steps`);
  await page.waitForFunction(() => /episodes/.test(document.getElementById("evaluation")!.textContent!), null, {
    timeout: 30_000,
  });
  await screenshot(page, "ppo-invertedpendulum");
  await page.close();
});
