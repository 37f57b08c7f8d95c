/**
 * The `tsrl` command line: train, eval, enjoy, resume, list, plot, bench, import-sb3, export, study,
 * worker. Built with commander; `runCli(argv, io)`
 * runs it in-process (tests) and returns the exit code instead of exiting.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, InvalidArgumentError as CommanderArgError, CommanderError, Option } from "commander";
import { type AnyEnv, getAlgorithmClass, listAlgorithms } from "../algos/common/algorithm.js";
import { LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import { evaluatePolicy } from "../algos/common/evaluate.js";
import { kernelsInfo } from "../core/kernels-info.js";
import { make, registeredIds } from "../envs/index.js";
import { RecordVideo } from "../envs/wrappers/record-video.js";
import { InvalidArgumentError, TsrlError } from "../errors.js";
import { exportOnnxFile } from "../interop/export-onnx-file.js";
import { importSb3Run } from "../interop/import-sb3-run.js";
import { startWorker } from "../study/queue.js";
import { writeStudyReport } from "../study/report.js";
import { loadStudyFile, runStudy } from "../study/run-study.js";
import { loadEnvFamily } from "../train/load-env-family.js";
import { parseJsonl } from "../train/metrics-files.js";
import { type CurveSeries, learningCurveSvg } from "../train/plot.js";
import type { ProgressMode } from "../train/progress.js";
import {
  evaluateModel,
  loadModelWithEnv,
  locateModel,
  makeTrainEnv,
  type RunConfigFile,
  RunInterruptedError,
  readEpisodes,
  readRunConfig,
  resumeRun,
  trainRun,
} from "../train/run.js";
import { listZooEntries, zooEntry } from "../train/zoo/index.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (live redraws in `enjoy`). */
  isTTY?: boolean;
  /** Whether stderr is a terminal (live progress bar). */
  errIsTTY?: boolean;
  /** Sleep between rendered frames; tests pass a no-op. */
  sleep?(ms: number): Promise<void>;
}

const processIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
  errIsTTY: process.stderr.isTTY === true,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+(e\d+)?$/i.test(v.replace(/_/g, "")) || !Number.isSafeInteger(n) || n < min) {
      throw new CommanderArgError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

/** `key=value` pairs; values are parsed as JSON when they can be (numbers, booleans, arrays, objects). */
function hpArg(v: string, prev: unknown): Record<string, unknown> {
  const eq = v.indexOf("=");
  if (eq <= 0) throw new CommanderArgError(`--hp expects key=value (e.g. learningRate=3e-4), got ${JSON.stringify(v)}`);
  const key = v.slice(0, eq);
  const raw = v.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare string such as activation=relu
  }
  return { ...((prev as Record<string, unknown> | undefined) ?? {}), [key]: value };
}

function readConfigFile(path: string): RunConfigFile {
  if (!existsSync(path)) throw new CommanderArgError(`--config: no file at ${JSON.stringify(path)}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CommanderArgError(`--config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const allowed = ["totalTimesteps", "nEnvs", "seed", "hyperparams", "envKwargs"];
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CommanderArgError(`--config: ${path} must hold a JSON object with keys ${allowed.join(", ")}`);
  }
  const bad = Object.keys(json).filter((k) => !allowed.includes(k));
  if (bad.length)
    throw new CommanderArgError(
      `--config: unknown key(s) ${bad.join(", ")} in ${path}; allowed: ${allowed.join(", ")}`,
    );
  return json as RunConfigFile;
}

/**
 * `--env-module ./my-env.js`: import modules that register custom environments before the command runs (SB3
 * zoo's `--gym-packages`). A module that fails to import is a one-line error naming it.
 */
