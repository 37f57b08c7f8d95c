/**
 * Training callbacks (SB3's BaseCallback seam) and the built-ins: EvalCallback, CheckpointCallback,
 * StopOnRewardThreshold and ProgressBar.
 *
 * Hooks, in the order `Algorithm.learn` calls them:
 *   onTrainingStart  once
 *   onRolloutStart   before each collection: the model state is complete here, so saving here resumes exactly
 *   onStep           after every vector-env step (synchronous: it is on the hot path)
 *   onRolloutEnd     after each collection, before the update
 *   onTrainingEnd    once, also when training stopped early or threw
 * Returning `false` from onRolloutStart, onStep or onRolloutEnd stops training. All hooks but onStep may be async.
 */

import { checkInt } from "../../core/checks.js";
import { seedSpaces } from "../../envs/seed-spaces.js";
import { canSnapshot, type EnvSnapshot } from "../../envs/snapshot.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import type { Algorithm, AnyEnv, VectorStepResult } from "./algorithm.js";
import { type EvaluationResult, evaluatePolicy } from "./evaluate.js";

/** What a hook sees. One object is reused for the whole run: read it, do not keep it. */
export interface CallbackContext {
  readonly model: Algorithm;
  /** Env steps so far (all sub-envs). */
  numTimesteps: number;
  /** In `onStep`: the vector step just taken (rewards, terminated, truncated, infos); null in other hooks. */
  step: VectorStepResult | null;
}

type Continue = boolean | undefined;

export interface Callback {
  onTrainingStart?(ctx: CallbackContext): void | Promise<void>;
  onRolloutStart?(ctx: CallbackContext): Continue | Promise<Continue>;
  onStep?(ctx: CallbackContext): Continue;
  onRolloutEnd?(ctx: CallbackContext): Continue | Promise<Continue>;
  onTrainingEnd?(ctx: CallbackContext): void | Promise<void>;
}

/** Several callbacks called in order; a stop from any of them stops training (the others still run). */
export class CallbackList implements Callback {
  readonly callbacks: readonly Callback[];
  private readonly stepHooks: Callback[];

  constructor(callbacks: Callback | readonly Callback[]) {
    const list = Array.isArray(callbacks) ? [...callbacks] : [callbacks as Callback];
    list.forEach((cb, i) => {
      if (cb === null || typeof cb !== "object") {
        throw new InvalidArgumentError(`callbacks[${i}] must be a callback object, got ${describe(cb)}`);
      }
    });
    this.callbacks = list;
    this.stepHooks = list.filter((c) => typeof c.onStep === "function");
  }

  async onTrainingStart(ctx: CallbackContext): Promise<void> {
    for (const c of this.callbacks) await c.onTrainingStart?.(ctx);
  }

  async onRolloutStart(ctx: CallbackContext): Promise<boolean> {
    let go = true;
    for (const c of this.callbacks) if ((await c.onRolloutStart?.(ctx)) === false) go = false;
    return go;
  }

  onStep(ctx: CallbackContext): boolean {
    let go = true;
    for (const c of this.stepHooks) if ((c.onStep as (x: CallbackContext) => Continue)(ctx) === false) go = false;
    return go;
  }

  async onRolloutEnd(ctx: CallbackContext): Promise<boolean> {
    let go = true;
    for (const c of this.callbacks) if ((await c.onRolloutEnd?.(ctx)) === false) go = false;
    return go;
  }

  async onTrainingEnd(ctx: CallbackContext): Promise<void> {
    for (const c of this.callbacks) await c.onTrainingEnd?.(ctx);
  }
}

function joinPath(dir: string, file: string): string {
  return dir === "" ? file : `${dir.replace(/[/\\]+$/, "")}/${file}`;
}

// ---------------------------------------------------------------------------------------------------------------

export interface EvalCallbackOptions {
  /** Evaluate every this many env steps (at the next safe point). Default 10000. */
  evalFreq?: number;
  /** Episodes per evaluation. Default 5. */
  nEvalEpisodes?: number;
  /** Greedy actions during evaluation. Default true. */
  deterministic?: boolean;
  /** Seed of the eval env's first reset (later evaluations continue its stream). Default: the model's seed + 1. */
  seed?: number;
  /** Save the best model here (atomic write) whenever the mean return improves. */
  bestModelPath?: string;
  /** Called (e.g. a StopOnRewardThreshold) when a new best mean return is found; false stops training. */
  callbackOnNewBest?: Callback;
  /** Also evaluate when training ends (default true), so the best model covers the final parameters. */
  evalAtEnd?: boolean;
}

