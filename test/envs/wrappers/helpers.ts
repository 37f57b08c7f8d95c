import { Env, type ResetOptions, type ResetResult, type RgbFrame, type StepResult } from "../../../src/envs/env.js";
import { Box } from "../../../src/spaces/box.js";

/**
 * A tiny deterministic env for wrapper tests: observation [t, 2t + offset], action in [-1, 1]^2,
 * reward = a0 + a1, terminated after `length` steps. Records the last action it received.
 */
export class CounterEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-100, 100, [2]);
  readonly actionSpace = new Box(-1, 1, [2]);
  readonly lastAction = new Float32Array(2);
  t = 0;
  offset = 0;
  private readonly obs = new Float32Array(2);
  private readonly result: StepResult<Float32Array> = {
    observation: this.obs,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

  constructor(
    readonly length = 5,
    renderMode?: "rgb_array",
  ) {
    super();
    this.metadata = { renderModes: ["rgb_array"], renderFps: 10 };
    this.renderMode = renderMode;
  }

  override reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.t = 0;
    this.offset = this.rng.int(3);
    this.write();
    return { observation: this.obs, info: { start: true } };
  }

  override step(action: Float32Array): StepResult<Float32Array> {
    this.lastAction.set(action);
    this.t += 1;
    this.write();
    this.result.reward = action[0] + action[1];
    this.result.terminated = this.t >= this.length;
    this.result.info = { t: this.t };
    return this.result;
  }

  override render(): RgbFrame {
    const width = 8;
    const height = 6;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      data[i * 4] = (i * 7 + this.t * 40) % 256;
      data[i * 4 + 1] = this.t * 30;
      data[i * 4 + 2] = 255 - i;
      data[i * 4 + 3] = 255;
    }
    return { width, height, data };
  }

  private write(): void {
    this.obs[0] = this.t;
    this.obs[1] = 2 * this.t + this.offset;
  }
}
