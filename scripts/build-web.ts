// `npm run build:web`: the page in web/ as a static site in build/web/ (esbuild). The page imports tsrl by its package
// name, so this bundles the built package (dist/, from `npm run build`) through its `browser` export condition.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_OUT = join(root, "build", "web");

export async function buildWeb({ outdir = WEB_OUT, minify = true } = {}): Promise<esbuild.Metafile> {
  await mkdir(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "web/src/main.ts", worker: "web/src/worker.ts" },
    outdir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
  });
  await copyFile(join(root, "web", "index.html"), join(outdir, "index.html"));
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const metafile = await buildWeb();
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (!file.endsWith(".map")) console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
}
