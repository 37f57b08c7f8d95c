// tsrl/mujoco in Chromium: bundled with esbuild as docs/mujoco.md says, MuJoCo's WebAssembly loads, and Hopper-v5
// steps to the same observations as in Node, bit for bit (the same .wasm runs the physics; tsrl's seeded generator
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
import { copyMujocoFiles, MUJOCO_EXTERNALS } from "../scripts/build-web.js";
import { serve } from "../scripts/serve-web.js";
import { launchChromium, openPage, ROOT, screenshot, servePage } from "./harness.js";
import { hopperTrace } from "./mujoco-trace.js";

let browser: Browser;
let server: Server;
let url: string;
let web: { server: Server; url: string };
const dir = mkdtempSync(join(tmpdir(), "tsrl-mujoco-page-"));

before(async () => {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { page: "test-browser/mujoco-page.ts" },
    outdir: dir,
    bundle: true,
    external: MUJOCO_EXTERNALS,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
  });
  await copyMujocoFiles(dir);
  writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="page.js"></script>');
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

test("Hopper-v5 in Chromium: MuJoCo loads, steps like Node bit for bit, and renders the same frame", async () => {
  const rng = new Rng(11);
  const actions = Array.from({ length: 60 }, () => Array.from({ length: 3 }, () => rng.uniformRange(-1, 1)));
  await initMujoco();
  const node = hopperTrace(4, actions);

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
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
