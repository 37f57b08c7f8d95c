// npm run bench:small-matmul [-- --vs <other checkout>] (env BENCH_ONLY=<name part>|<name part>, BENCH_TRIALS=<n>) — the matmul kernels on the small shapes of SAC/TD3 with
// 64x64 networks (batch 100, Pendulum's 3 observations + 1 action) and PPO's 64x64 nets (batch 64/256, 4 inputs):
// per dense layer the forward product with bias + relu (W^T packed once, as the weight cache does in training),
// the weight gradient dW += dz^T x and the input gradient dx = (dz W) * relu'(x), plus batch-1 acting.
// Prints nanoseconds per call and GMAC/s. With --vs, the other checkout's kernels (its src/ and built wasm) are timed
// in the same run, batch for batch in turns, and every product's output is compared with it bit for bit (also over
// a sweep of odd sizes and all transpose/accumulate flags): a change of rounding fails the run.
import { loadavg } from "node:os";
import { resolve } from "node:path";
import type { Kernels } from "../src/core/kernels/index.js";

const BATCH_MS = 10;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 15);
const ONLY = (process.env.BENCH_ONLY ?? "").split("|"); // time only the cases whose name contains one of these

interface Build {
  name: string;
  arena: { alloc(n: number): number; mark(): number; release(mark: number): void; view: Float32Array | Float64Array };
  k: Kernels;
}

async function loadBuild(root: string, name: string): Promise<Build> {
  const { Arena } = await import(`${root}/src/core/arena.ts`);
  const { selectKernels } = await import(`${root}/src/core/kernels/index.ts`);
  const arena = new Arena({ initialBytes: 16 << 20 });
  return { name, arena, k: selectKernels(arena, "auto") as Kernels };
}

/** Deterministic pseudo-random fill in [-1, 1) with some exact zeros (relu outputs). */
function fill(b: Build, off: number, n: number, seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u = (s >>> 0) / 2 ** 32;
    b.arena.view[off + i] = u < 0.2 ? 0 : 2 * u - 1;
  }
}

interface Case {
  name: string;
  macs: number;
  /** allocate inputs in `b`, return the product to time and the output region [offset, length] */
  setup(b: Build): { run: () => void; out: [number, number] };
}

/** The three products of one dense layer x[m,k] -> [m,n] with relu. */
function layer(m: number, k: number, n: number): Case[] {
  const alloc = (b: Build, len: number, seed: number) => {
    const o = b.arena.alloc(len);
    fill(b, o, len, seed);
    return o;
  };
  return [
    {
      name: `fwd ${m}x${k}x${n} +b relu`,
      macs: m * k * n,
      setup(b) {
        const x = alloc(b, m * k, 1);
        const w = alloc(b, n * k, 2);
        const bias = alloc(b, n, 3);
        const out = b.arena.alloc(m * n);
        const pack = b.arena.alloc(k * n);
        b.k.linear(x, w, bias, out, m, k, n, "relu", pack, false); // packs W^T once, as the weight cache does
        return { run: () => b.k.linear(x, w, bias, out, m, k, n, "relu", pack, true), out: [out, m * n] };
      },
    },
    {
      name: `dW  ${n}x${m}x${k} (dz^T x, acc)`,
      macs: m * k * n,
      setup(b) {
        const dz = alloc(b, m * n, 4);
        const x = alloc(b, m * k, 5);
        const gw = alloc(b, n * k, 6);
        // accumulating into gw each call would grow it: time it, but compare one call on fresh data
        return { run: () => b.k.matmul(dz, x, gw, n, m, k, true, false, true), out: [gw, n * k] };
      },
    },
    {
      name: `dX  ${m}x${n}x${k} (dz W) relu'`,
      macs: m * k * n,
      setup(b) {
        const dz = alloc(b, m * n, 7);
        const w = alloc(b, n * k, 8);
        const y = alloc(b, m * k, 9);
        const gx = b.arena.alloc(m * k);
        return { run: () => b.k.linearInputGrad(dz, w, y, gx, m, n, k, "relu"), out: [gx, m * k] };
      },
    },
  ];
}

/** Acting: one observation through x[1,k] · W^T + b, relu. */
function act(k: number, n: number): Case {
  return {
    name: `act 1x${k}x${n} +b relu`,
    macs: k * n,
    setup(b) {
      const x = b.arena.alloc(k);
      fill(b, x, k, 11);
      const w = b.arena.alloc(n * k);
      fill(b, w, n * k, 12);
      const bias = b.arena.alloc(n);
      fill(b, bias, n, 13);
      const out = b.arena.alloc(n);
      return { run: () => b.k.linear(x, w, bias, out, 1, k, n, "relu"), out: [out, n] };
    },
  };
}

const cases: Case[] = [
  // SAC/TD3 Pendulum, 64x64, batch 100: critic 4 -> 64 -> 64 -> 1, actor 3 -> 64 -> 64 -> 2
  ...layer(100, 4, 64),
  ...layer(100, 3, 64),
  ...layer(100, 64, 64),
  ...layer(100, 64, 1),
  ...layer(100, 64, 2),
  // PPO 64x64 (CleanRL CartPole: batch 128 minibatches; 4 inputs, 2 logits, 1 value), batch 256
  ...layer(128, 4, 64),
  ...layer(256, 64, 64),
  ...layer(64, 4, 64),
  act(3, 64),
  act(4, 64),
  act(64, 64),
  act(64, 1),
  act(64, 2),
];

