import * as gifencModule from "gifenc";
import { cbrt } from "../../core/math/index.js";
import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import { type Env, envName, type ResetOptions, type ResetResult, type RgbFrame, type StepResult } from "../env.js";
import { Wrapper } from "./wrapper.js";

// gifenc ships CommonJS for Node (named exports under `default`) and ESM for bundlers (named exports at the top).
const gifenc = ((gifencModule as unknown as { default?: typeof gifencModule }).default ??
  gifencModule) as typeof gifencModule;

/** What a finished recording is handed to the sink with. */
export interface VideoInfo {
  /** Suggested file name: `${namePrefix}-episode-${episodeId}.gif` or `${namePrefix}-step-${stepId}.gif`. */
  name: string;
  episodeId: number;
  /** Global step count at which the recording started. */
  stepId: number;
  frames: number;
  width: number;
  height: number;
}

/** Receives each finished GIF. In Node, `gifFolderSink(folder)` from `tsrl/platform` writes them to a folder. */
export type GifSink = (gif: Uint8Array, info: VideoInfo) => void;

export interface RecordVideoOptions {
  sink: GifSink;
  /** Record the episodes for which this returns true (0-based ids). Default: Gymnasium's capped cubic schedule. */
  episodeTrigger?: (episodeId: number) => boolean;
  /** Start a recording at the global steps for which this returns true (instead of per episode). */
  stepTrigger?: (stepId: number) => boolean;
  /** Frames per recording; 0 (default) records whole episodes. */
  videoLength?: number;
  /**
   * Frame rate of the GIF; default the env's `metadata.renderFps` (else 30). GIF delays count hundredths of a second,
   * so an env faster than 100 fps (Hopper: 125) is recorded every k-th step, at renderFps / k <= 50 fps.
   */
  fps?: number;
  namePrefix?: string;
}

/** Gymnasium's default episode trigger: episodes 0, 1, 8, 27, ..., 729, then every 1000th. */
export function cappedCubicVideoSchedule(episodeId: number): boolean {
  if (episodeId < 1000) {
    const root = Math.round(cbrt(episodeId));
    return root * root * root === episodeId;
  }
  return episodeId % 1000 === 0;
}

/**
 * Gymnasium's RecordVideo, writing animated GIFs (gifenc) instead of MP4: the env must render `rgb_array` frames.
 * Frames are encoded as they arrive (nothing is buffered but the GIF bytes); a finished recording is handed to
 * `sink` with a suggested file name. The wrapper never touches the file system, so it runs in browsers too.
 */
export class RecordVideo<O, A> extends Wrapper<O, A> {
  readonly fps: number;
  readonly videoLength: number;
  readonly namePrefix: string;
  episodeId = -1;
  stepId = 0;
  private readonly sink: GifSink;
  /** Capture every stride-th step (1 unless the env renders faster than a GIF can play). */
  private readonly stride: number;
  private stepsSinceCapture = 0;
  private readonly episodeTrigger: ((episodeId: number) => boolean) | undefined;
  private readonly stepTrigger: ((stepId: number) => boolean) | undefined;
  private encoder: ReturnType<typeof gifenc.GIFEncoder> | null = null;
  private recording: VideoInfo = {
    name: "",
    episodeId: 0,
    stepId: 0,
    frames: 0,
    width: 0,
    height: 0,
  };

