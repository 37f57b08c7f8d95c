// npm run bench:core — tsrl's numeric core against TensorFlow.js (cpu and wasm backends) and against tsrl's own
// TypeScript reference kernels, all measured in this one run on this machine:
//   1. matmul GFLOP/s at 64x64x64, 256x64x64, 64x256x256 (C = A·B, float32);
//   2. microseconds per PPO training step of an actor-critic (policy 4 -> 64 tanh -> 64 tanh -> 2 logits, separate
//      value net 4 -> 64 -> 64 -> 1), batch 64 and 256: forward, clipped-surrogate + value + entropy loss, backward,
//      one Adam step over both nets;
//   3. microseconds per single-observation forward pass of the policy net (acting), logits read back to JS.
// Each number is the best (lowest time) of several timed batches of ~10 ms after a warm-up, collected over two
// passes (tsrl, tfjs cpu, tfjs wasm, then again); tsrl's kernel variants take turns batch by batch. A burst of load
// from other processes, or a GC, so lands on every contender rather than on one.
// Prints a markdown table and writes it to bench/results/core.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Minibatch } from "../src/algos/common/rollout-buffer.js";
import { PPO } from "../src/algos/ppo.js";
import { Arena } from "../src/core/arena.js";
import { Engine } from "../src/core/engine.js";
import { availableWasmKernels, type KernelPreference, type Kernels, selectKernels } from "../src/core/kernels/index.js";
import { Rng } from "../src/core/rng.js";
import "../src/envs/builtin.js";
import { makeVec } from "../src/envs/vector/make-vec.js";

const root = process.cwd(); // npm runs scripts in the package root
const TRIALS_PER_PASS = Number(process.env.BENCH_TRIALS ?? 10);
const BATCH_MS = 10;
const WARMUP_MS = 200;

// ------------------------------------------------------------------------------------------------- timing

interface Contender {
  row: string;
  column: string;
  fn: () => void;
}

/**
 * Time contenders side by side: each is warmed up (at least WARMUP_MS of calls, so JIT tiers settle) and given a
 * batch size of about BATCH_MS, then the batches run in turns, `trials` rounds, and each keeps its best (lowest)
 * seconds per call. Taking turns means a burst of load from elsewhere, or a GC, does not land on one contender.
 */
function timeGroup(contenders: Contender[], trials: number): void {
  const iters = contenders.map(({ fn }) => {
    let n = 1;
    let spent = 0;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      const dt = performance.now() - t0;
      spent += dt;
      if (dt > BATCH_MS / 2 && spent > WARMUP_MS) return Math.max(1, Math.round((n * BATCH_MS) / dt));
      if (dt <= BATCH_MS / 2) n *= 2;
    }
  });
  const best = contenders.map(() => Number.POSITIVE_INFINITY);
  for (let t = 0; t < trials; t++) {
    contenders.forEach(({ fn }, c) => {
      const t0 = performance.now();
      for (let i = 0; i < iters[c]; i++) fn();
      best[c] = Math.min(best[c], (performance.now() - t0) / 1000 / iters[c]);
    });
  }
  for (let c = 0; c < contenders.length; c++) record(contenders[c].row, contenders[c].column, best[c]);
}

/** results[row][column] = best seconds per call so far */
const results = new Map<string, Map<string, number>>();
function record(row: string, column: string, seconds: number): void {
  let r = results.get(row);
  if (!r) {
    r = new Map();
    results.set(row, r);
  }
  r.set(column, Math.min(r.get(column) ?? Number.POSITIVE_INFINITY, seconds));
}

// ------------------------------------------------------------------------------------------------- workloads

const MATMUL_SIZES: [number, number, number][] = [
  [64, 64, 64],
  [256, 64, 64],
  [64, 256, 256],
];
const PPO_BATCHES = [64, 256];
const OBS = 4;
const HIDDEN = 64;
const ACTIONS = 2;

