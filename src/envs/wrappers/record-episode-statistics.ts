import { describe, InvalidArgumentError } from "../../errors.js";
import { type Env, envName, type Info, type ResetOptions, type ResetResult, type StepResult } from "../env.js";
import { Wrapper } from "./wrapper.js";

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
  private readonly result: StepResult<O> = {
    observation: undefined as unknown as O,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

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
}

function push(queue: number[], value: number, max: number): void {
  queue.push(value);
  if (queue.length > max) queue.shift();
}
