import { TsrlError } from "../errors.js";

/**
 * A Node.js built-in module (`node:fs/promises`, `node:worker_threads`...) fetched at run time through
 * `process.getBuiltinModule` instead of an `import`: no `node:` specifier appears in the module graph, so bundlers
 * (esbuild, Vite, webpack) build a page from tsrl without flags, and only the Node-only feature fails in a browser.
 * `feature` names what needed it, for the error.
 */
export function nodeBuiltin<T>(id: `node:${string}`, feature: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== "function") {
    throw new TsrlError(`${feature} needs Node.js >= 20.16 (${id}); it is not available in this runtime`);
  }
  return get(id) as T;
}
