// Child process of hostile-files.test.ts: builds one hostile safetensors file as large as the header cap allows,
// then loads it the way `Algorithm.load` does (read the file, decode the container and the checkpoint meta) and
// prints what happened, how long it took and the peak memory it added (maxRSS is a high-water mark, so each case
// runs in its own process).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkpointFromBytes } from "../../src/algos/common/checkpoint.js";
import { MAX_HEADER_BYTES, MAX_RANK, MAX_TENSORS } from "../../src/core/safetensors.js";
import { readFileBytes } from "../../src/platform/fs.js";

const [kind, dir] = process.argv.slice(2);
const cap = MAX_HEADER_BYTES;

/** Repeat `item(i)` inside `open ... close` until the header would pass the cap. */
function fill(open: string, item: (i: number) => string, close: string): string {
  const parts: string[] = [open];
  let size = open.length + close.length;
  for (let i = 0; ; i++) {
    const s = (i === 0 ? "" : ",") + item(i);
    if (size + s.length > cap) break;
    parts.push(s);
    size += s.length;
  }
  parts.push(close);
  return parts.join("");
}

const zeroShape = `[${new Array(MAX_RANK).fill(0).join(",")}]`;
const headers: Record<string, () => string> = {
  // millions of zero-size tensors
  tensors: () => fill("{", (i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`, "}"),
  // millions of metadata keys
  metadata: () => fill('{"__metadata__":{', (i) => `"k${i}":""`, "}}"),
  // a shape with millions of entries
  shape: () => fill('{"t":{"dtype":"F32","shape":[', () => "1", '],"data_offsets":[0,4]}}'),
  // one metadata string as long as the cap
  string: () => `{"__metadata__":{"tsrl":"${"x".repeat(cap - 40)}"}}`,
  // as many tensors as allowed, each of the highest rank: accepted by the container, refused as a checkpoint
  "most-allowed": () =>
    `{${Array.from({ length: MAX_TENSORS }, (_, i) => `"t${i}":{"dtype":"F32","shape":${zeroShape},"data_offsets":[0,0]}`).join(",")}}`,
};

const text = headers[kind]();
const header = Buffer.from(text, "latin1");
const bytes = new Uint8Array(8 + header.length);
new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
bytes.set(header, 8);
const path = join(dir, `${kind}.safetensors`);
writeFileSync(path, bytes);

global.gc?.();
const before = process.resourceUsage().maxRSS;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let outcome: string;
try {
  checkpointFromBytes(await readFileBytes(path));
  outcome = "loaded";
} catch (e) {
  outcome = `${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 200)}`;
}
const ms = performance.now() - t0;
// CPU time too: on a machine shared with other work the wall clock measures the neighbours as well
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const extraMb = (process.resourceUsage().maxRSS - before) / 1024;
process.stdout.write(`${JSON.stringify({ kind, headerBytes: header.length, outcome, ms, cpuMs, extraMb })}\n`);