async function loadEnvModules(modules: string[] | undefined): Promise<void> {
  for (const m of modules ?? []) {
    const path = resolve(m);
    if (!existsSync(path)) throw new InvalidArgumentError(`--env-module: no file at ${JSON.stringify(m)}`);
    try {
      await import(pathToFileURL(path).href);
    } catch (e) {
      throw new InvalidArgumentError(`--env-module: importing ${JSON.stringify(m)} failed: ${(e as Error).message}`);
    }
  }
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const stripAnsi = (s: string): string => s.replace(ANSI, "");
/** A return as people read it: 2 decimals, no trailing zeros (21, 0.5, -13.27). */
const round = (r: number): string => String(Number(r.toFixed(2)));
const envModuleHelp = "module(s) to import first, registering custom envs (e.g. ./my-env.js)";

function episodeCurve(run: string): { steps: number[]; values: number[] } {
  const ep = readEpisodes(run);
  if (ep.steps.length === 0) throw new InvalidArgumentError(`run ${run} has no finished episodes to plot`);
  return { steps: ep.steps, values: ep.returns };
}

/** A logged metric of a run (metrics.jsonl), rows that lack it skipped. */
function metricCurve(run: string, metric: string): { steps: number[]; values: number[] } {
  const rows = parseJsonl(readFileSync(join(run, "metrics.jsonl"), "utf8"));
  const steps: number[] = [];
  const values: number[] = [];
  const names = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) if (k !== "step") names.add(k);
    const v = r[metric];
    if (typeof v === "number" && Number.isFinite(v)) {
      steps.push(r.step as number);
      values.push(v);
    }
  }
  if (steps.length === 0) {
    throw new InvalidArgumentError(
      `run ${run} logged no ${JSON.stringify(metric)}; its metrics: episodes, ${[...names].sort().join(", ")}`,
    );
  }
  return { steps, values };
}