const matmulRow = (m: number, k: number, n: number) => `matmul ${m}x${k}x${n} (GFLOP/s)`;
const ppoRow = (b: number) => `PPO train step, batch ${b} (µs)`;
const ACT_ROW = "acting: 1 observation forward (µs)";

/** Deterministic inputs shared by every contender. */
function inputs(batch: number) {
  const rng = new Rng(batch);
  const obs = Float32Array.from({ length: batch * OBS }, () => rng.normal());
  const actions = Int32Array.from({ length: batch }, () => rng.int(ACTIONS));
  const oldLogp = Float32Array.from({ length: batch }, () => Math.log(0.5) + 0.1 * rng.normal());
  const adv = Float32Array.from({ length: batch }, () => rng.normal());
  const returns = Float32Array.from({ length: batch }, () => rng.normal());
  return { obs, actions, oldLogp, adv, returns };
}

function randomMatrix(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniformRange(-1, 1));
}

// ---- tsrl

function benchTsrlMatmul(kernels: Kernels[], arena: Arena, trials: number): void {
  const rng = new Rng(1);
  for (const [m, k, n] of MATMUL_SIZES) {
    const a = arena.alloc(m * k);
    const b = arena.alloc(k * n);
    const c = arena.alloc(m * n);
    arena.view.set(randomMatrix(rng, m * k), a);
    arena.view.set(randomMatrix(rng, k * n), b);
    timeGroup(
      kernels.map((kern) => ({
        row: matmulRow(m, k, n),
        column: `tsrl ${kern.name}`,
        fn: () => kern.matmul(a, b, c, m, k, n, false, false, false),
      })),
      trials,
    );
  }
}

/**
 * One update of the shipped PPO class on a fixed minibatch (its `minibatchUpdate`: CleanRL's loss, clipped
 * surrogate, value MSE, entropy bonus, backward, global-norm clip and Adam), and one observation through its predict.
 */
function makeTsrlPpoStep(
  kernels: KernelPreference,
  batch: number,
): { engine: Engine; step: () => void; act: () => number } {
  const env = makeVec("CartPole-v1", 1, { autoresetMode: "same-step" });
  const model = new PPO(env, {
    nSteps: batch,
    batchSize: batch,
    learningRate: 3e-4,
    entCoef: 0.01,
    vfCoef: 0.5,
    seed: 0,
    policyKwargs: { netArch: { pi: [HIDDEN, HIDDEN], vf: [HIDDEN, HIDDEN] }, kernels },
  });
  const d = inputs(batch);
  const mb = new Minibatch(batch, OBS, 1, "int32");
  mb.observations.set(d.obs);
  mb.actions.set(d.actions);
  mb.logProbs.set(d.oldLogp);
  mb.advantages.set(d.adv);
  mb.returns.set(d.returns);
  const step = () => {
    model.minibatchUpdate(mb, batch, 0.2, null);
  };
  const one = d.obs.subarray(0, OBS);
  const act = () => model.predict(one, { deterministic: true }) as number;
  return { engine: model.policy.engine, step, act };
}

/** Engines (and their networks) are made once, so the second pass times the same, warm objects. */
const tsrlEngines = new Map<
  KernelPreference,
  { engine: Engine; work: Map<number, ReturnType<typeof makeTsrlPpoStep>> }
>();