export interface EvaluationRecord extends EvaluationResult {
  numTimesteps: number;
}

/**
 * Where an EvalCallback's schedule stands (taken at a checkpoint), so that a run resumed from that checkpoint
 * evaluates at the same steps on the same episodes as if never stopped.
 */
export interface EvalSchedule {
  /** Step of the last evaluation (the next is due evalFreq steps later). */
  lastEvalAt: number;
  /** The eval env's state after the evaluations so far; null before the first (or an env that cannot snapshot). */
  evalEnv: EnvSnapshot | null;
  /** The best evaluation so far (null before the first). */
  best: { meanReturn: number; numTimesteps: number } | null;
}

/**
 * Periodic evaluation on a separate env; keeps the best model (as bytes in memory, and on disk with
 * `bestModelPath`). Records `eval/mean_reward`, `eval/mean_ep_length` in the model's logger.
 * Uses `predict`, whose generator is separate from training's, so evaluating never changes the training run.
 */
export class EvalCallback implements Callback {
  readonly evalFreq: number;
  readonly nEvalEpisodes: number;
  readonly deterministic: boolean;
  readonly evaluations: EvaluationRecord[] = [];
  bestMeanReturn = -Infinity;
  /** The best model so far, serialized (without replay buffer); load it with `Algorithm.fromBytes`. */
  bestModelBytes: Uint8Array | null = null;
  /** Latest evaluation's mean return (NaN before the first). */
  lastMeanReturn = Number.NaN;
  private lastEvalAt = 0;
  private seeded = false;
  private resumeAt: EvalSchedule | null = null;
  /** Best evaluation of the run before a resume (`resumeSchedule`). */
  private bestBefore: EvalSchedule["best"] = null;

  constructor(
    readonly evalEnv: AnyEnv,
    private readonly opts: EvalCallbackOptions = {},
  ) {
    if (evalEnv === null || typeof evalEnv !== "object" || typeof evalEnv.reset !== "function") {
      throw new InvalidArgumentError(`EvalCallback: evalEnv must be an Env, got ${describe(evalEnv)}`);
    }
    this.evalFreq = checkInt("EvalCallback: evalFreq", opts.evalFreq ?? 10000, 1);
    this.nEvalEpisodes = checkInt("EvalCallback: nEvalEpisodes", opts.nEvalEpisodes ?? 5, 1);
    this.deterministic = opts.deterministic ?? true;
  }

  /** The schedule where it stands now (e.g. at a checkpoint). */
  schedule(): EvalSchedule {
    const env = this.evalEnv;
    // as evaluate() replaces the best: only a strictly better one
    let best = this.bestBefore;
    for (const e of this.evaluations)
      if (best === null || e.meanReturn > best.meanReturn)
        best = { meanReturn: e.meanReturn, numTimesteps: e.numTimesteps };
    return { lastEvalAt: this.lastEvalAt, evalEnv: this.seeded && canSnapshot(env) ? env.snapshot() : null, best };
  }

  /**
   * Continue a schedule taken at the checkpoint the model resumes from (call before `learn`): the next evaluation
   * falls where it would have, the eval env continues its stream, and only a better evaluation replaces the best.
   */
  resumeSchedule(s: EvalSchedule): void {
    this.resumeAt = s;
  }

  /** The best evaluation of the whole run, a resumed run's earlier parts included. */
  get best(): EvalSchedule["best"] {
    return this.schedule().best;
  }

  onTrainingStart(ctx: CallbackContext): void {
    const s = this.resumeAt;
    this.resumeAt = null;
    if (s === null) {
      this.lastEvalAt = ctx.numTimesteps;
      return;
    }
    this.lastEvalAt = s.lastEvalAt;
    // without the eval env's state, evaluations start its stream again from the seed: reproducible, not continued
    const env = this.evalEnv;
    if (s.evalEnv !== null && canSnapshot(env)) {
      env.restore(s.evalEnv);
      this.seeded = true;
    }
    this.bestBefore = s.best;
    if (s.best !== null && s.best.meanReturn > this.bestMeanReturn) this.bestMeanReturn = s.best.meanReturn;
  }

