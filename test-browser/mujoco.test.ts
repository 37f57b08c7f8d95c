// tsrl/mujoco in Chromium: bundled with esbuild as docs/mujoco.md says, MuJoCo's WebAssembly loads, and Hopper-v5
// steps to the same observations as in Node, bit for bit (the same .wasm runs the physics; tsrl's seeded generator
// and the observation code are plain float64 JavaScript), and renders the same rgb_array frame.
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
import { initMujoco } from "tsrl/mujoco";
import { copyMujocoFiles, MUJOCO_EXTERNALS } from "../scripts/build-web.js";
import { serve } from "../scripts/serve-web.js";
import { launchChromium, ROOT } from "./harness.js";
import { hopperTrace } from "./mujoco-trace.js";

let browser: Browser;
let server: Server;
let url: string;
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
});
after(async () => {
  await browser?.close();
  server?.close();
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
