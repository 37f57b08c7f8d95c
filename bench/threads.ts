// npm run bench:threads — the kernel thread pool (issue 18), 1 thread against N (default 2), measured alternately:
//   1. fork/join cost: a product too small to matter, split over N threads, minus the same product on one
//   2. crossover: products of batch x in x out (a dense layer's forward) at 1 and N threads, forced to split, so the
//      split threshold (MIN_MACS_PER_THREAD in src/core/kernels/threaded.ts) is a measured figure
//   3. matmul 256x256x256 and the fused dense layer at batch 256 (256 -> 256, relu; forward and input gradient):
//      GFLOP/s (target: >= 1.7x on 2 cores)
//   4. DQN CartPole-v1, zoo settings as published (bench/dqn.ts), 50k steps: wall time (target: >= 1.5x faster),
//      against Stable-Baselines3's 45 s measured on the same machine kind (/work/shared/PEERS.md: 46.2 s, 45.1 s)
//   5. SAC Pendulum-v1 zoo 20k (SB3: 295 s)
//   6. PPO CartPole-v1 zoo (8 envs, 100k steps): threads on against off (target: no slower)
// Options: --threads N (default 2), --rounds R (alternating pairs for 4-6, default 1 for DQN/SAC and 3 for PPO),
// --quick (DQN 10k and PPO 20k steps, SAC 2k: for a smoke run), --kernels (sections 1-3 only). Writes
// bench/results/threads.md (full runs only).
// Figures taken while other processes compete for the cores are depressed and noisy (the load average is printed).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { DQN } from "../src/algos/dqn.js";
import { PPO } from "../src/algos/ppo.js";
import { SAC } from "../src/algos/sac.js";
import { Engine } from "../src/core/engine.js";
import type { ThreadedKernels } from "../src/core/kernels/index.js";
import { MIN_MACS_PER_THREAD } from "../src/core/kernels/threaded.js";
import { Rng } from "../src/core/rng.js";
import "../src/envs/builtin.js";
import { make } from "../src/envs/registry.js";
import { makeVec } from "../src/envs/vector/make-vec.js";
import { zoo as ppoZoo } from "../src/train/zoo/ppo.js";
import { zoo as sacZoo } from "../src/train/zoo/sac.js";
import { dqnCartPolePublished } from "./zoo-published.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes("--quick");
const kernelsOnly = argv.includes("--kernels");
const N = opt("--threads", 2);
const lines: string[] = [];
const out = (s = "") => {
  console.log(s);
  lines.push(s);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

out(`# bench:threads (${new Date().toISOString().slice(0, 16)}Z)`);
out();
out(
  `Node ${process.version}, ${availableParallelism()} hardware threads, 1-min load average at start ${loadavg()[0].toFixed(2)}; ` +
    `1 thread against ${N}${quick ? " (--quick: shortened runs)" : ""}.`,
);

const one = new Engine({ threads: 1 });
const many = new Engine({ threads: N });
if (many.threads !== N) throw new Error(`cannot run ${N} threads here: ${many.threadsNote}`);
await many.ready();
const tk = many.kernels as ThreadedKernels;

/** Buffers of a dense layer at m x k -> n, random. */
function layer(e: Engine, m: number, k: number, n: number) {
  const rng = new Rng(1);
  const fill = (len: number) => {
    const off = e.arena.alloc(len);
    for (let i = 0; i < len; i++) e.arena.view[off + i] = rng.normal();
    return off;
  };
  return { x: fill(m * k), w: fill(n * k), b: fill(n), out: fill(m * n), gx: fill(m * k) };
}

/** Seconds per call of `f`, best of `batches` batches sized to about `ms` each. */
function timeIt(f: () => void, ms = 20, batches = 7): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    const dt = performance.now() - t0;
    if (dt > ms / 4) {
      reps = Math.max(1, Math.round((reps * ms) / dt));
      break;
    }
    reps *= 4;
  }
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best / 1000;
}

/** Seconds per call on 1 and on N threads, measured alternately (best of 3 alternations). */
function pair(f: (e: Engine) => void): [number, number] {
  const t: [number[], number[]] = [[], []];
  for (let r = 0; r < 3; r++) {
    t[0].push(timeIt(() => f(one)));
    t[1].push(timeIt(() => f(many)));
  }
  return [Math.min(...t[0]), Math.min(...t[1])];
}

