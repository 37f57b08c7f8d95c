// Shared by the browser tests and bench:browser: Debian's Chromium driven by playwright-core (playwright's own
// browser download cannot run on these machines), and the built page (build/web/, `npm run build:web`) served locally.
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { serve } from "../scripts/serve-web.js";

export const ROOT = join(import.meta.dirname, "..");
export const WEB_DIR = join(ROOT, "build", "web");
/** Screenshots land here (build/ is git-ignored; CI keeps it as the tests' artifacts). */
export const SHOTS = join(ROOT, "build", "screenshots");

export const CHROMIUM = process.env.TSRL_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium) or set TSRL_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ], // launch() gives every browser a fresh temporary --user-data-dir of its own
  });
}

export async function servePage(): Promise<{ server: Server; url: string }> {
  if (!existsSync(join(WEB_DIR, "index.html"))) throw new Error(`no built page in ${WEB_DIR}: run npm run build:web`);
  const server = await serve(WEB_DIR, 0);
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/**
 * Open the page, fail on any page error, and wait until the worker has sent its catalog. `beforeLoad` sees the page
 * before it loads (to watch its requests).
 */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
  beforeLoad?: (page: Page) => void,
): Promise<Page> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  beforeLoad?.(page);
  await page.goto(url);
  await page.waitForFunction(() => !(document.getElementById("start") as HTMLButtonElement).disabled, null, {
    timeout: 30_000,
  });
  return page;
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/**
 * The page's main-thread tasks over `ms` milliseconds, from a Chromium trace: wall duration and thread (CPU) time
 * of each, in ms. Thread time is what the page's own work costs; wall time also counts waiting for a CPU, which a
 * loaded machine stretches.
 */
export async function mainThreadTasks(
  browser: Browser,
  page: Page,
  ms: number,
): Promise<{ wall: number; thread: number }[]> {
  await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
  await page.waitForTimeout(ms);
  const trace = JSON.parse((await browser.stopTracing()).toString()) as {
    traceEvents: {
      name: string;
      ph: string;
      pid: number;
      tid: number;
      dur?: number;
      tdur?: number;
      args?: { name?: string };
    }[];
  };
  const main = trace.traceEvents.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const isMain = (e: { pid: number; tid: number }): boolean => main.some((m) => m.pid === e.pid && m.tid === e.tid);
  return trace.traceEvents
    .filter((e) => e.name === "RunTask" && e.ph === "X" && isMain(e))
    .map((e) => ({ wall: (e.dur ?? 0) / 1000, thread: (e.tdur ?? 0) / 1000 }));
}
