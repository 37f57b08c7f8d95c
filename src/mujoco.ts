// The tsrl/mujoco entry: Gymnasium's MuJoCo v5 environments on MuJoCo's official WebAssembly build (the optional
// peer dependency `mujoco`). `await initMujoco()` once, then make("Hopper-v5") and friends work as any env.
import type { MainModule } from "mujoco";
import { HOW_TO_LOAD, registerModelFile, setModelFileReader, setMujocoModule } from "./envs/mujoco/loader.js";
import { registerMujocoEnvs } from "./envs/mujoco/register.js";
import { describe, EnvError, InvalidArgumentError } from "./errors.js";

export { AntEnv, type AntOptions } from "./envs/mujoco/ant.js";
export { HalfCheetahEnv, type HalfCheetahOptions } from "./envs/mujoco/half-cheetah.js";
export { HopperEnv, type HopperOptions } from "./envs/mujoco/hopper.js";
export { HumanoidEnv, type HumanoidOptions } from "./envs/mujoco/humanoid.js";
export { HumanoidBase, type HumanoidObservationOptions } from "./envs/mujoco/humanoid-base.js";
export { HumanoidStandupEnv, type HumanoidStandupOptions } from "./envs/mujoco/humanoid-standup.js";
export { isMujocoId, MUJOCO_REGISTRATIONS } from "./envs/mujoco/ids.js";
export {
  InvertedDoublePendulumEnv,
  type InvertedDoublePendulumOptions,
} from "./envs/mujoco/inverted-double-pendulum.js";
export { InvertedPendulumEnv } from "./envs/mujoco/inverted-pendulum.js";
export { isMujocoLoaded, registerModelFile } from "./envs/mujoco/loader.js";
export {
  f64,
  INTEGRATION_STATE,
  MujocoEnv,
  type MujocoEnvConfig,
  type MujocoEnvOptions,
} from "./envs/mujoco/mujoco-env.js";
export { PlanarWalkerEnv, type PlanarWalkerOptions } from "./envs/mujoco/planar-walker.js";
export { PusherEnv, type PusherOptions } from "./envs/mujoco/pusher.js";
export { ReacherEnv, type ReacherOptions } from "./envs/mujoco/reacher.js";
export type { CameraConfig } from "./envs/mujoco/render.js";
export { SwimmerEnv, type SwimmerOptions } from "./envs/mujoco/swimmer.js";
export { Walker2dEnv, type Walker2dOptions } from "./envs/mujoco/walker2d.js";

/** The model files Gymnasium ships, bundled in the package's assets/mujoco/ (MIT, license beside them). */
export const BUNDLED_MODEL_FILES = [
  "ant.xml",
  "half_cheetah.xml",
  "hopper.xml",
  "humanoid.xml",
  "humanoidstandup.xml",
  "inverted_double_pendulum.xml",
  "inverted_pendulum.xml",
  "pusher_v5.xml",
  "reacher.xml",
  "swimmer.xml",
  "walker2d_v5.xml",
] as const;

export interface InitMujocoOptions {
  /** An already loaded module (`await (await import("mujoco")).default()`), e.g. with a bundler's own options. */
  module?: MainModule;
  /**
   * Where a browser fetches `mujoco.wasm` (resolved against the page's URL). Default: beside the script holding the
   * `mujoco` package's code (`new URL("mujoco.wasm", import.meta.url)` in that code), which is the bundle's own
   * folder once a bundler has inlined it: copy `node_modules/mujoco/mujoco.wasm` there, or say where it is.
   */
  wasmUrl?: string | URL;
  /** Passed to the module factory (Emscripten's hook, more general than `wasmUrl`; `wasmUrl` wins for the .wasm). */
  locateFile?: (path: string, prefix: string) => string;
  /**
   * Where the bundled model files (`hopper.xml`, ...) are fetched from: a folder URL, resolved against the page's
   * URL. Default: the package's assets/mujoco/ beside dist/ (Node, or a browser loading the package unbundled);
   * a bundled page copies `node_modules/tsrl/assets/mujoco/` to its output and names that folder here.
   */
  assetsUrl?: string | URL;
}