// ---- 1. fork/join
out();
out("## Fork/join cost");
tk.minMacsPerThread = 0;
{
  const [m, k, n] = [32, 1, 4];
  const l1 = layer(one, m, k, n);
  const ln = layer(many, m, k, n);
  const before = tk.splitProducts;
  const [t1, tn] = pair((e) => {
    const l = e === one ? l1 : ln;
    e.kernels.linear(l.x, l.w, l.b, l.out, m, k, n, "none");
  });
  if (tk.splitProducts === before) throw new Error("the fork/join probe did not split");
  // after an idle spell (workers asleep in Atomics.wait): one call at a time, 1 ms apart, median of 200
  const cold = (e: Engine) => {
    const l = e === one ? l1 : ln;
    const ts: number[] = [];
    for (let r = 0; r < 200; r++) {
      const until = performance.now() + 1;
      while (performance.now() < until) {}
      const t0 = performance.now();
      e.kernels.linear(l.x, l.w, l.b, l.out, m, k, n, "none");
      ts.push(performance.now() - t0);
    }
    return median(ts) / 1000;
  };
  const [c1, cn] = [cold(one), cold(many)];
  out(
    `A ${m}x${k}x${n} product (no work to speak of; the mechanism alone, the calling thread may take both chunks): ${(t1 * 1e6).toFixed(2)} us on 1 thread, ${(tn * 1e6).toFixed(2)} us split over ${N}: ` +
      `fork/join costs about ${((tn - t1) * 1e6).toFixed(1)} us per call back to back (best of alternating batches; workers ` +
      `spin briefly before sleeping), ${((cn - c1) * 1e6).toFixed(1)} us after 1 ms idle (median; workers asleep: the ` +
      "calling thread wakes them and does the work itself if they are late).",
  );
}

// ---- 2. crossover
out();
out("## Crossover (dense layer forward, forced split)");
out();
out(
  `| batch x in x out | multiply-adds per thread | 1 thread (us) | ${N} threads (us) | speedup | ` +
    `overhead: ${N} threads - 1 thread / ${N} (us) |`,
);
out("|---|---|---|---|---|---|");
for (const [m, k, n] of [
  [64, 64, 64],
  [128, 64, 64],
  [256, 64, 64],
  [64, 128, 128],
  [256, 128, 128],
  [64, 256, 256],
  [128, 256, 256],
  [256, 256, 256],
]) {
  const l1 = layer(one, m, k, n);
  const ln = layer(many, m, k, n);
  const [t1, tn] = pair((e) => {
    const l = e === one ? l1 : ln;
    e.kernels.linear(l.x, l.w, l.b, l.out, m, k, n, "relu");
  });
  out(
    `| ${m}x${k}x${n} | ${((m * k * n) / N / 1024).toFixed(0)}k | ${(t1 * 1e6).toFixed(1)} | ${(tn * 1e6).toFixed(1)} | ` +
      `${(t1 / tn).toFixed(2)}x | ${((tn - t1 / N) * 1e6).toFixed(1)} |`,
  );
}
out();
out(
  `Shipped threshold: a product splits when each thread gets at least ${MIN_MACS_PER_THREAD / 1024}k multiply-adds ` +
    "(MIN_MACS_PER_THREAD), and only products of at least 32 rows.",
);

// ---- 3. GFLOP/s at 256
tk.minMacsPerThread = MIN_MACS_PER_THREAD;
out();
out("## Kernels at 256");
out();
out(`| kernel | 1 thread GFLOP/s | ${N} threads GFLOP/s | speedup |`);
out("|---|---|---|---|");
{
  const [m, k, n] = [256, 256, 256];
  const l1 = layer(one, m, k, n);
  const ln = layer(many, m, k, n);
  const kernels: [string, (e: Engine, l: ReturnType<typeof layer>) => void][] = [
    ["matmul 256x256x256", (e, l) => e.kernels.matmul(l.x, l.w, l.out, m, k, n, false, false, false)],
    [
      "dense layer forward, batch 256, 256 -> 256, relu",
      (e, l) => e.kernels.linear(l.x, l.w, l.b, l.out, m, k, n, "relu"),
    ],
    [
      "dense layer input gradient, batch 256, relu'",
      (e, l) => e.kernels.linearInputGrad(l.out, l.w, l.x, l.gx, m, n, k, "relu"),
    ],
    [
      "dense layer weight gradient (gy^T x), batch 256",
      (e, l) => e.kernels.matmul(l.out, l.x, l.gx, n, m, k, true, false, false),
    ],
  ];
  for (const [name, f] of kernels) {
    const [t1, tn] = pair((e) => f(e, e === one ? l1 : ln));
    const gf = (t: number) => ((2 * m * k * n) / t / 1e9).toFixed(1);
    out(`| ${name} | ${gf(t1)} | ${gf(tn)} | ${(t1 / tn).toFixed(2)}x |`);
  }
}
many.close();
if (kernelsOnly) process.exit(0);