  async onRolloutStart(ctx: CallbackContext): Promise<Continue> {
    if (ctx.numTimesteps - this.lastEvalAt < this.evalFreq) return true;
    return this.evaluate(ctx);
  }

  async onTrainingEnd(ctx: CallbackContext): Promise<void> {
    if ((this.opts.evalAtEnd ?? true) && ctx.numTimesteps !== this.lastEvalAt) await this.evaluate(ctx);
  }

  private async evaluate(ctx: CallbackContext): Promise<Continue> {
    const model = ctx.model;
    this.lastEvalAt = ctx.numTimesteps;
    const seed = this.seeded ? undefined : (this.opts.seed ?? model.seed + 1);
    // its space generators too, so that the eval env's snapshot (eval-schedule.json) is the same bytes every run
    if (seed !== undefined) seedSpaces(this.evalEnv, seed);
    this.seeded = true;
    const res = evaluatePolicy(model, this.evalEnv, {
      episodes: this.nEvalEpisodes,
      deterministic: this.deterministic,
      seed,
    });
    this.evaluations.push({ ...res, numTimesteps: ctx.numTimesteps });
    this.lastMeanReturn = res.meanReturn;
    model.logger.record("eval/mean_reward", res.meanReturn);
    model.logger.record("eval/mean_ep_length", res.meanLength);
    if (res.meanReturn > this.bestMeanReturn) {
      this.bestMeanReturn = res.meanReturn;
      this.bestModelBytes = model.toBytes({ includeReplayBuffer: false });
      if (this.opts.bestModelPath) await model.save(this.opts.bestModelPath, { includeReplayBuffer: false });
      const next = this.opts.callbackOnNewBest;
      if (next) {
        const go = (await next.onRolloutStart?.(ctx)) ?? true;
        if (go === false) return false;
      }
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface CheckpointCallbackOptions {
  /** Save every this many env steps (at the next safe point, so the checkpoint resumes exactly). */
  saveFreq: number;
  /** Folder for the files (created if missing). */
  saveDir: string;
  /** File names are `<namePrefix>_<steps>_steps.safetensors`. Default "checkpoint". */
  namePrefix?: string;
  /** Include the replay buffer (off-policy). Default true. */
  includeReplayBuffer?: boolean;
  /** Also save when training ends. Default true. */
  saveAtEnd?: boolean;
}

/** Periodic checkpoints, each written atomically. `savedPaths` lists what was written. */
export class CheckpointCallback implements Callback {
  readonly saveFreq: number;
  readonly savedPaths: string[] = [];
  private lastSaveAt = 0;

  constructor(private readonly opts: CheckpointCallbackOptions) {
    if (opts === null || typeof opts !== "object") {
      throw new InvalidArgumentError(
        `CheckpointCallback: options { saveFreq, saveDir } required, got ${describe(opts)}`,
      );
    }
    this.saveFreq = checkInt("CheckpointCallback: saveFreq", opts.saveFreq, 1);
    if (typeof opts.saveDir !== "string") {
      throw new InvalidArgumentError(`CheckpointCallback: saveDir must be a string, got ${describe(opts.saveDir)}`);
    }
  }

  onTrainingStart(ctx: CallbackContext): void {
    this.lastSaveAt = ctx.numTimesteps;
  }

  async onRolloutStart(ctx: CallbackContext): Promise<Continue> {
    if (ctx.numTimesteps - this.lastSaveAt >= this.saveFreq) await this.save(ctx);
    return true;
  }

  async onTrainingEnd(ctx: CallbackContext): Promise<void> {
    if ((this.opts.saveAtEnd ?? true) && ctx.numTimesteps !== this.lastSaveAt) await this.save(ctx);
  }

  private async save(ctx: CallbackContext): Promise<void> {
    this.lastSaveAt = ctx.numTimesteps;
    const path = joinPath(
      this.opts.saveDir,
      `${this.opts.namePrefix ?? "checkpoint"}_${ctx.numTimesteps}_steps.safetensors`,
    );
    await ctx.model.save(path, { includeReplayBuffer: this.opts.includeReplayBuffer ?? true });
    this.savedPaths.push(path);
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface StopOnRewardThresholdOptions {
  /** Watch this EvalCallback's mean return instead of the training episodes'. */
  evalCallback?: EvalCallback;
  /** Training episodes needed before the training mean counts. Default 20. */
  minEpisodes?: number;
}

/**
 * Stop once the mean return reaches `threshold`: the mean of the last 100 training episodes (at least
 * `minEpisodes` of them), or, with `evalCallback`, its latest evaluation. Also usable as EvalCallback's
 * `callbackOnNewBest`.
 */
export class StopOnRewardThreshold implements Callback {
  reachedAt: number | null = null;

  constructor(
    readonly threshold: number,
    private readonly opts: StopOnRewardThresholdOptions = {},
  ) {
    if (typeof threshold !== "number" || Number.isNaN(threshold)) {
      throw new InvalidArgumentError(`StopOnRewardThreshold: threshold must be a number, got ${describe(threshold)}`);
    }
  }

  private check(ctx: CallbackContext): Continue {
    const ev = this.opts.evalCallback;
    let mean: number;
    if (ev) {
      mean = ev.lastMeanReturn;
    } else {
      const { returns } = ctx.model.recentEpisodes;
      if (returns.length < (this.opts.minEpisodes ?? 20)) return true;
      mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    }
    if (mean >= this.threshold) {
      this.reachedAt = ctx.numTimesteps;
      return false;
    }
    return true;
  }

  onRolloutStart(ctx: CallbackContext): Continue {
    return this.check(ctx);
  }

  onRolloutEnd(ctx: CallbackContext): Continue {
    return this.check(ctx);
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface ProgressBarOptions {
  /** Where text goes (e.g. `s => process.stderr.write(s)`; src/train/progress.ts wires the terminal). */
  write: (text: string) => void;
  /** Live bar redrawn in place with `\r` (a terminal), or plain lines (CI, pipes). Default false. */
  tty?: boolean;
  /** Minimum time between redraws in ms. Default 200 on a TTY, 10000 otherwise. */
  intervalMs?: number;
  /** Bar width in characters. Default 24. */
  width?: number;
  /** Clock in ms (tests inject one). Default `performance.now`. */
  now?: () => number;
}

/** Progress: steps, fps, recent mean return and ETA, as a live bar on a terminal or periodic lines elsewhere. */
export class ProgressBar implements Callback {
  private start = 0;
  private startSteps = 0;
  private target = 0;
  private lastDraw = -Infinity;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(private readonly opts: ProgressBarOptions) {
    if (opts === null || typeof opts !== "object" || typeof opts.write !== "function") {
      throw new InvalidArgumentError(`ProgressBar: options { write } required, got ${describe(opts)}`);
    }
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? (opts.tty ? 200 : 10000);
  }

  onTrainingStart(ctx: CallbackContext): void {
    this.start = this.now();
    this.startSteps = ctx.numTimesteps;
    this.target = ctx.model.totalTimesteps;
    this.lastDraw = this.start;
  }

  onStep(ctx: CallbackContext): Continue {
    const t = this.now();
    if (t - this.lastDraw >= this.intervalMs) {
      this.lastDraw = t;
      this.draw(ctx, t, false);
    }
    return true;
  }

  onTrainingEnd(ctx: CallbackContext): void {
    this.draw(ctx, this.now(), true);
  }

  /** One progress line (without line ending). */
  format(ctx: CallbackContext, t: number): string {
    const done = ctx.numTimesteps;
    const total = Math.max(this.target, done);
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const secs = (t - this.start) / 1000;
    const fps = secs > 0 ? (done - this.startSteps) / secs : 0;
    const eta = fps > 0 ? (total - done) / fps : Number.NaN;
    const { returns } = ctx.model.recentEpisodes;
    const mean = returns.length ? returns.reduce((a, b) => a + b, 0) / returns.length : Number.NaN;
    const width = this.opts.width ?? 24;
    const filled = Math.round(frac * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const ret = Number.isNaN(mean) ? "n/a" : mean.toFixed(2);
    return `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} steps | ${Math.round(fps)} fps | return ${ret} | ETA ${formatDuration(eta)}`;
  }

  private draw(ctx: CallbackContext, t: number, final: boolean): void {
    const line = this.format(ctx, t);
    if (this.opts.tty) this.opts.write(`\r${line}\x1b[K${final ? "\n" : ""}`);
    else this.opts.write(`${line}\n`);
  }
}

/** "1h02m", "3m05s", "12s", or "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}
