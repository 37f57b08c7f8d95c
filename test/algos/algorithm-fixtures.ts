// Test-only environment and algorithm for exercising the Algorithm base without the real algorithms.
import {
  Algorithm,
  type AlgorithmState,
  type AnyEnv,
  type BaseConfig,
  checkScheduled,
  type EnvStateSnapshot,
  registerAlgorithm,
  type Scheduled,
  scheduleValue,
  type VectorEnvLike,
} from "../../src/algos/common/algorithm.js";
import type { Rng, RngState } from "../../src/core/rng.js";
import { Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { SyncVectorEnv } from "../../src/envs/vector/sync-vector-env.js";
import { CheckpointError } from "../../src/errors.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

/**
 * A drifting point: observation [x, t / 10]; reward 1 when the action's side (0: left, 1: right) matches the sign
 * of x; x takes a random step each turn; the episode terminates when |x| > 0.95 and is truncated at 10 steps.
 * Snapshot/restore cover x, t and the env's generator, so a checkpoint can resume it exactly.
 */
export class DriftEnv extends Env<Float32Array, number> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  private x = 0;
  private t = 0;
  private readonly obs = new Float32Array(2);
  private readonly result: StepResult<Float32Array>;

  constructor(obsHigh = 1) {
    super();
    this.observationSpace = new Box(-obsHigh, obsHigh, [2]);
    this.spec = { id: "Drift-v0", maxEpisodeSteps: 10 };
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: {} };
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts?.seed);
    this.x = this.rng.uniformRange(-0.5, 0.5);
    this.t = 0;
    this.writeObs();
    return { observation: this.obs, info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    const reward = (action === 1) === this.x > 0 ? 1 : 0;
    this.x += this.rng.uniformRange(-0.3, 0.3);
    this.t++;
    this.writeObs();
    this.result.reward = reward;
    this.result.terminated = Math.abs(this.x) > 0.95;
    this.result.truncated = !this.result.terminated && this.t >= 10;
    return this.result;
  }

  snapshot(): EnvStateSnapshot {
    return { json: { t: this.t, rng: this.rng.getState() }, arrays: { x: new Float64Array([this.x]) } };
  }

  /** Check `s`, then return what applies it (the snapshot protocol of src/envs/snapshot.ts). */
  prepareRestore(s: EnvStateSnapshot): () => void {
    const json = s.json as { t: number; rng: RngState };
    const x = s.arrays.x;
    if (!Number.isInteger(json?.t) || !(x instanceof Float64Array) || x.length !== 1) {
      throw new CheckpointError("DriftEnv.restore: bad state");
    }
    return () => {
      this.rng.setState(json.rng);
      this.t = json.t;
      this.x = x[0];
    };
  }

  restore(s: EnvStateSnapshot): void {
    this.prepareRestore(s)();
  }

  private writeObs(): void {
    this.obs[0] = Math.max(-1, Math.min(1, this.x));
    this.obs[1] = this.t / 10;
  }
}

/** Several DriftEnvs in the envs' SyncVectorEnv with same-step autoreset (it snapshots them completely). */
export class DriftVectorEnv extends SyncVectorEnv {
  readonly envId = "Drift-v0";

  constructor(numEnvs: number) {
    super(
      Array.from({ length: numEnvs }, () => () => new DriftEnv()),
      { autoresetMode: "same-step" },
    );
  }
}

export interface ToyConfig extends BaseConfig {
  nSteps: number;
  learningRate: Scheduled;
  hidden: number;
}

/**
 * A tiny policy-gradient learner: logits = W2 tanh(W1 obs); after each rollout of nSteps, one REINFORCE step with
 * a running-mean baseline and momentum. Enough state (weights, momentum, baseline, counters) to test checkpoints.
 */
export class ToyAlgo extends Algorithm<ToyConfig> {
  static override readonly algorithmName: string = "ToyAlgo";
  static override readonly configKeys: readonly string[] | undefined = ["nSteps", "learningRate", "hidden"];
  w1: Float32Array;
  w2: Float32Array;
  momentum: Float32Array;
  baseline = 0;
  private readonly bufObs: Float32Array;
  private readonly bufAct: Int32Array;
  private readonly bufRew: Float64Array;