// ---- 4-6. training runs
type Run = { label: string; seconds: number[] };
async function alternate(
  name: string,
  rounds: number,
  build: (threads: number) => { learn(steps: number): Promise<unknown> },
  steps: number,
): Promise<[Run, Run]> {
  const runs: [Run, Run] = [
    { label: "1 thread", seconds: [] },
    { label: `${N} threads`, seconds: [] },
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [i, threads] of [
      [0, 1],
      [1, N],
    ] as const) {
      const model = build(threads);
      const t0 = performance.now();
      await model.learn(steps);
      runs[i].seconds.push((performance.now() - t0) / 1000);
      console.error(`${name}, ${threads} thread(s), round ${r + 1}: ${runs[i].seconds.at(-1)?.toFixed(2)} s`);
    }
  }
  return runs;
}

out();
out("## Training runs (wall time of model.learn, alternating 1 and N threads)");
out();
out("| workload | 1 thread (s) | N threads (s) | speedup | vs SB3 (1 thread), measured on the same machine kind |");
out("|---|---|---|---|---|");
{
  const steps = quick ? 10_000 : 50_000;
  const [a, b] = await alternate(
    "DQN",
    opt("--rounds", 1),
    (threads) => new DQN(make("CartPole-v1"), { ...dqnCartPolePublished, seed: 0, threads }),
    steps,
  );
  const sb3 = 45 * (steps / 50_000);
  const [ta, tb] = [median(a.seconds), median(b.seconds)];
  out(
    `| DQN CartPole-v1 zoo, ${steps / 1000}k steps | ${a.seconds.map((s) => s.toFixed(1)).join(", ")} | ${b.seconds.map((s) => s.toFixed(1)).join(", ")} | ${(ta / tb).toFixed(2)}x | SB3 ${sb3.toFixed(0)} s: ${(sb3 / ta).toFixed(2)}x (1 thread), ${(sb3 / tb).toFixed(2)}x (${N}) |`,
  );
}
{
  const steps = quick ? 2_000 : 20_000;
  const [a, b] = await alternate(
    "SAC",
    opt("--rounds", 1),
    (threads) => new SAC(make("Pendulum-v1"), { ...sacZoo.entries["Pendulum-v1"].hyperparams, seed: 0, threads }),
    steps,
  );
  const sb3 = 295 * (steps / 20_000);
  const [ta, tb] = [median(a.seconds), median(b.seconds)];
  out(
    `| SAC Pendulum-v1 zoo, ${steps / 1000}k steps | ${a.seconds.map((s) => s.toFixed(1)).join(", ")} | ${b.seconds.map((s) => s.toFixed(1)).join(", ")} | ${(ta / tb).toFixed(2)}x | SB3 ${sb3.toFixed(0)} s: ${(sb3 / ta).toFixed(2)}x (1 thread), ${(sb3 / tb).toFixed(2)}x (${N}) |`,
  );
}
{
  const steps = quick ? 20_000 : 100_000;
  const entry = ppoZoo.entries["CartPole-v1"];
  const [a, b] = await alternate(
    "PPO",
    opt("--rounds", 3),
    (threads) =>
      new PPO(makeVec("CartPole-v1", entry.nEnvs ?? 8, { autoresetMode: "same-step" }), {
        ...entry.hyperparams,
        seed: 0,
        threads,
      }),
    steps,
  );
  const [ta, tb] = [median(a.seconds), median(b.seconds)];
  out(
    `| PPO CartPole-v1 zoo (${entry.nEnvs ?? 8} envs), ${steps / 1000}k steps | ${a.seconds.map((s) => s.toFixed(2)).join(", ")} | ${b.seconds.map((s) => s.toFixed(2)).join(", ")} | ${(ta / tb).toFixed(2)}x (medians) | SB3 ~20 s: ${((20 * steps) / 100_000 / ta).toFixed(1)}x |`,
  );
}
out();
out(`1-min load average at the end: ${loadavg()[0].toFixed(2)}.`);

if (!quick && !kernelsOnly) {
  const dir = new URL("./results/", import.meta.url);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("threads.md", dir), `${lines.join("\n")}\n`);
}