function benchTsrlTraining(variants: KernelPreference[], trials: number): void {
  const setups = variants.map((v) => {
    let s = tsrlEngines.get(v);
    if (!s) {
      const work = new Map(PPO_BATCHES.map((b) => [b, makeTsrlPpoStep(v, b)]));
      s = { engine: (work.get(PPO_BATCHES[0]) as ReturnType<typeof makeTsrlPpoStep>).engine, work };
      tsrlEngines.set(v, s);
    }
    return s;
  });
  for (const batch of PPO_BATCHES) {
    const contenders: Contender[] = setups.map(({ engine, work }) => {
      const { step } = work.get(batch) as ReturnType<typeof makeTsrlPpoStep>;
      return { row: ppoRow(batch), column: `tsrl ${engine.kernels.name}`, fn: step };
    });
    const arenas = setups.map(({ work }) => {
      const w = work.get(batch) as ReturnType<typeof makeTsrlPpoStep>;
      w.step(); // the first step sizes the arena
      return { arena: w.engine.arena, bytes: w.engine.arena.capacityBytes };
    });
    timeGroup(contenders, trials);
    for (const { arena, bytes } of arenas) {
      if (arena.capacityBytes !== bytes) throw new Error("the arena grew during timed steps");
    }
  }
  timeGroup(
    setups.map(({ engine, work }) => ({
      row: ACT_ROW,
      column: `tsrl ${engine.kernels.name}`,
      fn: () => (work.get(PPO_BATCHES[0]) as ReturnType<typeof makeTsrlPpoStep>).act(),
    })),
    trials,
  );
}

// ---- TensorFlow.js

function benchTfjs(backend: string, trials: number): void {
  const column = `tfjs ${backend}`;
  const rng = new Rng(1);
  for (const [m, k, n] of MATMUL_SIZES) {
    const a = tf.tensor2d(randomMatrix(rng, m * k), [m, k]);
    const b = tf.tensor2d(randomMatrix(rng, k * n), [k, n]);
    // the cpu and wasm backends compute eagerly: the product exists when matMul returns
    timeGroup([{ row: matmulRow(m, k, n), column, fn: () => tf.matMul(a, b).dispose() }], trials);
    a.dispose();
    b.dispose();
  }
  for (const batch of PPO_BATCHES) {
    const d = inputs(batch);
    const glorot = (shape: [number, number]) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / shape[0])));
    const zeros = (n: number) => tf.variable(tf.zeros([n]));
    const net = (out: number) =>
      [glorot([OBS, HIDDEN]), zeros(HIDDEN), glorot([HIDDEN, HIDDEN]), zeros(HIDDEN)].concat([
        glorot([HIDDEN, out]),
        zeros(out),
      ]);
    const pi = net(ACTIONS);
    const vf = net(1);
    const forward = (p: tf.Variable[], x: tf.Tensor2D) => {
      const h1 = tf.tanh(tf.add(tf.matMul(x, p[0]), p[1]));
      const h2 = tf.tanh(tf.add(tf.matMul(h1, p[2]), p[3]));
      return tf.add(tf.matMul(h2, p[4]), p[5]) as tf.Tensor2D;
    };
    const obs = tf.tensor2d(d.obs, [batch, OBS]);
    const onehot = tf.oneHot(tf.tensor1d(d.actions, "int32"), ACTIONS);
    const oldLogp = tf.tensor1d(d.oldLogp);
    const adv = tf.tensor1d(d.adv);
    const returns = tf.tensor2d(d.returns, [batch, 1]);
    const opt = tf.train.adam(3e-4, 0.9, 0.999, 1e-5);
    const lossFn = () => {
      const logp = tf.logSoftmax(forward(pi, obs));
      const newLogp = tf.sum(tf.mul(logp, onehot), 1);
      const ratio = tf.exp(tf.sub(newLogp, oldLogp));
      const pgLoss = tf.neg(tf.mean(tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 0.8, 1.2), adv))));
      const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1)));
      const vLoss = tf.mul(tf.mean(tf.square(tf.sub(forward(vf, obs), returns))), 0.5);
      return tf.add(tf.sub(pgLoss, tf.mul(entropy, 0.01)), tf.mul(vLoss, 0.5)) as tf.Scalar;
    };
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(lossFn);
        opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      });
    timeGroup([{ row: ppoRow(batch), column, fn: step }], trials);
    if (batch === PPO_BATCHES[0]) {
      const one = d.obs.subarray(0, OBS);
      const act = () => {
        const logits = tf.tidy(() => forward(pi, tf.tensor2d(one, [1, OBS])));
        const v = logits.dataSync();
        logits.dispose();
        return v[0] > v[1] ? 0 : 1;
      };
      timeGroup([{ row: ACT_ROW, column, fn: act }], trials);
    }
    opt.dispose();
    for (const t of [...pi, ...vf, obs, onehot, oldLogp, adv, returns]) t.dispose();
  }
}

