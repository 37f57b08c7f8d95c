// Build what is missing or older than its sources: the WebAssembly kernels (assembly/ -> the generated module)
// and the compiled package (src/ -> dist/). `npm test` runs it first, so a fresh clone's `npm ci && npm test` and a
// checkout with stale outputs both test what the sources say. The published package builds in `prepack` instead
// of `prepare`, which consumers' npm reports as an install script.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Newest modification time of the files under `paths` (folders walked), 0 when none exist. */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) {
      t = Math.max(t, newest(readdirSync(p).map((n) => join(p, n))));
    } else {
      t = Math.max(t, st.mtimeMs);
    }
  }
  return t;
}
const at = (...p) => join(root, ...p);
/** Whether `output` is missing or older than any of `inputs`. */
const stale = (output, inputs) => !existsSync(output) || statSync(output).mtimeMs < newest(inputs);
const npm = (script) => execFileSync("npm", ["run", script], { cwd: root, stdio: "inherit" });

const wasmModule = at("src", "core", "kernels", "wasm-binary.generated.ts");
if (stale(wasmModule, [at("assembly"), at("scripts", "build-wasm.mjs")])) npm("build:wasm");
if (stale(at("dist", "index.js"), [at("src"), at("tsconfig.build.json"), at("tsconfig.json")])) npm("build:ts");