  constructor(env: AnyEnv | VectorEnvLike, config: Partial<ToyConfig> = {}) {
    const nSteps = config.nSteps ?? 8;
    const hidden = config.hidden ?? 4;
    super(env, {
      ...config,
      nSteps,
      hidden,
      learningRate: checkScheduled("learningRate", config.learningRate ?? 0.1, 0),
    });
    this.w1 = new Float32Array(hidden * this.obsDim);
    this.w2 = new Float32Array(2 * hidden);
    for (let i = 0; i < this.w1.length; i++) this.w1[i] = this.rng.normal() * 0.5;
    for (let i = 0; i < this.w2.length; i++) this.w2[i] = this.rng.normal() * 0.5;
    this.momentum = new Float32Array(this.w2.length);
    this.bufObs = new Float32Array(nSteps * this.numEnvs * this.obsDim);
    this.bufAct = new Int32Array(nSteps * this.numEnvs);
    this.bufRew = new Float64Array(nSteps * this.numEnvs);
  }

  private probRight(obs: Float32Array, off: number, h: Float64Array): number {
    const H = this.config.hidden;
    const d = this.obsDim;
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += this.w1[j * d + k] * obs[off + k];
      h[j] = Math.tanh(s);
    }
    let l0 = 0;
    let l1 = 0;
    for (let j = 0; j < H; j++) {
      l0 += this.w2[j] * h[j];
      l1 += this.w2[H + j] * h[j];
    }
    return 1 / (1 + Math.exp(l0 - l1));
  }

  protected collectRollout(): void {
    const h = new Float64Array(this.config.hidden);
    const n = this.numEnvs;
    const actions = new Int32Array(n);
    for (let t = 0; t < this.config.nSteps; t++) {
      const obs = this.lastObs as Float32Array;
      for (let i = 0; i < n; i++) {
        const p = this.probRight(obs, i * this.obsDim, h);
        actions[i] = this.rng.uniform() < p ? 1 : 0;
      }
      this.bufObs.set(obs, t * n * this.obsDim);
      this.bufAct.set(actions, t * n);
      const r = this.envStep(actions);
      this.bufRew.set(r.rewards, t * n);
      if (this.stopRequested) return;
    }
  }

  protected train(): void {
    const H = this.config.hidden;
    const lr = scheduleValue(this.config.learningRate, this.progressRemaining);
    const h = new Float64Array(H);
    const grad = new Float64Array(this.w2.length);
    const m = this.bufAct.length;
    for (let s = 0; s < m; s++) {
      const p = this.probRight(this.bufObs, s * this.obsDim, h);
      const adv = this.bufRew[s] - this.baseline;
      const g1 = (this.bufAct[s] === 1 ? 1 : 0) - p; // d log pi / d (l1 - l0)
      for (let j = 0; j < H; j++) {
        grad[j] -= adv * g1 * h[j];
        grad[H + j] += adv * g1 * h[j];
      }
      this.baseline += 0.05 * (this.bufRew[s] - this.baseline);
    }
    for (let i = 0; i < grad.length; i++) {
      this.momentum[i] = 0.9 * this.momentum[i] + grad[i] / m;
      this.w2[i] += lr * this.momentum[i];
    }
    this.logger.recordMean("train/baseline", this.baseline);
  }

  protected policyActions(obs: Float32Array, count: number, deterministic: boolean, rng: Rng): Int32Array {
    const h = new Float64Array(this.config.hidden);
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const p = this.probRight(obs, i * this.obsDim, h);
      out[i] = deterministic ? (p > 0.5 ? 1 : 0) : rng.uniform() < p ? 1 : 0;
    }
    return out;
  }

  protected getAlgorithmState(): AlgorithmState {
    const H = this.config.hidden;
    return {
      tensors: {
        "policy/w1": { dtype: "F32", shape: [H, this.obsDim], data: new Float32Array(this.w1) },
        "policy/w2": { dtype: "F32", shape: [2, H], data: new Float32Array(this.w2) },
        "optim/momentum": { dtype: "F32", shape: [2, H], data: new Float32Array(this.momentum) },
      },
      json: { baseline: this.baseline },
    };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    const b = state.json.baseline;
    if (typeof b !== "number" || !Number.isFinite(b)) throw new CheckpointError(`ToyAlgo: bad baseline ${b}`);
    this.w1.set(state.tensors["policy/w1"].data as Float32Array);
    this.w2.set(state.tensors["policy/w2"].data as Float32Array);
    this.momentum.set(state.tensors["optim/momentum"].data as Float32Array);
    this.baseline = b;
  }
}
registerAlgorithm(ToyAlgo);

/** All parameters and optimizer state of a ToyAlgo, for bit-exact comparisons. */
export function toyParams(m: ToyAlgo): number[] {
  return [...m.w1, ...m.w2, ...m.momentum, m.baseline];
}
