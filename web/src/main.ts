// The page: choose an env and an algorithm (every registered one, with its tuned defaults), edit hyperparameters,
// train in a Web Worker while the current greedy policy acts on the canvas and the charts fill; download, load and
// keep models; run the lecture's comparisons. The main thread only draws: all of tsrl runs in the workers.
import "uplot/dist/uPlot.min.css";
import "../style.css";
import { BandChart, LiveCharts } from "./charts.js";
import { drawFrame } from "./draw.js";
import { EXPERIMENTS, type Experiment, experimentRuns } from "./experiments.js";
import { FormError, parseForm, renderForm } from "./hyperparams.js";
import { fetchModel, storeModel } from "./model-store.js";
import type { EnvInfo, Frame, ToPage, ToWorker, ZooTable } from "./protocol.js";

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
}

const ui = {
  env: $<HTMLSelectElement>("env"),
  algo: $<HTMLSelectElement>("algo"),
  tuned: $("tuned"),
  hyperparams: $("hyperparams"),
  hpDetails: $<HTMLDetailsElement>("hp-details"),
  hpExtra: $<HTMLTextAreaElement>("hp-extra"),
  start: $<HTMLButtonElement>("start"),
  pause: $<HTMLButtonElement>("pause"),
  reset: $<HTMLButtonElement>("reset"),
  download: $<HTMLButtonElement>("download"),
  upload: $<HTMLInputElement>("upload"),
  store: $<HTMLButtonElement>("store"),
  restore: $<HTMLButtonElement>("restore"),
  message: $("message"),
  canvas: $<HTMLCanvasElement>("canvas"),
  status: $("status"),
  steps: $("steps"),
  meanReturn: $("mean-return"),
  evaluation: $("evaluation"),
  fps: $("fps"),
  charts: $("charts"),
  expSeeds: $<HTMLInputElement>("exp-seeds"),
  expScale: $<HTMLInputElement>("exp-scale"),
  expButtons: $("experiment-buttons"),
  expStatus: $("exp-status"),
  expChart: $("exp-chart"),
  expTable: $<HTMLTableElement>("exp-table"),
};

function say(text: string, kind: "error" | "ok" | "" = ""): void {
  ui.message.textContent = text;
  ui.message.className = kind;
}

// ---------------------------------------------------------------------------------------------------------------
// The training worker and the page's state

type State = "idle" | "starting" | "training" | "paused" | "done";
let state: State = "idle";
let catalog: { algorithms: string[]; zoo: Record<string, ZooTable>; envs: EnvInfo[] } | null = null;
let hasModel = false;
/** Where the next "model" message from the worker goes. */
let modelWanted: "download" | "store" | null = null;
let charts = new LiveCharts(ui.charts);
let pendingFrame: Frame | null = null;
let actionsWaiter: ((a: number[][]) => void) | null = null;

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);

function setState(s: State): void {
  state = s;
  const running = s === "training" || s === "paused" || s === "starting";
  ui.start.disabled = running || catalog === null;
  ui.pause.disabled = !(s === "training" || s === "paused");
  ui.pause.textContent = s === "paused" ? "Resume" : "Pause";
  ui.reset.disabled = s === "idle" && !hasModel;
  ui.env.disabled = running;
  ui.algo.disabled = running;
  ui.download.disabled = !hasModel;
  ui.store.disabled = !hasModel;
  ui.status.textContent = s;
}

worker.onmessage = (e: MessageEvent<ToPage>) => {
  const m = e.data;
  switch (m.type) {
    case "catalog":
      catalog = m;
      fillSelects();
      setState("idle");
      break;
    case "status":
      ui.steps.textContent = m.numTimesteps.toLocaleString("en");
      if (m.state === "training") {
        hasModel = true;
        setState("training");
      } else if (m.state === "paused") setState("paused");
      else if (m.state === "done") setState("done");
      else setState(hasModel ? "done" : "idle");
      break;
    case "metrics":
      onMetrics(m.step, m.row);
      break;
    case "evaluation":
      ui.evaluation.textContent = `${m.meanReturn.toFixed(1)} ± ${m.stdReturn.toFixed(1)} (${m.episodes} episodes)`;
      break;
    case "frame":
      if (pendingFrame === null) requestAnimationFrame(paint);
      pendingFrame = m.frame;
      break;
    case "model":
      onModelBytes(m.bytes, m.algo, m.envId);
      break;
    case "loaded":
      hasModel = true;
      say(
        `Loaded a ${m.algo} model for ${m.envId} (trained ${m.numTimesteps.toLocaleString("en")} steps): it acts on the canvas.`,
        "ok",
      );
      setState("done");
      break;
    case "actions":
      actionsWaiter?.(m.actions);
      actionsWaiter = null;
      break;
    case "experiment-done":
      break;
    case "info":
      say(m.message);
      break;
    case "error":
      say(m.message, "error");
      if (state === "starting") setState(hasModel ? "done" : "idle");
      break;
  }
};

function paint(): void {
  if (pendingFrame !== null) drawFrame(ui.canvas, pendingFrame);
  pendingFrame = null;
}