type NodeFs = typeof import("node:fs");

/** node:fs in Node (without a static import, so this entry loads in browsers), else null. */
function nodeFs(): NodeFs | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return typeof get === "function" ? (get("node:fs") as NodeFs) : null;
}

let loading: Promise<MainModule> | null = null;

/**
 * Load MuJoCo's WebAssembly module and the bundled model files, once (later calls return the same module). In Node,
 * `xmlFile` options may also be file paths; in a browser, give other models with `registerModelFile(name, xml)`.
 */
export function initMujoco(opts: InitMujocoOptions = {}): Promise<MainModule> {
  for (const key of ["wasmUrl", "assetsUrl"] as const) {
    const url = opts[key];
    if (url !== undefined && typeof url !== "string" && !(url instanceof URL)) {
      return Promise.reject(
        new InvalidArgumentError(`initMujoco: ${key} must be a URL or a string, got ${describe(url)}`),
      );
    }
  }
  loading ??= load(opts).catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function load(opts: InitMujocoOptions): Promise<MainModule> {
  const module = opts.module ?? (await loadPackage(opts));
  const assets = opts.assetsUrl === undefined ? new URL("../assets/mujoco/", import.meta.url) : pageUrl(opts.assetsUrl);
  if (!assets.pathname.endsWith("/")) assets.pathname += "/"; // a folder: its files resolve inside it
  const fs = nodeFs();
  const texts = await Promise.all(
    BUNDLED_MODEL_FILES.map((name) => {
      const url = new URL(name, assets);
      if (fs !== null && url.protocol === "file:") return fs.readFileSync(url, "utf8");
      return fetch(url).then((r) => {
        if (!r.ok) throw new EnvError(`initMujoco: cannot fetch the model file ${url} (HTTP ${r.status})`);
        return r.text();
      });
    }),
  );
  for (const [i, name] of BUNDLED_MODEL_FILES.entries()) registerModelFile(name, texts[i]);
  if (fs !== null) setModelFileReader((path) => fs.readFileSync(path, "utf8"));
  setMujocoModule(module);
  return module;
}

async function loadPackage(opts: InitMujocoOptions): Promise<MainModule> {
  let factory: (options?: unknown) => Promise<MainModule>;
  try {
    factory = (await import("mujoco")).default;
  } catch (e) {
    throw new EnvError(
      `initMujoco: the "mujoco" package could not be imported (${(e as Error).message}); ${HOW_TO_LOAD}`,
    );
  }
  const { wasmUrl, locateFile } = opts;
  const wasm = wasmUrl === undefined ? null : pageUrl(wasmUrl).href;
  const locate =
    wasm === null
      ? locateFile
      : (path: string, prefix: string) =>
          path.endsWith(".wasm") ? wasm : locateFile ? locateFile(path, prefix) : prefix + path;
  try {
    return await factory(locate ? { locateFile: locate } : {});
  } catch (e) {
    const where = wasm === null ? "" : ` from wasmUrl ${wasm}`;
    throw new EnvError(
      `initMujoco: MuJoCo's WebAssembly did not load${where} (${(e as Error)?.message ?? String(e)}); in a browser, copy node_modules/mujoco/mujoco.wasm to the site and pass its URL as wasmUrl`,
    );
  }
}

/** A URL the user gave, relative to the page (or worker) in a browser; absolute (or file path) in Node. */
function pageUrl(url: string | URL): URL {
  if (url instanceof URL) return new URL(url);
  const base = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return new URL(url, base);
  } catch {
    throw new InvalidArgumentError(
      `initMujoco: ${describe(url)} is not a URL${base === undefined ? " (and there is no page to resolve it against)" : ""}`,
    );
  }
}

registerMujocoEnvs({ module: import.meta.url, exportName: "initMujoco" });
