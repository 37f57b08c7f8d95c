// The loaded MuJoCo WebAssembly module and the model files it compiles. Kept free of Node APIs: the tsrl/mujoco
// entry (src/mujoco.ts) loads the module and the bundled model files, in Node or a browser, and hands them here.
import type { MainModule, MjModel } from "mujoco";
import { describe, EnvError, InvalidArgumentError } from "../../errors.js";

let loaded: MainModule | null = null;
const modelFiles = new Map<string, string>();
let readFile: ((path: string) => string) | null = null;
let loadCount = 0;

/** What to do when an env is made before `initMujoco()`: said by every error about it. */
export const HOW_TO_LOAD =
  'install the optional peer dependency (npm install mujoco@3.1.16), then import { initMujoco } from "tsrl/mujoco" and await initMujoco() once before make()';

/** Install the loaded module (by `initMujoco`). */
export function setMujocoModule(module: MainModule): void {
  loaded = module;
}

/** The loaded module, or an error saying how to load it. */
export function mujocoModule(where: string): MainModule {
  if (loaded === null) throw new EnvError(`${where}: MuJoCo is not loaded; ${HOW_TO_LOAD}`);
  return loaded;
}

export function isMujocoLoaded(): boolean {
  return loaded !== null;
}

/**
 * Make an MJCF text available under `name` to every env's `xmlFile` option (the bundled files are added this way;
 * in a browser this is how a model of one's own gets in).
 */
export function registerModelFile(name: string, xml: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(`registerModelFile: name must be a non-empty string, got ${describe(name)}`);
  }
  if (typeof xml !== "string") {
    throw new InvalidArgumentError(`registerModelFile(${name}): xml must be the MJCF text, got ${describe(xml)}`);
  }
  modelFiles.set(name, xml);
}

/** How `xmlFile` paths that are not registered names are read (Node: the file system; unset in browsers). */
export function setModelFileReader(reader: ((path: string) => string) | null): void {
  readFile = reader;
}

/** The MJCF text of `xmlFile`: a registered name (the bundled files: "hopper.xml", ...) or a path. */
function modelText(where: string, xmlFile: string): string {
  const registered = modelFiles.get(xmlFile);
  if (registered !== undefined) return registered;
  if (readFile === null) {
    throw new InvalidArgumentError(
      `${where}: xmlFile ${describe(xmlFile)} is not a registered model file (${[...modelFiles.keys()].join(", ")}) and files cannot be read here; pass its text to registerModelFile(name, xml) first`,
    );
  }
  try {
    return readFile(xmlFile);
  } catch (e) {
    throw new InvalidArgumentError(
      `${where}: cannot read xmlFile ${describe(xmlFile)}: ${(e as Error).message ?? String(e)}`,
    );
  }
}

/**
 * The model text with `<compiler usethread="false"/>` first in its root element. MuJoCo's compiler otherwise starts
 * a thread, which the WebAssembly build makes a Web Worker and waits for: a browser starts that worker only after the
 * waiting code returns to the event loop, so loading a model never finished there. One thread compiles the bundled
 * models faster anyway (no worker to start). Inserted on the root element's own line, so MuJoCo's line numbers in
 * error messages stay the file's; a `compiler` element of the model's own comes later and overrides it.
 */
function singleThreaded(text: string): string {
  return text.replace(/<mujoco(\s[^>]*)?>/, (root) => `${root}<compiler usethread="false"/>`);
}

/**
 * Compile a model: the text goes to a file of its own in MuJoCo's in-memory file system, which MuJoCo parses;
 * its error message (XML syntax, unknown attribute, ...) is passed through.
 */
export function loadModel(where: string, xmlFile: unknown): MjModel {
  if (typeof xmlFile !== "string" || xmlFile.length === 0) {
    throw new InvalidArgumentError(`${where}: xmlFile must be a model file name or path, got ${describe(xmlFile)}`);
  }
  const mj = mujocoModule(where);
  const text = modelText(where, xmlFile);
  const dir = "/tsrl-models";
  if (!mj.FS.analyzePath(dir, false).exists) mj.FS.mkdir(dir);
  const path = `${dir}/model-${++loadCount}.xml`;
  mj.FS.writeFile(path, singleThreaded(text));
  try {
    return mj.MjModel.mj_loadXML(path);
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    throw new InvalidArgumentError(`${where}: MuJoCo cannot load xmlFile ${describe(xmlFile)}: ${message.trim()}`);
  } finally {
    mj.FS.unlink(path);
  }
}
