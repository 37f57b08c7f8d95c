// src/core/math inside Chromium gives the bits Node 20's Math gives (test/fixtures/math), while Chromium's own Math
// does not always (the test notes how often): why tsrl computes with the ports, so a page run equals Node's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import type { Browser, Page } from "playwright-core";
import { launchChromium, ROOT } from "./harness.js";

const FIXTURE = JSON.parse(readFileSync(join(ROOT, "test/fixtures/math/node20.json"), "utf8")) as {
  cases: Record<string, string[][]>;
};

let browser: Browser;
let page: Page;

before(async () => {
  const bundle = await esbuild.build({
    entryPoints: [join(ROOT, "test-browser/math-in-page.ts")],
    bundle: true,
    format: "iife",
    write: false,
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
});

after(async () => {
  await browser?.close();
});

/** The fixture cases that fail in the page, with the ports or (engine) with Chromium's own Math. */
function runInPage(engine: boolean): Promise<string[]> {
  return page.evaluate(
    ({ cases, engine }) =>
      (globalThis as unknown as { mathMismatches: (c: typeof cases, e: boolean) => string[] }).mathMismatches(
        cases,
        engine,
      ),
    { cases: FIXTURE.cases, engine },
  );
}

test("in Chromium every port gives Node 20's bits on the fixture's inputs", async (t) => {
  assert.deepEqual(await runInPage(false), []);
  // for the record: how often Chromium's own Math strays from Node 20's on the same inputs (33 on Chromium 156)
  t.diagnostic(`Chromium's own Math differs from Node 20's on ${(await runInPage(true)).length} of these cases`);
});