const threadsHelp = [
  "--threads <n>",
  "threads for the networks' large matrix products (default: the machine's cores, at most 8; results do not depend on it)",
] as const;

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command("tsrl")
    .description("Deep reinforcement learning in TypeScript: train, evaluate and watch agents.")
    .version(LIBRARY_VERSION)
    .showHelpAfterError("(add --help for usage)")
    // `tsrl study report <folder> --out x`: options after a subcommand are the subcommand's
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const progressOption = new Option("--progress <mode>", "progress display")
    .choices(["auto", "bar", "lines", "none"])
    .default("auto");

  program
    .command("train")
    .description("train an agent; tuned defaults (the zoo) are used for known algorithm/env pairs")
    .argument("<algo>", `algorithm (${listAlgorithms().join(", ")})`)
    .argument("<env>", "environment id, e.g. CartPole-v1 (see `tsrl list`)")
    .option("--steps <n>", "total env steps (default: the zoo's)", intArg("--steps", 1))
    .option("--seed <s>", "random seed", intArg("--seed", 0))
    .option("--n-envs <k>", "parallel envs (default: the zoo's)", intArg("--n-envs", 1))
    .option(threadsHelp[0], threadsHelp[1], intArg("--threads", 1))
    .option("--hp <key=value...>", "hyperparameter overrides, e.g. --hp learningRate=3e-4 nSteps=256", hpArg)
    .option("--config <file.json>", "JSON with totalTimesteps, nEnvs, seed, hyperparams, envKwargs", readConfigFile)
    .addOption(
      new Option("--vectorization <mode>", "step envs in this thread or in worker threads")
        .choices(["sync", "async"])
        .default("sync"),
    )
    .option("--out <dir>", "parent folder of the run folder", "runs")
    .option("--eval-count <n>", "periodic evaluations during training (0: none)", intArg("--eval-count", 0), 5)
    .option("--verbose", "print every logged row as a table")
    .option("--env-module <file...>", envModuleHelp)
    .addOption(progressOption)
    .action(async (algo: string, env: string, o) => {
      await loadEnvModules(o.envModule);
      const s = await trainRun({
        algo,
        env,
        steps: o.steps,
        seed: o.seed,
        nEnvs: o.nEnvs,
        threads: o.threads,
        vectorization: o.vectorization,
        hp: o.hp,
        config: o.config,
        out: o.out,
        evalCount: o.evalCount,
        verbose: o.verbose === true,
        progress: o.progress as ProgressMode,
        progressStream: { write: io.err, isTTY: io.errIsTTY },
        log: (l) => io.err(`${l}\n`),
      });
      io.out(`${s.runDir}\n`);
    });

  program
    .command("eval")
    .description("evaluate a run's final model (or a model file) on fresh episodes")
    .argument("<run-or-model>", "run folder or .safetensors model")
    .option("--episodes <n>", "episodes", intArg("--episodes", 1), 10)
    .option("--deterministic", "greedy actions (default)")
    .option("--stochastic", "sample actions from the policy")
    .option("--seed <s>", "seed of the first episode", intArg("--seed", 0))
    .option("--best", "use the run's best periodic-evaluation model instead of the final one")
    .option("--json", "print the result as JSON")
    .option("--env-module <file...>", envModuleHelp)
    .action(async (path: string, o) => {
      await loadEnvModules(o.envModule);
      if (o.deterministic && o.stochastic)
        throw new InvalidArgumentError("choose one of --deterministic and --stochastic");
      const r = await evaluateModel(path, {
        episodes: o.episodes,
        deterministic: !o.stochastic,
        seed: o.seed,
        best: o.best === true,
      });
      if (o.json) io.out(`${JSON.stringify(r)}\n`);
      else
        io.out(
          `${r.algorithm} on ${r.envId}: mean return ${r.meanReturn.toFixed(2)} +/- ${r.stdReturn.toFixed(2)} over ${r.returns.length} episodes (mean length ${r.meanLength.toFixed(1)})\n`,
        );
    });

  program
    .command("enjoy")
    .description("watch an agent: text frames in the terminal for toy text, a GIF for classic control")
    .argument("<run-or-model>", "run folder or .safetensors model")
    .option("--episodes <n>", "episodes", intArg("--episodes", 1), 1)
    .option("--gif <out.gif>", "GIF file (rgb_array envs; default enjoy.gif in the run folder or here)")
    .option("--fps <n>", "frames per second of the terminal replay (0: no delay)", intArg("--fps", 0))
    .option("--seed <s>", "seed of the first episode", intArg("--seed", 0))
    .option("--stochastic", "sample actions instead of taking the greedy one")
    .option("--env-module <file...>", envModuleHelp)
    .action(async (path: string, o) => {
      await loadEnvModules(o.envModule);
      const probe = await loadModelWithEnv(path);
      const modes = probe.env.metadata.renderModes;
      const episodes: number = o.episodes;
      if (modes.includes("ansi")) {
        const { model, env } = await loadModelWithEnv(path, "ansi");
        const fps: number = o.fps ?? env.metadata.renderFps ?? 4;
        const sleep = io.sleep ?? (async () => {});
        const show = async () => {
          // colours and screen clears only on a terminal: a file or a pipe gets plain text
          const frame = String(env.render());
          io.out(io.isTTY ? `\x1b[H\x1b[2J${frame}\n` : `${stripAnsi(frame)}\n`);
          if (fps > 0) await sleep(1000 / fps);
        };
        const returns: number[] = [];
        for (let ep = 0; ep < episodes; ep++) {
          let obs = env.reset(ep === 0 && o.seed !== undefined ? { seed: o.seed } : {}).observation;
          await show();
          let total = 0;
          for (;;) {
            const r = env.step(model.predict(obs as Float32Array | number, { deterministic: !o.stochastic }));
            total += r.reward;
            await show();
            if (r.terminated || r.truncated) break;
            obs = r.observation;
          }
          returns.push(total);
        }
        io.out(`returns: ${returns.map(round).join(", ")}\n`);
      } else if (modes.includes("rgb_array")) {
        const { model, env, envId } = await loadModelWithEnv(path, "rgb_array");
        const runDir = existsSync(path) && !path.endsWith(".safetensors") ? path : ".";
        const gifPath: string = o.gif ?? join(runDir, "enjoy.gif");
        const written: string[] = [];
        const video = new RecordVideo(env, {
          episodeTrigger: () => true,
          sink: (gif, info) => {
            const p = episodes === 1 ? gifPath : gifPath.replace(/(\.gif)?$/, `-${info.episodeId}.gif`);
            writeFileSync(p, gif);
            written.push(p);
          },
        });
        const res = evaluatePolicy(model, video as AnyEnv, {
          episodes,
          deterministic: !o.stochastic,
          seed: o.seed,
        });
        video.close();
        io.out(`${envId}: returns ${res.returns.map(round).join(", ")}; wrote ${written.join(", ")}\n`);
      } else {
        throw new InvalidArgumentError(`${probe.envId} renders neither ansi nor rgb_array frames`);
      }
    });

  program
    .command("resume")
    .description("continue an interrupted run from its newest checkpoint up to its planned steps")
    .argument("<run>", "run folder")
    .option(threadsHelp[0], threadsHelp[1], intArg("--threads", 1))
    .option("--env-module <file...>", envModuleHelp)
    .addOption(progressOption)
    .action(async (run: string, o) => {
      await loadEnvModules(o.envModule);
      const s = await resumeRun(run, {
        threads: o.threads,
        progress: o.progress as ProgressMode,
        progressStream: { write: io.err, isTTY: io.errIsTTY },
        log: (l) => io.err(`${l}\n`),
      });
      io.out(`${s.runDir}\n`);
    });

  program
    .command("export")
    .description("export a run's deterministic policy (observation normalization included) as an ONNX model")
    .argument("<run-or-model>", "run folder or .safetensors model")
    .requiredOption("--onnx", "ONNX format (opset 13)")
    .option("--out <file.onnx>", "output file (default: policy.onnx in the run folder, or beside the model)")
    .option("--no-values", "leave out the value / Q-value output")
    .option("--best", "export the run's best periodic-evaluation model")
    .action(async (path: string, o) => {
      const { model } = await loadModelWithEnv(path, undefined, { best: o.best === true });
      const { runDir, modelPath } = locateModel(path, { best: o.best === true });
      const out = o.out ?? join(runDir ?? dirname(modelPath), "policy.onnx");
      await exportOnnxFile(model, out, { includeValues: o.values !== false });
      io.out(`${out}\n`);
    });

  program
    .command("import-sb3")
    .description(
      "import a Stable-Baselines3 model.zip (PPO, A2C, TRPO, DQN, SAC, TD3, DDPG) into a run folder, without running its pickles",
    )
    .argument("<model.zip>", "the file SB3's model.save() wrote")
    .requiredOption("--out <dir>", "run folder to create")
    .option("--env <id>", "environment (default: the one registered env with the model's spaces)")
    .option("--seed <s>", "seed for further training", intArg("--seed", 0))
    .option("--steps <n>", "further training steps, which `tsrl resume <dir>` then runs", intArg("--steps", 0))
    .option(
      "--vecnormalize <file.pkl>",
      "SB3 VecNormalize statistics the model was trained with (rl-zoo's vecnormalize.pkl)",
    )
    .action(async (zip: string, o) => {
      const r = await importSb3Run(zip, {
        out: o.out,
        env: o.env,
        seed: o.seed,
        steps: o.steps,
        vecNormalize: o.vecnormalize,
      });
      io.out(`${r.model.algoName} on ${r.envId} imported into ${r.runDir}\n`);
      if (r.notImported.length > 0) {
        io.err(`not imported (SB3 stored them as cloudpickle, never executed): ${r.notImported.join(", ")}\n`);
      }
    });

  program
    .command("list")
    .description("list algorithms, environments and tuned configurations")
    .action(() => {
      io.out(`algorithms: ${listAlgorithms().join(", ")}\n`);
      io.out(`environments: ${registeredIds().join(", ")}\n`);
      io.out("tuned configurations (algorithm, env, steps, envs, source):\n");
      for (const z of listZooEntries()) {
        io.out(
          `  ${z.algorithm.padEnd(14)} ${z.env.padEnd(26)} ${String(z.entry.totalTimesteps).padStart(9)} ${String(z.entry.nEnvs ?? 1).padStart(3)}  ${z.entry.source}\n`,
        );
      }
    });

  program
    .command("info")
    .description("show which numeric kernels and how many threads the networks run on here")
    .option(threadsHelp[0], threadsHelp[1], intArg("--threads", 1))
    .action((o) => {
      const info = kernelsInfo({ threads: o.threads });
      const yes = (b: boolean) => (b ? "yes" : "no");
      const names = {
        "wasm-relaxed": "WebAssembly relaxed SIMD",
        "wasm-simd": "WebAssembly SIMD",
        ts: "TypeScript fallback",
      };
      io.out(`tsrl ${LIBRARY_VERSION} on Node ${process.versions.node}\n`);
      io.out(`kernels: ${info.kernels} (${names[info.kernels]})\n`);
      io.out(
        `available: wasm relaxed-simd ${yes(info.available.relaxedSimd)}, wasm simd ${yes(info.available.simd)}, ts fallback yes\n`,
      );
      io.out(`threads: ${info.threads}\n`);
      io.out(`threads note: ${info.threadsNote ?? "none"}\n`);
    });

  program
    .command("plot")
    .description(
      "plot learning curves of one or more runs into an SVG (runs of the same algorithm/env are averaged with a min/max band)",
    )
    .argument("<runs...>", "run folders")
    .option("--out <file.svg>", "output file", "plot.svg")
    .option("--title <text>", "chart title")
    .option("--metric <name>", "episode returns (default), or a logged metric such as eval/mean_reward", "episodes")
    .action((runs: string[], o) => {
      const groups = new Map<string, CurveSeries & { runs: { steps: number[]; values: number[] }[] }>();
      const envs = new Set<string>();
      for (const run of runs) {
        const cfg = readRunConfig(run);
        const curve = o.metric === "episodes" ? episodeCurve(run) : metricCurve(run, o.metric);
        envs.add(cfg.env);
        const label = `${cfg.algorithm} ${cfg.env}`;
        const g = groups.get(label) ?? { label, runs: [] };
        g.runs.push(curve);
        groups.set(label, g);
      }
      const svg = learningCurveSvg([...groups.values()], {
        title: o.title ?? [...envs].join(", "),
        yLabel: o.metric === "episodes" ? "episode return" : o.metric,
      });
      writeFileSync(o.out, svg);
      io.out(`${o.out}\n`);
    });

  const study = program
    .command("study")
    .description("run a study: variants x environments x seeds, each an ordinary run folder (resumable)")
    .argument("<study.json>", "study file (see docs/studies.md)")
    .option("--out <dir>", "study folder (default: runs/<study name>)")
    .option("--workers <n>", "local worker processes (default: one per core)", intArg("--workers", 1))
    .option("--queue <redis-url>", "put the runs on a BullMQ queue (redis://HOST:PORT) for `tsrl worker` processes")
    .option("--queue-name <name>", "queue name", "tsrl")
    .addOption(progressOption)
    .action(async (file: string, o) => {
      const r = await runStudy(loadStudyFile(file), {
        out: o.out,
        workers: o.workers,
        queue: o.queue,
        queueName: o.queueName,
        progress: o.progress as ProgressMode,
        progressStream: { write: io.err, isTTY: io.errIsTTY },
        log: (l) => io.err(`${l}\n`),
      });
      io.out(`${r.dir}\n`);
    });
  study
    .command("report")
    .description("statistics of a study's runs: mean, median, IQM with bootstrap CIs, profiles; markdown + SVG")
    .argument("<folder>", "study folder")
    .option("--out <file.md>", "markdown file; SVGs go in a folder beside it named after it", undefined)
    .option("--reps <n>", "bootstrap resamples", intArg("--reps", 1), 2000)
    .option("--seed <s>", "bootstrap seed", intArg("--seed", 0), 0)
    .option("--preface <text>", "markdown placed under the title (e.g. which code made the runs)")
    .action((folder: string, o) => {
      const path = writeStudyReport(folder, { out: o.out, reps: o.reps, seed: o.seed, preface: o.preface });
      io.out(`${path}\n`);
    });

  program
    .command("worker")
    .description("take study runs from a BullMQ queue until stopped (Ctrl-C); results go back through the queue")
    .requiredOption("--queue <redis-url>", "the queue's Redis, redis://HOST:PORT")
    .option("--queue-name <name>", "queue name", "tsrl")
    .option("--concurrency <n>", "runs at a time (worker processes)", intArg("--concurrency", 1), 1)
    .option("--work-dir <dir>", "folder for runs in progress (default: a temporary folder)")
    .option(
      "--lock-duration <ms>",
      "job lock: a dead worker's run goes to another worker after about this long",
      intArg("--lock-duration", 1000),
      30000,
    )
    .action(async (o) => {
      const workDir: string = o.workDir ?? mkdtempSync(join(tmpdir(), "tsrl-worker-"));
      const w = await startWorker(o.queue, {
        queueName: o.queueName,
        concurrency: o.concurrency,
        workDir,
        lockDurationMs: o.lockDuration,
        log: (l) => io.err(`${l}\n`),
      });
      io.err(`worker ready on ${o.queue} (queue ${o.queueName}, ${o.concurrency} at a time, runs in ${workDir})\n`);
      const stop = () => void w.close();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await w.closed;
    });

  program
    .command("bench")
    .description("measure training speed (env steps per second) of each algorithm with its tuned config")
    .option("--steps <n>", "env steps per algorithm", intArg("--steps", 1), 20000)
    .option("--env <id>", "environment", "CartPole-v1")
    .option("--algos <names...>", "algorithms (default: all with a config for the env)")
    .action(async (o) => {
      await loadEnvFamily(o.env);
      const names: string[] = o.algos ?? listAlgorithms().filter((a) => zooEntry(a, o.env)?.tuned);
      // every name and the env checked before the table starts
      const classes = names.map((name) => {
        const cls = getAlgorithmClass(name);
        if (!cls)
          throw new InvalidArgumentError(
            `unknown algorithm ${JSON.stringify(name)}; choose one of: ${listAlgorithms().join(", ")}`,
          );
        return cls;
      });
      make(o.env);
      io.out(`| algorithm | env | steps | seconds | steps/s |\n|---|---|---:|---:|---:|\n`);
      for (const cls of classes) {
        const z = zooEntry(cls.algorithmName, o.env);
        const model = new cls(makeTrainEnv(o.env, z?.entry.nEnvs ?? 1, z?.entry.envKwargs ?? {}), {
          ...(z?.entry.hyperparams ?? {}),
        });
        const t0 = performance.now();
        await model.learn(o.steps);
        const secs = (performance.now() - t0) / 1000;
        await model.close();
        io.out(
          `| ${cls.algorithmName} | ${o.env} | ${model.numTimesteps} | ${secs.toFixed(2)} | ${Math.round(model.numTimesteps / secs)} |\n`,
        );
      }
      const env = make(o.env);
      env.reset({ seed: 0 });
      const n = 200_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const r = env.step(env.actionSpace.sample());
        if (r.terminated || r.truncated) env.reset();
      }
      const secs = (performance.now() - t0) / 1000;
      io.out(`\n${o.env} alone (make, random actions): ${Math.round(n / secs)} steps/s\n`);
    });

  return program;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (or the help/version text, exit code 0)
      return e.exitCode;
    }
    if (e instanceof RunInterruptedError) {
      io.err(`${e.message}\n`);
      return e.signal === "SIGINT" ? 130 : 143;
    }
    if (e instanceof TsrlError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    // anything else is a bug in tsrl: one line, the stack only when asked for
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(
      process.env.TSRL_DEBUG
        ? `${err.stack}\n`
        : `internal error: ${err.name}: ${err.message} (a bug in tsrl; TSRL_DEBUG=1 shows the stack)\n`,
    );
    return 70;
  }
}
