// Issue 16.2: every TypeScript block of README.md and docs/*.md type-checks under `strict` and the runnable ones run.
// A block's info string marks what it is: ```ts (type-checked and run), ```ts no-run (type-checked only: it needs
// a file or an env the reader supplies), ```ts worker (a Web Worker script: type-checked against the WebWorker
// library instead of Node's, not run), ```ts sketch (design notes in docs/contracts.md, written before the code:
// neither). Imports of "tsrl" and its subpaths resolve to this checkout's sources; each block runs in a temporary
// folder (so the files it saves land there).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "tsrl-docs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Block {
  doc: string;
  line: number;
  mode: "run" | "no-run" | "worker" | "sketch";
  code: string;
}

function blocks(doc: string): Block[] {
  const text = readFileSync(join(ROOT, doc), "utf8");
  const out: Block[] = [];
  for (const m of text.matchAll(/^```ts(?: ([\w-]+))?\n([\s\S]*?)^```$/gm)) {
    const mode = (m[1] ?? "run") as Block["mode"];
    assert.ok(["run", "no-run", "worker", "sketch"].includes(mode), `${doc}: unknown block marker ${m[1]}`);
    out.push({ doc, line: text.slice(0, m.index).split("\n").length, mode, code: m[2] });
  }
  return out;
}

const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));
const all = docs.flatMap(blocks);
const checked = all.filter((b) => b.mode !== "sketch");
const src = (p: string) => join(ROOT, "src", p);
const files = checked.map((b, i) => {
  const code = b.code
    .replace(/from "tsrl\/train"/g, `from ${JSON.stringify(src("train/index.js"))}`)
    .replace(/from "tsrl\/zoo"/g, `from ${JSON.stringify(src("train/browser.js"))}`)
    .replace(/from "tsrl\/study"/g, `from ${JSON.stringify(src("study/index.js"))}`)
    .replace(/(from |import\()"tsrl\/mujoco"/g, (_, how) => `${how}${JSON.stringify(src("mujoco.js"))}`)
    .replace(/from "tsrl"/g, `from ${JSON.stringify(src("index.js"))}`);
  const file = join(dir, `block-${i}.mts`);
  // an empty export keeps every block a module of its own (top-level await, no shared names)
  writeFileSync(file, `${code}\nexport {};\n`);
  return file;
});
const TSX = import.meta.resolve("tsx"); // resolved here: the blocks run from a folder outside the repository
const where = (i: number) => `${checked[i].doc}:${checked[i].line}`;

test("the docs hold TypeScript blocks, and only the design notes are sketches", () => {
  assert.ok(checked.length >= 5, `${checked.length} blocks`);
  for (const b of all) if (b.mode === "sketch") assert.equal(b.doc, "docs/contracts.md", `${b.doc}:${b.line}`);
});

/** Strict diagnostics of `mine` (the blocks of one kind), each named by its doc and line. */
function typeErrors(mine: string[], worker: boolean): string[] {
  const program = ts.createProgram(mine, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    typeRoots: [join(ROOT, "node_modules", "@types")],
    ...(worker ? { lib: ["lib.es2022.d.ts", "lib.webworker.d.ts"], types: [] } : { types: ["node"] }),
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && mine.includes(d.file.fileName))
    .map((d) => {
      const i = d.file ? files.indexOf(d.file.fileName) : -1;
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${i >= 0 ? where(i) : "?"} (+${pos}): ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}

test("every TypeScript block of the README and docs type-checks with strict on", () => {
  const isWorker = (f: string) => checked[files.indexOf(f)].mode === "worker";
  const problems = [
    ...typeErrors(
      files.filter((f) => !isWorker(f)),
      false,
    ),
    ...typeErrors(files.filter(isWorker), true),
  ];
  assert.deepEqual(problems, []);
});

for (const [i, b] of checked.entries()) {
  if (b.mode !== "run") continue;
  test(`${where(i)} runs`, async () => {
    const cwd = mkdtempSync(join(dir, "run-"));
    const child = spawn(process.execPath, ["--import", TSX, files[i]], { cwd, stdio: "pipe" });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    assert.equal(code, 0, `${where(i)} exited ${code}:\n${err}`);
  });
}