function onMetrics(step: number, row: Record<string, number>): void {
  ui.steps.textContent = step.toLocaleString("en");
  const r = row["rollout/ep_rew_mean"];
  if (r !== undefined) ui.meanReturn.textContent = r.toFixed(1);
  const fps = row["time/fps"];
  if (fps !== undefined) ui.fps.textContent = Math.round(fps).toLocaleString("en");
  charts.add(step, row);
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing env, algorithm and hyperparameters

function fillSelects(): void {
  if (!catalog) return;
  const groups: EnvInfo["group"][] = ["Classic control", "MuJoCo", "Toy text"];
  ui.env.replaceChildren();
  for (const group of groups) {
    const og = document.createElement("optgroup");
    og.label = group === "MuJoCo" ? "MuJoCo (loads 8.6 MB when picked)" : group;
    for (const env of catalog.envs.filter((x) => x.group === group)) og.append(new Option(env.id, env.id));
    ui.env.append(og);
  }
  ui.env.value = "CartPole-v1";
  fillAlgorithms("PPO");
}

function fillAlgorithms(prefer: string): void {
  if (!catalog) return;
  const envId = ui.env.value;
  ui.algo.replaceChildren();
  for (const a of catalog.algorithms) {
    const tuned = catalog.zoo[a]?.entries[envId] !== undefined;
    ui.algo.append(new Option(tuned ? `${a} (tuned)` : a, a));
  }
  ui.algo.value = catalog.algorithms.includes(prefer) ? prefer : catalog.algorithms[0];
  fillForm();
}

function fillForm(): void {
  if (!catalog) return;
  const table = catalog.zoo[ui.algo.value];
  const entry = table?.entries[ui.env.value];
  const d = entry ?? table?.fallback ?? { totalTimesteps: 100_000, nEnvs: 1, hyperparams: {}, envKwargs: {} };
  ui.tuned.textContent = entry
    ? `Tuned defaults for ${ui.algo.value} on ${ui.env.value} (tsrl's zoo).`
    : `No tuned defaults for ${ui.algo.value} on ${ui.env.value}: starting from its general defaults.`;
  renderForm(ui.hyperparams, d);
  if (!hasModel) send({ type: "preview", envId: ui.env.value, envKwargs: d.envKwargs });
}

ui.env.addEventListener("change", () => fillAlgorithms(ui.algo.value));
ui.algo.addEventListener("change", fillForm);

// ---------------------------------------------------------------------------------------------------------------
// Start / Pause / Resume / Reset

ui.start.addEventListener("click", () => {
  if (!catalog) return;
  let parsed: ReturnType<typeof parseForm>;
  try {
    parsed = parseForm(ui.hyperparams, ui.hpExtra);
  } catch (e) {
    if (e instanceof FormError) {
      ui.hpDetails.open = true;
      say(e.message, "error");
      e.field.focus();
      return;
    }
    throw e;
  }
  const table = catalog.zoo[ui.algo.value];
  const envKwargs = (table?.entries[ui.env.value] ?? table?.fallback)?.envKwargs ?? {};
  say("");
  charts.clear();
  charts = new LiveCharts(ui.charts);
  ui.evaluation.textContent = "-";
  ui.meanReturn.textContent = "-";
  setState("starting");
  send({ type: "start", run: { key: "main", algo: ui.algo.value, envId: ui.env.value, envKwargs, ...parsed } });
});

ui.pause.addEventListener("click", () => {
  send({ type: state === "paused" ? "resume" : "pause" });
});

ui.reset.addEventListener("click", () => {
  send({ type: "stop" });
  charts.clear();
  charts = new LiveCharts(ui.charts);
  for (const el of [ui.steps, ui.meanReturn, ui.evaluation, ui.fps]) el.textContent = "-";
  say("");
  setState(state === "training" || state === "paused" ? "starting" : hasModel ? "done" : "idle");
});

// ---------------------------------------------------------------------------------------------------------------
// Models: download, load a file, keep in and restore from the browser (IndexedDB)

function storeKey(algo: string, envId: string): string {
  return `${algo}/${envId}`;
}

function onModelBytes(bytes: Uint8Array, algo: string, envId: string): void {
  const wanted = modelWanted;
  modelWanted = null;
  if (wanted === "store") {
    storeModel(storeKey(algo, envId), bytes).then(
      () => say(`Kept the ${algo} model for ${envId} in this browser.`, "ok"),
      (e: unknown) => say(`Could not keep the model in this browser: ${(e as Error).message}`, "error"),
    );
    return;
  }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  a.download = `${algo.toLowerCase()}-${envId}.safetensors`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

ui.download.addEventListener("click", () => {
  modelWanted = "download";
  send({ type: "save" });
});

ui.store.addEventListener("click", () => {
  modelWanted = "store";
  send({ type: "save" });
});

function loadBytes(bytes: Uint8Array, name: string): void {
  if (state === "training" || state === "paused" || state === "starting") {
    say("Stop the current run (Reset) before loading a model.", "error");
    return;
  }
  send({ type: "load", bytes, name, algo: ui.algo.value, envId: ui.env.value }, [bytes.buffer]);
}

ui.upload.addEventListener("change", async () => {
  const file = ui.upload.files?.[0];
  ui.upload.value = "";
  if (!file) return;
  loadBytes(new Uint8Array(await file.arrayBuffer()), file.name);
});

ui.restore.addEventListener("click", async () => {
  const key = storeKey(ui.algo.value, ui.env.value);
  try {
    const bytes = await fetchModel(key);
    if (bytes === null) {
      say(`No ${ui.algo.value} model for ${ui.env.value} is kept in this browser.`, "error");
      return;
    }
    loadBytes(bytes, `browser store ${key}`);
  } catch (e) {
    say(`Could not read models kept in this browser: ${(e as Error).message}`, "error");
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Lecture experiments: each in its own worker, so the main run is untouched

let expWorker: Worker | null = null;

function runExperiment(exp: Experiment): void {
  if (!catalog) return;
  const seeds = Number(ui.expSeeds.value);
  const scale = Number(ui.expScale.value);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 10) {
    ui.expSeeds.setAttribute("aria-invalid", "true");
    ui.expStatus.textContent = `Seeds must be an integer from 1 to 10, got ${JSON.stringify(ui.expSeeds.value)}.`;
    return;
  }
  if (!Number.isFinite(scale) || scale < 0.05 || scale > 4) {
    ui.expScale.setAttribute("aria-invalid", "true");
    ui.expStatus.textContent = `Steps must be a fraction from 0.05 to 4, got ${JSON.stringify(ui.expScale.value)}.`;
    return;
  }
  ui.expSeeds.removeAttribute("aria-invalid");
  ui.expScale.removeAttribute("aria-invalid");
  expWorker?.terminate();
  const runs = experimentRuns(exp, catalog.zoo, seeds, scale);
  const names = exp.variants.map((v) => v.name);
  const chart = new BandChart(ui.expChart, names, runs[0].totalTimesteps);
  const evals = new Map<string, number[]>();
  let finished = 0;
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  expWorker = w;
  ui.expTable.replaceChildren();
  ui.expStatus.textContent = `${exp.title}: ${runs.length} runs (${names.length} variants x ${seeds} seeds, ${runs[0].totalTimesteps.toLocaleString("en")} steps each)...`;
  let redraw = false;
  w.onmessage = (e: MessageEvent<ToPage>) => {
    const m = e.data;
    if (m.type === "catalog") {
      w.postMessage({ type: "experiment", runs } satisfies ToWorker);
    } else if (m.type === "metrics") {
      const v = m.row["rollout/ep_rew_mean"];
      const [variant, seed] = splitKey(m.key);
      if (v !== undefined) chart.add(variant, seed, m.step, v);
      if (!redraw) {
        redraw = true;
        setTimeout(() => {
          redraw = false;
          chart.draw();
        }, 500);
      }
    } else if (m.type === "evaluation") {
      const [variant] = splitKey(m.key);
      evals.set(variant, [...(evals.get(variant) ?? []), m.meanReturn]);
      finished++;
      ui.expStatus.textContent = `${exp.title}: ${finished} of ${runs.length} runs done`;
    } else if (m.type === "experiment-done") {
      chart.draw();
      fillTable(names, evals);
      ui.expStatus.textContent = `${exp.title}: done (${runs.length} runs).`;
      w.terminate();
      if (expWorker === w) expWorker = null;
    } else if (m.type === "error") {
      ui.expStatus.textContent = `${exp.title} failed: ${m.message}`;
    }
  };
}

function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf("/");
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

function fillTable(names: string[], evals: Map<string, number[]>): void {
  const head = document.createElement("tr");
  for (const h of ["variant", "greedy return, mean over seeds", "min", "max"]) {
    const th = document.createElement("th");
    th.textContent = h;
    head.append(th);
  }
  ui.expTable.replaceChildren(head);
  for (const n of names) {
    const v = evals.get(n) ?? [];
    const tr = document.createElement("tr");
    const cells = [n, v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1) : "-"];
    cells.push(v.length ? Math.min(...v).toFixed(1) : "-", v.length ? Math.max(...v).toFixed(1) : "-");
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    ui.expTable.append(tr);
  }
}

for (const exp of EXPERIMENTS) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = exp.title;
  b.dataset.experiment = exp.id;
  b.addEventListener("click", () => runExperiment(exp));
  ui.expButtons.append(b);
}

// ---------------------------------------------------------------------------------------------------------------
// A small hook for the end-to-end tests: the greedy actions of the shown model for given observations.

declare global {
  interface Window {
    tsrlPage: { actionsFor(observations: number[][]): Promise<number[][]>; state(): string };
  }
}
window.tsrlPage = {
  actionsFor(observations) {
    return new Promise((resolve) => {
      actionsWaiter = resolve;
      send({ type: "actions", observations });
    });
  },
  state: () => state,
};
setState("idle");
