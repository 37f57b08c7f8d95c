// `npm run build:web`: the page in web/ as a static site in build/web/ (esbuild). The page imports tsrl by its package
// name, so this bundles the built package (dist/, from `npm run build`) through its `browser` export condition.
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_OUT = join(root, "build", "web");

/**
 * What a browser bundle of tsrl/mujoco needs besides the code: the `mujoco` package's Emscripten glue imports Node's
 * `module` and `worker_threads` on its Node path only, so they stay external (never loaded in a browser)...
 */
export const MUJOCO_EXTERNALS = ["module", "worker_threads"];

/** ...and MuJoCo's WebAssembly and the bundled model files, copied to `<outdir>/mujoco/` (initMujoco's URLs). */
export async function copyMujocoFiles(outdir: string): Promise<void> {
  const dir = join(outdir, "mujoco");
  await mkdir(dir, { recursive: true });
  await copyFile(join(root, "node_modules", "mujoco", "mujoco.wasm"), join(dir, "mujoco.wasm"));
  const assets = join(root, "assets", "mujoco");
  for (const name of await readdir(assets))
    if (name.endsWith(".xml")) await copyFile(join(assets, name), join(dir, name));
}

export async function buildWeb({ outdir = WEB_OUT, minify = true } = {}): Promise<esbuild.Metafile> {
  await mkdir(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "web/src/main.ts", worker: "web/src/worker.ts" },
    outdir,
    bundle: true,
    // the worker imports tsrl/mujoco when a MuJoCo env is picked: a chunk of its own, not in the first load
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    external: MUJOCO_EXTERNALS,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
  });
  await copyFile(join(root, "web", "index.html"), join(outdir, "index.html"));
  await copyMujocoFiles(outdir);
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const metafile = await buildWeb();
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (!file.endsWith(".map")) console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
}