// ------------------------------------------------------------------------------------------------- run

async function main(): Promise<void> {
  setWasmPaths(`${join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist")}/`);
  const arena = new Arena({ initialBytes: 4 << 20 });
  const wasm = availableWasmKernels();
  const variants: KernelPreference[] = [];
  if (wasm.simd) variants.push("wasm-simd");
  if (wasm.relaxed) variants.push("wasm-relaxed");
  variants.push("ts");
  const kernels = variants.map((v) => selectKernels(arena, v));
  const load0 = loadavg()[0];
  const started = Date.now();
  for (let pass = 0; pass < 2; pass++) {
    console.error(`pass ${pass + 1}: tsrl`);
    arena.scoped(() => benchTsrlMatmul(kernels, arena, TRIALS_PER_PASS));
    benchTsrlTraining(variants, TRIALS_PER_PASS);
    for (const backend of ["cpu", "wasm"]) {
      console.error(`pass ${pass + 1}: tfjs ${backend}`);
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
      await tf.ready();
      benchTfjs(backend, TRIALS_PER_PASS);
    }
  }
  const seconds = (Date.now() - started) / 1000;

  const autoName = new Engine().kernels.name;
  const columns = [...kernels.map((k) => `tsrl ${k.name}`), "tfjs cpu", "tfjs wasm"];
  const lines: string[] = [];
  lines.push(`| benchmark | ${columns.join(" | ")} | tsrl ${autoName} vs tfjs wasm | vs tfjs cpu |`);
  lines.push(`|---|${columns.map(() => "---:").join("|")}|---:|---:|`);
  for (const [row, r] of results) {
    const isRate = row.startsWith("matmul");
    const flops = isRate
      ? row
          .match(/(\d+)x(\d+)x(\d+)/)
          ?.slice(1)
          .reduce((p, x) => p * Number(x), 2)
      : 0;
    const show = (s: number | undefined) =>
      s === undefined ? "—" : isRate ? ((flops as number) / s / 1e9).toFixed(2) : (s * 1e6).toFixed(1);
    const ours = r.get(`tsrl ${autoName}`) as number;
    // speed-up: time ratio (equivalently rate ratio) of tfjs over tsrl's default kernels
    const ratio = (col: string) => `${((r.get(col) as number) / ours).toFixed(1)}x`;
    lines.push(
      `| ${row} | ${columns.map((c) => show(r.get(c))).join(" | ")} | ${ratio("tfjs wasm")} | ${ratio("tfjs cpu")} |`,
    );
  }
  const cpu = cpus();
  const header = [
    `Node ${process.version}, ${cpu[0]?.model ?? "unknown CPU"} (${cpu.length} logical cores), tfjs ${tf.version.tfjs}.`,
    `tsrl's default kernels here ("auto"): ${autoName}. Best of ${2 * TRIALS_PER_PASS} batches of ~${BATCH_MS} ms per cell after a warm-up, two passes, ${seconds.toFixed(0)} s in all; 1-minute load average ${load0.toFixed(1)} at the start (absolute numbers move with the machine's load; the ratios are measured within this one run).`,
    "Matmul rows: GFLOP/s (higher is better). Other rows: microseconds per call (lower is better). The ratio columns are how many times faster tsrl's default kernels are.",
    "",
  ];
  const table = `${header.join("\n")}\n${lines.join("\n")}\n`;
  console.log(table);
  const out = join(root, "bench", "results", "core.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `# npm run bench:core (${new Date().toISOString().slice(0, 10)})\n\n${table}`);
}

await main();
