// Env speed with tsrl's portable math (src/core/math) against the engine's Math: the classic-control envs of this
// checkout against the same envs from a baseline git ref that still calls Math.sin/cos (default main), both loaded
// in one process and timed alternately in CPU time, so machine load hits both alike. Also the functions alone.
// Prints ratios (ports / builtins; > 1 means the ports are faster). Each tree is compiled file by file as tsc
// compiles dist/ (what Node users run: module-level consts stay const), or with --bundle into one file as esbuild
// bundles the web page (module-level consts become vars).
// Usage: npm run bench:env-math [-- baseline-ref rounds] [--bundle]
import { execSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import * as pmath from "../src/core/math/index.js";
import { Rng } from "../src/core/rng.js";
import type { Env } from "../src/envs/env.js";

const BUNDLE = process.argv.includes("--bundle");
const args = process.argv.slice(2).filter((a) => a !== "--bundle");
const REF = args[0] ?? "main";
const ROUNDS = Number(args[1] ?? 7);
const STEPS = 400_000;
const POOL = 4096;

type EnvCtor = new () => Env<Float32Array, unknown>;
const ENVS: { id: string; file: string; cls: string; n: number; low?: number; high?: number }[] = [
  { id: "CartPole-v1", file: "cartpole", cls: "CartPoleEnv", n: 2 },
  { id: "Pendulum-v1", file: "pendulum", cls: "PendulumEnv", n: 0, low: -2, high: 2 },
  { id: "Acrobot-v1", file: "acrobot", cls: "AcrobotEnv", n: 3 },
  {
    id: "MountainCarContinuous-v0",
    file: "mountain-car-continuous",
    cls: "MountainCarContinuousEnv",
    n: 0,
    low: -1,
    high: 1,
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** This process's CPU time in ms: unlike wall time, it does not count waiting for a core on a loaded machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function stepsPerSecond(env: Env<Float32Array, unknown>, actions: unknown[]): number {
  env.reset({ seed: 0 });
  const t0 = cpuMs();
  for (let k = 0; k < STEPS; k++) {
    const r = env.step(actions[k & (POOL - 1)]);
    if (r.terminated || r.truncated) env.reset();
  }
  return STEPS / ((cpuMs() - t0) / 1000);
}

/** The env module of the tree at `srcRoot` (the folder holding src/), compiled into `out` (see the header). */
async function compiled(srcRoot: string, out: string, rel: string): Promise<Record<string, unknown>> {
  const outdir = join(base, out);
  if (BUNDLE) {
    const outfile = join(outdir, "env.mjs");
    await esbuild.build({
      entryPoints: [join(srcRoot, rel)],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile,
      logLevel: "error",
    });
    return import(outfile);
  }
  if (!existsSync(outdir)) {
    const files = readdirSync(join(srcRoot, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => join(srcRoot, "src", f));
    await esbuild.build({ entryPoints: files, outbase: srcRoot, outdir, format: "esm", logLevel: "error" });
    writeFileSync(join(outdir, "package.json"), '{ "type": "module" }');
  }
  return import(join(outdir, rel.replace(/\.ts$/, ".js")));
}

const root = join(import.meta.dirname, "..");
const base = mkdtempSync(join(tmpdir(), "tsrl-env-math-"));
try {
  execSync(`git archive ${REF} src | tar -x -C ${base}`, { cwd: root });
  console.log(
    `baseline: src/ of ${REF}, ${BUNDLE ? "bundled" : "compiled file by file"}; ${ROUNDS} alternating rounds of ${STEPS} steps; median ratios (ports/builtins)`,
  );
  for (const e of ENVS) {
    const rel = `src/envs/classic-control/${e.file}.ts`;
    const Ported = (await compiled(root, BUNDLE ? `${e.file}-ports` : "ports", rel))[e.cls] as EnvCtor;
    const Builtin = (await compiled(base, BUNDLE ? `${e.file}-builtins` : "builtins", rel))[e.cls] as EnvCtor;
    const rng = new Rng(0);
    const actions = Array.from({ length: POOL }, () =>
      e.n > 0 ? rng.int(e.n) : new Float32Array([rng.uniformRange(e.low as number, e.high as number)]),
    );
    const [ported, builtin] = [new Ported(), new Builtin()];
    const ratios: number[] = [];
    const rates: number[][] = [[], []];
    for (let r = 0; r < ROUNDS; r++) {
      const first = r % 2 === 0;
      const a = first ? stepsPerSecond(ported, actions) : 0;
      const b = stepsPerSecond(builtin, actions);
      const p = first ? a : stepsPerSecond(ported, actions);
      rates[0].push(p);
      rates[1].push(b);
      ratios.push(p / b);
    }
    const m = (x: number[]) => (median(x) / 1e6).toFixed(2);
    console.log(
      `${e.id.padEnd(24)} ports ${m(rates[0])}M/s, builtins ${m(rates[1])}M/s, ratio ${median(ratios).toFixed(3)}`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

// The functions alone, on CartPole-sized angles and exp's typical arguments.
const xs = Float64Array.from({ length: 1 << 16 }, (_, i) => ((i * 0.618034) % 1) * 0.8 - 0.4);
const FUNCS: [string, (x: number) => number, (x: number) => number][] = [
  ["sin", pmath.sin, Math.sin],
  ["cos", pmath.cos, Math.cos],
  ["exp", pmath.exp, Math.exp],
  ["log", (x) => pmath.log(x + 1), (x) => Math.log(x + 1)],
  ["tanh", pmath.tanh, Math.tanh],
];
function callsPerSecond(f: (x: number) => number): number {
  let s = 0;
  const t0 = cpuMs();
  for (let rep = 0; rep < 40; rep++) for (let i = 0; i < xs.length; i++) s += f(xs[i]);
  const dt = cpuMs() - t0;
  if (s === 42) console.log(""); // keep the sum alive
  return (40 * xs.length) / (dt / 1000);
}
for (const [name, port, builtin] of FUNCS) {
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) ratios.push(callsPerSecond(port) / callsPerSecond(builtin));
  console.log(`${name.padEnd(5)} port/Math calls per second: ${median(ratios).toFixed(3)}`);
}