function calibrate(run: () => void): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) run();
    const dt = performance.now() - t0;
    if (dt > BATCH_MS / 2) return Math.max(1, Math.round((n * BATCH_MS) / dt));
    n *= 2;
  }
}

function bitsEqual(a: Build, ao: number, b: Build, bo: number, len: number): boolean {
  const x = new Uint32Array(new Float32Array(a.arena.view.subarray(ao, ao + len)).buffer);
  const y = new Uint32Array(new Float32Array(b.arena.view.subarray(bo, bo + len)).buffer);
  for (let i = 0; i < len; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Every flag combination over odd sizes, each product run once on the same data in both builds. */
function sweep(a: Build, b: Build): number {
  let bad = 0;
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33, 64, 100];
  let seed = 100;
  for (const m of sizes)
    for (const k of sizes)
      for (const n of sizes)
        for (let f = 0; f < 8; f++) {
          const tA = (f & 1) !== 0;
          const tB = (f & 2) !== 0;
          const acc = (f & 4) !== 0;
          const marks = [a.arena.mark(), b.arena.mark()];
          const outs = [a, b].map((bd) => {
            const s = seed;
            const ma = bd.arena.alloc(m * k);
            fill(bd, ma, m * k, s);
            const mb = bd.arena.alloc(k * n);
            fill(bd, mb, k * n, s + 1);
            const c = bd.arena.alloc(m * n);
            fill(bd, c, m * n, s + 2);
            bd.k.matmul(ma, mb, c, m, k, n, tA, tB, acc);
            const bias = bd.arena.alloc(n);
            fill(bd, bias, n, s + 3);
            const c2 = bd.arena.alloc(m * n);
            if (!tA) bd.k.linear(ma, mb, bias, c2, m, k, n, (f & 4) !== 0 ? "relu" : "none");
            const y = bd.arena.alloc(m * k);
            fill(bd, y, m * k, s + 4);
            const gx = bd.arena.alloc(m * k);
            bd.k.linearInputGrad(c, mb, y, gx, m, n, k, "relu");
            return [c, c2, gx];
          });
          seed += 5;
          const lens = [m * n, m * n, m * k];
          for (let i = 0; i < 3; i++) {
            if (!bitsEqual(a, outs[0][i], b, outs[1][i], lens[i])) {
              bad++;
              if (bad <= 10) console.log(`MISMATCH m=${m} k=${k} n=${n} tA=${tA} tB=${tB} acc=${acc} output ${i}`);
            }
          }
          a.arena.release(marks[0]);
          b.arena.release(marks[1]);
        }
  return bad;
}

async function main(): Promise<void> {
  const vsAt = process.argv.indexOf("--vs");
  const builds = [await loadBuild(resolve("."), "this")];
  if (vsAt > 0) builds.push(await loadBuild(resolve(process.argv[vsAt + 1]), "vs"));
  console.log(
    `kernels: ${builds.map((b) => `${b.name}=${b.k.name}`).join(", ")}; load average ${loadavg()[0].toFixed(1)}`,
  );
  let mismatches = 0;
  const rows: string[] = [];
  for (const c of cases) {
    if (!ONLY.some((part) => c.name.includes(part))) continue;
    const set = builds.map((b) => c.setup(b));
    if (set.length === 2) {
      // one call on identical inputs (the dW case accumulates, so compare after exactly one run each)
      for (const s of set) s.run();
      if (!bitsEqual(builds[0], set[0].out[0], builds[1], set[1].out[0], set[0].out[1])) {
        mismatches++;
        console.log(`MISMATCH ${c.name}`);
      }
    }
    const iters = set.map((s) => calibrate(s.run));
    const best = set.map(() => Number.POSITIVE_INFINITY);
    for (let t = 0; t < TRIALS; t++) {
      set.forEach((s, i) => {
        const t0 = performance.now();
        for (let r = 0; r < iters[i]; r++) s.run();
        best[i] = Math.min(best[i], ((performance.now() - t0) * 1e6) / iters[i]);
      });
    }
    const cols = best.map((ns) => `${ns.toFixed(0).padStart(7)} ns ${(c.macs / ns).toFixed(2).padStart(6)} GMAC/s`);
    const ratio = best.length === 2 ? `  vs/this ${(best[1] / best[0]).toFixed(2)}` : "";
    rows.push(`${c.name.padEnd(30)} ${cols.join("  |  ")}${ratio}`);
    console.log(rows[rows.length - 1]);
  }
  if (builds.length === 2) {
    const bad = sweep(builds[0], builds[1]);
    console.log(`sweep: ${bad} mismatching outputs`);
    mismatches += bad;
  }
  console.log(`load average at end ${loadavg()[0].toFixed(1)}`);
  if (mismatches > 0) {
    console.log(`${mismatches} outputs differ bit-wise from the other build`);
    process.exitCode = 1;
  }
}

await main();
