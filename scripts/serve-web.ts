// `npm run web`: build the page, then serve build/web/ on http://localhost:8080 (PORT to change). Cross-origin
// isolation headers (COOP/COEP) are sent so that a threaded build can use SharedArrayBuffer.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWeb, WEB_OUT } from "./build-web.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", // webpack's ES module output (test-browser/mujoco.test.ts)
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".safetensors": "application/octet-stream",
};

/** A static file server for `dir`; resolves to the listening server. */
export function serve(dir: string, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    const headers: Record<string, string> = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    try {
      if (!file.startsWith(dir + sep) || !(await stat(file)).isFile()) throw new Error("not found");
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWeb();
  const port = Number(process.env.PORT ?? 8080);
  await serve(WEB_OUT, port);
  console.log(`tsrl page: http://localhost:${port}/ (Ctrl-C to stop)`);
}