  constructor(env: Env<O, A>, opts: RecordVideoOptions) {
    super(env);
    const where = `RecordVideo(${envName(env)})`;
    if (env.renderMode !== "rgb_array") {
      throw new InvalidArgumentError(
        `${where}: the env must be made with renderMode "rgb_array", got ${describe(env.renderMode ?? null)}`,
      );
    }
    if (typeof opts?.sink !== "function") {
      throw new InvalidArgumentError(
        `${where}: sink must be a function (gif, info) => void, got ${describe(opts?.sink)}`,
      );
    }
    const envFps = env.metadata.renderFps ?? 30;
    this.stride = opts.fps === undefined && envFps > 100 ? Math.ceil(envFps / 50) : 1;
    const fps = opts.fps ?? envFps / this.stride;
    if (typeof fps !== "number" || !(fps > 0 && fps <= 100)) {
      throw new InvalidArgumentError(`${where}: fps must be a number in (0, 100], got ${describe(fps)}`);
    }
    const videoLength = opts.videoLength ?? 0;
    if (!Number.isSafeInteger(videoLength) || videoLength < 0) {
      throw new InvalidArgumentError(
        `${where}: videoLength must be a non-negative integer, got ${describe(videoLength)}`,
      );
    }
    this.sink = opts.sink;
    this.fps = fps;
    this.videoLength = videoLength;
    this.namePrefix = opts.namePrefix ?? "rl-video";
    this.stepTrigger = opts.stepTrigger;
    this.episodeTrigger = opts.episodeTrigger ?? (opts.stepTrigger ? undefined : cappedCubicVideoSchedule);
  }

  /** True while frames are being captured. */
  get recordingActive(): boolean {
    return this.encoder !== null;
  }

  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    this.episodeId += 1;
    if (this.encoder !== null && this.videoLength === 0) this.finishRecording();
    if (this.episodeTrigger?.(this.episodeId)) {
      if (this.encoder !== null) this.finishRecording();
      this.startRecording(`${this.namePrefix}-episode-${this.episodeId}`);
    }
    if (this.encoder !== null) this.captureFrame();
    return r;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.stepId += 1;
    if (this.encoder === null && this.stepTrigger?.(this.stepId)) {
      this.startRecording(`${this.namePrefix}-step-${this.stepId}`);
    }
    if (this.encoder !== null) {
      const episodeEnds = r.terminated || r.truncated;
      if (++this.stepsSinceCapture >= this.stride || episodeEnds) this.captureFrame();
      const full = this.videoLength > 0 && this.recording.frames >= this.videoLength;
      const episodeOver = this.videoLength === 0 && (r.terminated || r.truncated);
      if (full || episodeOver) this.finishRecording();
    }
    return r;
  }

  /** Ends and hands over an unfinished recording, then closes the env. */
  override close(): void {
    if (this.encoder !== null) this.finishRecording();
    this.env.close();
  }

  private startRecording(name: string): void {
    this.encoder = gifenc.GIFEncoder();
    this.recording = {
      name: `${name}.gif`,
      episodeId: this.episodeId,
      stepId: this.stepId,
      frames: 0,
      width: 0,
      height: 0,
    };
  }

  private captureFrame(): void {
    this.stepsSinceCapture = 0;
    const frame = this.env.render() as RgbFrame | string | null;
    if (frame === null || typeof frame !== "object" || !(frame.data instanceof Uint8ClampedArray)) {
      throw new EnvError(`RecordVideo(${envName(this)}): render() must return an RGBA frame, got ${describe(frame)}`);
    }
    const rec = this.recording;
    if (rec.frames === 0) {
      rec.width = frame.width;
      rec.height = frame.height;
    } else if (frame.width !== rec.width || frame.height !== rec.height) {
      throw new EnvError(
        `RecordVideo(${envName(this)}): frame size changed from ${rec.width}x${rec.height} to ${frame.width}x${frame.height}`,
      );
    }
    const palette = gifenc.quantize(frame.data, 256);
    const index = gifenc.applyPalette(frame.data, palette);
    (this.encoder as NonNullable<typeof this.encoder>).writeFrame(index, frame.width, frame.height, {
      palette,
      delay: Math.round(1000 / this.fps),
    });
    rec.frames += 1;
  }

  private finishRecording(): void {
    const encoder = this.encoder as NonNullable<typeof this.encoder>;
    this.encoder = null;
    if (this.recording.frames === 0) return;
    encoder.finish();
    this.sink(encoder.bytes(), { ...this.recording });
  }
}
