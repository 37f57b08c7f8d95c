import { describe, InvalidArgumentError } from "../../errors.js";
import { type Env, envName, type Info, type ResetOptions, type ResetResult, type StepResult } from "../env.js";
import type { SnapshotReader } from "../snapshot.js";
import type { WrapperState } from "./wrapper.js";
import { reusedStepResult, Wrapper } from "./wrapper.js";

/** What RecordEpisodeStatistics puts in `info.episode` when an episode ends: return, length, seconds elapsed. */
export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

/**
 * Gymnasium's RecordEpisodeStatistics: counts each episode's return and length, and on the step that ends it
 * (terminated or truncated) returns an info with `episode: { r, l, t }` (t: seconds since the episode's reset,
 * rounded to microseconds). The last `bufferLength` episodes are kept in `returnQueue`, `lengthQueue`, `timeQueue`.
 * The inner env's info object is never modified: the ending step gets a fresh copy with the statistics added.
 */
export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  readonly bufferLength: number;
  readonly statsKey: string;
  /** Episodes completed so far. */
  episodeCount = 0;
  /** Return and length of the episode in progress. */
  episodeReturn = 0;
  episodeLength = 0;
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  private episodeStart = 0;
  private readonly result = reusedStepResult<O>();

  constructor(env: Env<O, A>, opts: { bufferLength?: number; statsKey?: string } = {}) {
    super(env);
    const bufferLength = opts.bufferLength ?? 100;
    if (!Number.isSafeInteger(bufferLength) || bufferLength < 1) {
      throw new InvalidArgumentError(
        `RecordEpisodeStatistics(${envName(env)}): bufferLength must be a positive integer, got ${describe(bufferLength)}`,
      );
    }
    this.bufferLength = bufferLength;
    this.statsKey = opts.statsKey ?? "episode";
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return r;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    const out = this.result;
    out.observation = r.observation;
    out.reward = r.reward;
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    if (r.terminated || r.truncated) {
      const t = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
      const stats: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t };
      out.info = { ...r.info, [this.statsKey]: stats } as Info;
      this.episodeCount += 1;
      push(this.returnQueue, stats.r, this.bufferLength);
      push(this.lengthQueue, stats.l, this.bufferLength);
      push(this.timeQueue, stats.t, this.bufferLength);
    }
    return out;
  }

  /** Counters, the episode in progress (its elapsed time too) and the queues. */
  protected override snapshotOwn(): WrapperState {
    return {
      kind: "RecordEpisodeStatistics",
      json: {
        bufferLength: this.bufferLength,
        statsKey: this.statsKey,
        episodeCount: this.episodeCount,
        episodeLength: this.episodeLength,
      },
      arrays: {
        episodeReturn: Float64Array.of(this.episodeReturn),
        elapsedMs: Float64Array.of(performance.now() - this.episodeStart),
        returnQueue: Float64Array.from(this.returnQueue),
        lengthQueue: Float64Array.from(this.lengthQueue),
        timeQueue: Float64Array.from(this.timeQueue),
      },
    };
  }

  protected override prepareRestoreOwn(reader: SnapshotReader): () => void {
    reader.expect("bufferLength", this.bufferLength);
    reader.expect("statsKey", this.statsKey);
    const episodeCount = reader.int("episodeCount");
    const episodeLength = reader.int("episodeLength");
    const episodeReturn = reader.array("episodeReturn", Float64Array, 1)[0];
    const elapsedMs = reader.array("elapsedMs", Float64Array, 1)[0];
    const returns = reader.array("returnQueue", Float64Array);
    const n = Math.min(episodeCount, this.bufferLength);
    if (returns.length !== n) throw reader.error(`returnQueue must hold min(episodeCount, bufferLength) = ${n} values`);
    const lengths = reader.array("lengthQueue", Float64Array, n);
    const times = reader.array("timeQueue", Float64Array, n);
    if (!lengths.every((l) => Number.isInteger(l) && l >= 1)) throw reader.error("lengthQueue must hold integers >= 1");
    return () => {
      this.episodeCount = episodeCount;
      this.episodeLength = episodeLength;
      this.episodeReturn = episodeReturn;
      this.episodeStart = performance.now() - elapsedMs;
      this.returnQueue.splice(0, this.returnQueue.length, ...returns);
      this.lengthQueue.splice(0, this.lengthQueue.length, ...lengths);
      this.timeQueue.splice(0, this.timeQueue.length, ...times);
    };
  }
}

function push(queue: number[], value: number, max: number): void {
  queue.push(value);
  if (queue.length > max) queue.shift();
}
