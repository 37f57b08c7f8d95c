// `npm run check:bundlers`: a new user's page, bundled by Vite and by webpack with their default settings (no config
// file, no flags) from the packed tsrl package, then opened in Chromium, where it trains PPO for a few steps.
// Not part of CI (it installs Vite and webpack from the npm registry into a temporary folder); esbuild is checked
// in `npm test` (test/packaging/browser-bundle.test.ts) and by the page's own build.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium, ROOT } from "../test-browser/harness.js";
import { serve } from "./serve-web.js";

const work = mkdtempSync(join(tmpdir(), "tsrl-bundlers-"));
const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const tarball = join(
  work,
  run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], ROOT).trim().split("\n").pop() as string,
);
const app = join(work, "app");
mkdirSync(join(app, "src"), { recursive: true });
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
const main = `import { initKernels, make, PPO } from "tsrl";
import { makeTrainEnv, zooEntry } from "tsrl/zoo";
initKernels().then(async () => {
  const { entry } = zooEntry("PPO", "CartPole-v1");
  const model = new PPO(makeTrainEnv("CartPole-v1", entry.nEnvs, {}), { ...entry.hyperparams, seed: 0 });
  await model.learn(512);
  const bytes = model.toBytes();
  const again = PPO.fromBytes(bytes, { env: make("CartPole-v1") });
  document.body.dataset.result = "ok " + again.numTimesteps + " " + bytes.length;
}).catch((e) => { document.body.dataset.result = "error " + e.message; });
`;
writeFileSync(join(app, "src", "index.js"), main);
writeFileSync(
  join(app, "index.html"),
  `<!doctype html><body><script type="module" src="/src/index.js"></script></body>`,
);
run("npm", ["install", "--no-audit", "--no-fund", tarball, "vite", "webpack", "webpack-cli"], app);

const outputs: [string, string, string][] = [];
run("npx", ["vite", "build"], app); // index.html -> dist/
outputs.push(["vite", join(app, "dist"), "index.html"]);
run("npx", ["webpack", "--mode", "production", "--output-path", "webpack-out"], app); // src/index.js -> main.js
writeFileSync(join(app, "webpack-out", "index.html"), `<!doctype html><body><script src="main.js"></script></body>`);
outputs.push(["webpack", join(app, "webpack-out"), "index.html"]);

const browser = await launchChromium();
let failed = false;
for (const [name, dir, html] of outputs) {
  const server = await serve(dir, 0);
  const port = (server.address() as { port: number }).port;
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/${html}`);
  await page.waitForFunction(() => document.body.dataset.result !== undefined, null, { timeout: 60_000 });
  const result = (await page.evaluate(() => document.body.dataset.result)) as string;
  const files = readdirSync(dir, { recursive: true }).length;
  console.log(`${name}: ${result} (${files} files)`);
  if (!result.startsWith("ok 512")) failed = true;
  await page.close();
  server.close();
}
await browser.close();
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
