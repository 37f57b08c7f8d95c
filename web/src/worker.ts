// The training worker: builds models with tsrl's public API, trains them (one run, or an experiment's runs one after
// the other), streams metrics and frames of the current policy to the page, and saves/loads models as bytes.
// Training yields to the event loop between iterations, so pause/resume/stop messages are handled mid-run.
import {
  Algorithm,
  type AnyEnv,
  checkpointFromBytes,
  type Env,
  evaluatePolicy,
  getAlgorithmClass,
  initKernels,
  isMujocoId,
  listAlgorithms,
  MUJOCO_REGISTRATIONS,
  make,
  registeredIds,
  spec,
} from "tsrl";
import { makeTrainEnv, ZOOS, type ZooEntry } from "tsrl/zoo";
import type { EnvInfo, Frame, RunSpec, ToPage, ToWorker, ZooDefaults, ZooTable } from "./protocol.js";

const FRAME_MS = 40;
const METRICS_MS = 100;
const YIELD_MS = 20;

function post(msg: ToPage, transfer: Transferable[] = []): void {
  self.postMessage(msg, { transfer });
}

function fail(e: unknown): void {
  post({ type: "error", message: e instanceof Error ? e.message : String(e) });
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog: algorithms from the registry (new ones appear by themselves), envs from the env registry, zoo defaults.

function defaults(e: ZooEntry): ZooDefaults {
  return {
    totalTimesteps: e.totalTimesteps,
    nEnvs: e.nEnvs ?? 1,
    hyperparams: e.hyperparams,
    envKwargs: e.envKwargs ?? {},
  };
}

function catalog(): ToPage {
  const zoo: Record<string, ZooTable> = {};
  for (const z of ZOOS) {
    const entries: Record<string, ZooDefaults> = {};
    for (const [id, e] of Object.entries(z.entries)) entries[id] = defaults(e);
    zoo[z.algorithm] = { entries, fallback: z.fallback ? defaults(z.fallback) : null };
  }
  const envs: EnvInfo[] = [];
  for (const id of registeredIds()) {
    if (isMujocoId(id)) continue; // below
    let modes: readonly string[];
    try {
      const env = make(id);
      modes = env.metadata.renderModes;
      env.close();
    } catch {
      continue; // an env whose optional dependency is absent (MuJoCo before it is loaded)
    }
    const view = modes.includes("rgb_array") ? "rgb" : modes.includes("ansi") ? "toy" : null;
    if (view !== null) {
      const group = view === "rgb" ? "Classic control" : "Toy text";
      envs.push({ id, view, group, rewardThreshold: spec(id).rewardThreshold ?? null });
    }
  }
  // not made here: that needs MuJoCo, which loads when one is picked (loadEnvFamily); cheapest first
  for (const { id, rewardThreshold } of MUJOCO_REGISTRATIONS) {
    envs.push({ id, view: "rgb", group: "MuJoCo", rewardThreshold: rewardThreshold ?? null });
  }
  return { type: "catalog", algorithms: listAlgorithms(), zoo, envs };
}

/**
 * Load what `envId` needs before `make`: for MuJoCo ids the tsrl/mujoco entry (a chunk of its own) and MuJoCo's
 * WebAssembly, once, from the files build-web copies to mujoco/ beside this worker. Classic control never waits for it.
 */
async function loadEnvFamily(envId: string): Promise<void> {
  if (!isMujocoId(envId)) return;
  const t0 = performance.now();
  const { initMujoco, isMujocoLoaded } = await import("tsrl/mujoco");
  if (isMujocoLoaded()) return;
  post({ type: "info", message: "Loading MuJoCo's WebAssembly (8.6 MB)..." });
  await initMujoco({ wasmUrl: "mujoco/mujoco.wasm", assetsUrl: "mujoco/" });
  post({ type: "info", message: `MuJoCo loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s.` });
}

/** The options of the env the canvas shows: MuJoCo's software renderer draws a canvas-sized (3:2) frame. */
function demoKwargs(envId: string, envKwargs: Record<string, unknown>, renderMode: string): Record<string, unknown> {
  return isMujocoId(envId) ? { width: 360, height: 240, ...envKwargs, renderMode } : { ...envKwargs, renderMode };
}

// ---------------------------------------------------------------------------------------------------------------
// The shown model: trained here or loaded, animated on a separate env by its greedy policy.

interface Shown {
  model: Algorithm;
  algo: string;
  envId: string;
  envKwargs: Record<string, unknown>;
  env: Env<unknown, unknown>;
  obs: unknown;
  episodeReturn: number;
  lastFrame: number;
  /** What the last demo step (a policy step and a frame) took, in ms: frames are spaced to keep training going. */
  frameCost: number;
}

let shown: Shown | null = null;

function show(model: Algorithm, algo: string, envId: string, envKwargs: Record<string, unknown>): void {
  shown?.env.close();
  const probe = make(envId, envKwargs);
  const renderMode = probe.metadata.renderModes.includes("rgb_array") ? "rgb_array" : "ansi";
  probe.close();
  const env = make(envId, demoKwargs(envId, envKwargs, renderMode));
  shown = {
    model,
    algo,
    envId,
    envKwargs,
    env,
    obs: env.reset({ seed: 0 }).observation,
    episodeReturn: 0,
    lastFrame: 0,
    frameCost: 0,
  };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** One step of the greedy policy on the demo env, then its frame to the page. */
function demoStep(): void {
  const s = shown;
  if (s === null) return;
  s.lastFrame = performance.now();
  try {
    demoStepOf(s);
  } finally {
    s.frameCost = performance.now() - s.lastFrame;
  }
}

function demoStepOf(s: Shown): void {
  const action = s.model.predict(s.obs as Float32Array | number, { deterministic: true });
  const r = s.env.step(action);
  s.episodeReturn += r.reward;
  s.obs = r.observation;
  const frame = s.env.render();
  if (r.terminated || r.truncated) {
    s.obs = s.env.reset().observation;
    s.episodeReturn = 0;
  }
  if (frame === null) return;
  if (typeof frame === "string") {
    post({ type: "frame", frame: toyFrame(s, frame.replace(ANSI, "")) });
    return;
  }
  const rgba = frame.data.slice(); // the env's renderer fills an RGBA raster
  post(
    {
      type: "frame",
      frame: { kind: "rgb", width: frame.width, height: frame.height, rgba, episodeReturn: s.episodeReturn },
    },
    [rgba.buffer],
  );
}

let previewsAsked = 0;

/** The env's first frame, before any model (the canvas is not left blank on a new env). */
function preview(envId: string, envKwargs: Record<string, unknown>): void {
  if (training || (shown !== null && shown.envId === envId)) return;
  shown?.env.close();
  shown = null;
  const probe = make(envId, envKwargs);
  const rgb = probe.metadata.renderModes.includes("rgb_array");
  probe.close();
  const env = make(envId, demoKwargs(envId, envKwargs, rgb ? "rgb_array" : "ansi"));
  const obs = env.reset({ seed: 0 }).observation;
  const frame = env.render();
  if (frame !== null && typeof frame !== "string") {
    const rgba = frame.data.slice();
    post({ type: "frame", frame: { kind: "rgb", width: frame.width, height: frame.height, rgba, episodeReturn: 0 } }, [
      rgba.buffer,
    ]);
  } else if (typeof frame === "string") {
    post({
      type: "frame",
      frame: toyFrame({ model: null, env, envId, obs, episodeReturn: 0 }, frame.replace(ANSI, "")),
    });
  }
  env.close();
}

/** Toy text: the map as a grid where the env has one, the greedy action per state and the Q-table if tabular. */
function toyFrame(
  s: { model: Algorithm | null; env: Env<unknown, unknown>; envId: string; obs: unknown; episodeReturn: number },
  text: string,
): Frame {
  const obsSpace = s.env.observationSpace as { n?: number };
  const actSpace = s.env.actionSpace as { n?: number };
  const nStates = typeof obsSpace.n === "number" ? obsSpace.n : 0;
  const nActions = typeof actSpace.n === "number" ? actSpace.n : 0;
  const greedy: number[] = [];
  const model = s.model;
  if (model !== null)
    for (let st = 0; st < nStates; st++) greedy.push(Number(model.predict(st, { deterministic: true })));
  const qTable = (model as unknown as { q?: unknown } | null)?.q;
  const q = qTable instanceof Float64Array ? Array.from(qTable) : null;
  let values: number[] | null = null;
  if (q !== null && nActions > 0) {
    values = [];
    for (let st = 0; st < nStates; st++) values.push(Math.max(...q.slice(st * nActions, (st + 1) * nActions)));
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("("));
  // a grid world draws one token per state (FrozenLake: letters; CliffWalking: space-separated letters)
  let cells: string[][] | null = lines.map((l) => (l.includes(" ") ? l.trim().split(/\s+/) : [...l.trim()]));
  if (cells.reduce((k, row) => k + row.length, 0) !== nStates || cells.some((r) => r.length !== cells?.[0].length)) {
    cells = null;
  }
  return {
    kind: "toy",
    envId: s.envId,
    text,
    cells,
    state: typeof s.obs === "number" ? s.obs : -1,
    greedy,
    values,
    q,
    nActions,
    episodeReturn: s.episodeReturn,
  };
}

setInterval(() => {
  if (shown !== null && !training) demoStep();
}, FRAME_MS);

// ---------------------------------------------------------------------------------------------------------------
// Training

let training = false;
let paused = false;
let stopRequested = false;
let resumeGate: (() => void) | null = null;
const channel = new MessageChannel();

/** Let queued messages (pause, stop, save) run: a message-channel round trip, without timers' 4 ms clamp. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function buildModel(run: RunSpec): Algorithm {
  const cls = getAlgorithmClass(run.algo);
  if (!cls)
    throw new Error(`unknown algorithm ${JSON.stringify(run.algo)}; registered: ${listAlgorithms().join(", ")}`);
  const env = makeTrainEnv(run.envId, run.nEnvs, run.envKwargs) as AnyEnv;
  try {
    return new cls(env, { ...run.hyperparams, seed: run.seed });
  } catch (e) {
    throw new Error(`${cls.algorithmName} on ${run.envId}: ${(e as Error).message}`);
  }
}

/** Train one run to its end (or a stop), streaming metrics; resolves to whether it completed. */
async function train(run: RunSpec, model: Algorithm): Promise<boolean> {
  let lastYield = performance.now();
  let lastMetrics = 0;
  let pending: Record<string, number> | null = null;
  let pendingStep = 0;
  const flush = (): void => {
    if (pending === null) return;
    post({ type: "metrics", key: run.key, step: pendingStep, row: pending });
    pending = null;
    lastMetrics = performance.now();
  };
  const sink = {
    write(step: number, row: Readonly<Record<string, number>>): void {
      pending = { ...(pending ?? {}), ...row };
      pendingStep = step;
      if (performance.now() - lastMetrics >= METRICS_MS) flush();
    },
  };
  model.logger.addSink(sink);
  post({ type: "status", state: "training", key: run.key, numTimesteps: 0 });
  try {
    await model.learn(run.totalTimesteps, {
      callbacks: {
        onRolloutStart: async (ctx) => {
          const now = performance.now();
          // a frame at most every FRAME_MS, and drawing takes at most a fifth of the time (MuJoCo's frames are costly)
          if (shown?.model === model && now - shown.lastFrame >= Math.max(FRAME_MS, 4 * shown.frameCost)) demoStep();
          if (now - lastYield >= YIELD_MS) {
            await yieldToEvents();
            lastYield = performance.now();
          }
          while (paused && !stopRequested) {
            flush();
            post({ type: "status", state: "paused", key: run.key, numTimesteps: ctx.numTimesteps });
            training = false;
            await new Promise<void>((resolve) => {
              resumeGate = resolve;
            });
            training = true;
            post({ type: "status", state: "training", key: run.key, numTimesteps: ctx.numTimesteps });
          }
          return !stopRequested;
        },
      },
    });
  } finally {
    flush();
    model.logger.removeSink(sink);
  }
  return !stopRequested;
}

function evaluate(run: RunSpec, model: Algorithm): void {
  const episodes = 10;
  const env = make(run.envId, run.envKwargs);
  const res = evaluatePolicy(model, env, { episodes, deterministic: true, seed: 1000 + run.seed });
  env.close();
  post({ type: "evaluation", key: run.key, meanReturn: res.meanReturn, stdReturn: res.stdReturn, episodes });
}

async function startRuns(runs: RunSpec[], showEach: boolean): Promise<void> {
  if (training || paused) throw new Error("a run is already in progress: stop it first");
  training = true;
  stopRequested = false;
  let key = runs[0]?.key ?? "main";
  try {
    for (const run of runs) {
      key = run.key;
      await loadEnvFamily(run.envId);
      const model = buildModel(run);
      if (showEach) show(model, run.algo, run.envId, run.envKwargs);
      const completed = await train(run, model);
      post({ type: "status", state: completed ? "done" : "stopped", key: run.key, numTimesteps: model.numTimesteps });
      if (!completed) break;
      evaluate(run, model);
      if (!showEach) await model.close();
    }
  } catch (e) {
    post({ type: "status", state: "stopped", key, numTimesteps: 0 });
    throw e;
  } finally {
    training = false;
    paused = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Models as bytes: the same safetensors checkpoint as `save(path)` in Node.

async function load(msg: { bytes: Uint8Array; name: string; algo: string; envId: string }): Promise<void> {
  const where = JSON.stringify(msg.name);
  let meta: ReturnType<typeof checkpointFromBytes>["meta"];
  try {
    meta = checkpointFromBytes(msg.bytes).meta;
  } catch (e) {
    throw new Error(`${where} is not a tsrl model: ${(e as Error).message}`);
  }
  if (meta.algorithm.toLowerCase() !== msg.algo.toLowerCase() || meta.envId !== msg.envId) {
    throw new Error(
      `${where} holds a ${meta.algorithm} model for ${meta.envId ?? "an unnamed env"}; the page is set to ${msg.algo} on ${msg.envId}: choose those to load it`,
    );
  }
  const envKwargs = shown?.envId === msg.envId ? shown.envKwargs : {};
  await loadEnvFamily(msg.envId);
  let model: Algorithm;
  try {
    // only the policy is used: a vector env's saved state stays in the file
    model = Algorithm.fromBytes(msg.bytes, { env: make(msg.envId, envKwargs), restoreEnvState: false });
  } catch (e) {
    throw new Error(`${where} could not be loaded: ${(e as Error).message}`);
  }
  show(model, meta.algorithm, msg.envId, envKwargs);
  post({ type: "loaded", algo: meta.algorithm, envId: msg.envId, numTimesteps: model.numTimesteps });
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "start":
        await startRuns([msg.run], true);
        break;
      case "experiment":
        await startRuns(msg.runs, false);
        post({ type: "experiment-done" });
        break;
      case "pause":
        if (training) paused = true;
        break;
      case "resume":
        paused = false;
        resumeGate?.();
        resumeGate = null;
        break;
      case "stop":
        stopRequested = true;
        paused = false;
        resumeGate?.();
        resumeGate = null;
        break;
      case "save": {
        if (shown === null) throw new Error("no model to download yet: train or load one first");
        const bytes = shown.model.toBytes({ includeReplayBuffer: false });
        post({ type: "model", bytes, algo: shown.algo, envId: shown.envId }, [bytes.buffer]);
        break;
      }
      case "load":
        await load(msg);
        break;
      case "preview": {
        const asked = ++previewsAsked;
        await loadEnvFamily(msg.envId);
        if (asked === previewsAsked) preview(msg.envId, msg.envKwargs); // else another env was picked meanwhile
        break;
      }
      case "actions": {
        if (shown === null) throw new Error("no model loaded");
        const m = shown.model;
        const discreteObs = typeof (shown.env.observationSpace as { n?: unknown }).n === "number";
        const actions = msg.observations.map((o) => {
          const a = m.predict(discreteObs ? o[0] : o, { deterministic: true });
          return typeof a === "number" ? [a] : Array.from(a);
        });
        post({ type: "actions", actions });
        break;
      }
    }
  } catch (err) {
    fail(err);
  }
};

await initKernels();
post(catalog());
