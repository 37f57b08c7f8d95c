import { Rng, type RngState } from "../../core/rng.js";
import type { Env } from "../../envs/env.js";
import { CheckpointError, describe, InvalidArgumentError, NonFiniteError } from "../../errors.js";
import { Discrete } from "../../spaces/discrete.js";
import { Logger } from "./logger.js";

/** A value as a function of the fraction of training left (1 at the start, 0 at the end), SB3's convention. */
export type TabularSchedule = (progressRemaining: number) => number;

export interface TabularConfig {
  /** Step size alpha of the TD update, or a schedule of it. Default 0.1. */
  learningRate: number | TabularSchedule;
  /** Discount factor in [0, 1]. Default 0.99. */
  gamma: number;
  /** Epsilon of the epsilon-greedy behaviour policy at the start. Default 1. */
  explorationInitialEps: number;
  /** Epsilon after the linear decay. Default 0.05. */
  explorationFinalEps: number;
  /** Fraction of `learn`'s timesteps over which epsilon decays linearly. Default 0.5. */
  explorationFraction: number;
  /** Initial value of every table entry (optimistic initialisation when > 0). Default 0. */
  initialQ: number;
  /** Seed of the exploration generator and of the env's first reset. Default 0. */
  seed: number;
  /** Episodes averaged in `rollout/ep_rew_mean`. Default 100. */
  statsWindow: number;
  /** Dump the logger every this many episodes (0: never). Default 100. */
  logIntervalEpisodes: number;
}

export const TABULAR_DEFAULTS: TabularConfig = {
  learningRate: 0.1,
  gamma: 0.99,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  explorationFraction: 0.5,
  initialQ: 0,
  seed: 0,
  statsWindow: 100,
  logIntervalEpisodes: 100,
};

/** What a tabular callback sees each step; returning false from `onStep` stops `learn`. */
export interface TabularCallbackContext {
  readonly model: TabularAgent;
  readonly numTimesteps: number;
  readonly reward: number;
  readonly done: boolean;
}
export interface TabularCallback {
  onTrainingStart?(ctx: TabularCallbackContext): void;
  onStep?(ctx: TabularCallbackContext): boolean | undefined;
  onTrainingEnd?(ctx: TabularCallbackContext): void;
}

type DiscreteEnv = Env<number, number>;

/**
 * The shared part of tabular temporal-difference control: the table Q[s, a], the epsilon-greedy behaviour policy
 * with its linear epsilon schedule, the learning-rate schedule and the run loop. A subclass supplies only the
 * bootstrap value of the next state, which is what distinguishes Q-learning, SARSA and Expected SARSA:
 *
 *   Q(s,a) <- Q(s,a) + alpha * (r + gamma * (1 - terminated) * V(s') - Q(s,a))
 *
 * A terminated transition never bootstraps; a truncated one (time limit) does, from the final observation.
 */
export abstract class TabularAgent {
  readonly config: TabularConfig;
  readonly env: DiscreteEnv;
  readonly nStates: number;
  readonly nActions: number;
  /** Q[s * nActions + a]. */
  readonly q: Float64Array;
  readonly logger: Logger;
  numTimesteps = 0;
  /** Current exploration rate. */
  epsilon: number;
  protected readonly rng: Rng;
  private readonly obsStart: number;
  private readonly actStart: number;
  private obs = -1;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodes = 0;
  private readonly recentReturns: number[] = [];
  private readonly recentLengths: number[] = [];
  /** Set by `bootstrap` when the algorithm is on-policy (SARSA): the action to take in the next state. */
  protected pendingAction = -1;

  constructor(env: DiscreteEnv, config: Partial<TabularConfig> = {}) {
    const name = this.constructor.name;
    if (!(env.observationSpace instanceof Discrete)) {
      throw new InvalidArgumentError(
        `${name} needs a Discrete observation space, got ${env.observationSpace}; use DQN for Box observations`,
      );
    }
    if (!(env.actionSpace instanceof Discrete)) {
      throw new InvalidArgumentError(`${name} needs a Discrete action space, got ${env.actionSpace}`);
    }
    this.config = { ...TABULAR_DEFAULTS, ...config };
    checkTabularConfig(name, this.config);
    this.env = env;
    this.nStates = env.observationSpace.n;
    this.nActions = env.actionSpace.n;
    this.obsStart = env.observationSpace.start;
    this.actStart = env.actionSpace.start;
    this.q = new Float64Array(this.nStates * this.nActions).fill(this.config.initialQ);
    this.rng = new Rng(this.config.seed);
    this.epsilon = this.config.explorationInitialEps;
    this.logger = new Logger();
  }

  /**
   * V(s') used in the target r + gamma V(s'): max_a' Q(s',a') for Q-learning, Q(s',a') with a' drawn from the
   * behaviour policy for SARSA, the behaviour policy's expectation for Expected SARSA.
   */
  protected abstract bootstrap(nextState: number): number;

  /** Run `totalTimesteps` environment steps of TD control. */
  learn(totalTimesteps: number, opts: { callbacks?: TabularCallback[]; resetNumTimesteps?: boolean } = {}): this {
    if (!Number.isInteger(totalTimesteps) || totalTimesteps < 1) {
      throw new InvalidArgumentError(`learn: totalTimesteps must be a positive integer, got ${totalTimesteps}`);
    }
    const { gamma, learningRate, explorationInitialEps, explorationFinalEps, explorationFraction } = this.config;
    const callbacks = opts.callbacks ?? [];
    const start = opts.resetNumTimesteps === false ? this.numTimesteps : 0;
    this.numTimesteps = start;
    const ctx = { model: this, numTimesteps: this.numTimesteps, reward: 0, done: false };
    for (const cb of callbacks) cb.onTrainingStart?.(ctx);
    if (this.obs < 0) this.obs = this.observe(this.env.reset({ seed: this.config.seed }).observation);
    const nA = this.nActions;
    for (let t = 0; t < totalTimesteps; t++) {
      const progressRemaining = 1 - t / totalTimesteps;
      // linear epsilon decay over the first explorationFraction of training, then constant
      const frac = Math.min((1 - progressRemaining) / explorationFraction, 1);
      this.epsilon = explorationInitialEps + frac * (explorationFinalEps - explorationInitialEps);
      const alpha = typeof learningRate === "number" ? learningRate : learningRate(progressRemaining);

      const s = this.obs;
      const a = this.pendingAction >= 0 ? this.pendingAction : this.behaviourAction(s);
      this.pendingAction = -1;
      const step = this.env.step(a + this.actStart);
      const r = step.reward;
      if (!Number.isFinite(r)) {
        throw new NonFiniteError(`${this.constructor.name}: the environment returned reward ${r} at step ${t}`);
      }
      const next = this.observe(step.observation);
      // TD target: terminal states have value 0; truncated ones bootstrap from the state the time limit cut off
      const target = step.terminated ? r : r + gamma * this.bootstrap(next);
      const i = s * nA + a;
      this.q[i] += alpha * (target - this.q[i]);

      this.numTimesteps++;
      this.episodeReturn += r;
      this.episodeLength++;
      const done = step.terminated || step.truncated;
      if (done) {
        this.pendingAction = -1;
        this.endEpisode();
        this.obs = this.observe(this.env.reset().observation);
      } else {
        this.obs = next;
      }
      ctx.numTimesteps = this.numTimesteps;
      ctx.reward = r;
      ctx.done = done;
      let stop = false;
      for (const cb of callbacks) if (cb.onStep?.(ctx) === false) stop = true;
      if (stop) break;
    }
    for (const cb of callbacks) cb.onTrainingEnd?.(ctx);
    return this;
  }

  /** Greedy action (deterministic, ties to the lowest index) or an epsilon-greedy one with the current epsilon. */
  predict(observation: number, opts: { deterministic?: boolean } = {}): number {
    const s = this.observe(observation);
    const a = opts.deterministic === false ? this.behaviourAction(s) : this.greedy(s);
    return a + this.actStart;
  }

  /** Epsilon-greedy: a uniform action with probability epsilon, else a greedy one (ties broken at random). */
  protected behaviourAction(s: number): number {
    if (this.rng.uniform() < this.epsilon) return this.rng.int(this.nActions);
    const nA = this.nActions;
    const base = s * nA;
    let best = Number.NEGATIVE_INFINITY;
    let ties = 0;
    let choice = 0;
    for (let a = 0; a < nA; a++) {
      const v = this.q[base + a];
      if (v > best) {
        best = v;
        ties = 1;
        choice = a;
      } else if (v === best && this.rng.int(++ties) === 0) {
        choice = a; // reservoir sampling among the maxima
      }
    }
    return choice;
  }

  protected greedy(s: number): number {
    const base = s * this.nActions;
    let best = 0;
    for (let a = 1; a < this.nActions; a++) if (this.q[base + a] > this.q[base + best]) best = a;
    return best;
  }

  protected maxQ(s: number): number {
    const base = s * this.nActions;
    let m = this.q[base];
    for (let a = 1; a < this.nActions; a++) if (this.q[base + a] > m) m = this.q[base + a];
    return m;
  }

  private observe(observation: number): number {
    const s = observation - this.obsStart;
    if (!Number.isInteger(s) || s < 0 || s >= this.nStates) {
      throw new InvalidArgumentError(
        `${this.constructor.name}: observation ${describe(observation)} is outside the observation space Discrete(${this.nStates})`,
      );
    }
    return s;
  }

  private endEpisode(): void {
    const w = this.config.statsWindow;
    this.recentReturns.push(this.episodeReturn);
    this.recentLengths.push(this.episodeLength);
    if (this.recentReturns.length > w) {
      this.recentReturns.shift();
      this.recentLengths.shift();
    }
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodes++;
    const every = this.config.logIntervalEpisodes;
    if (every > 0 && this.episodes % every === 0) {
      this.logger.record("rollout/ep_rew_mean", mean(this.recentReturns));
      this.logger.record("rollout/ep_len_mean", mean(this.recentLengths));
      this.logger.record("rollout/exploration_rate", this.epsilon);
      this.logger.record("time/episodes", this.episodes);
      this.logger.dump(this.numTimesteps);
    }
  }

  /** Explicit state for checkpoints: the table (float64) plus counters, epsilon and the RNG state. */
  getCheckpoint(): {
    json: Record<string, unknown>;
    tensors: Record<string, { dtype: "F64"; shape: number[]; data: Float64Array }>;
  } {
    const { learningRate, ...rest } = this.config;
    return {
      json: {
        algorithm: this.constructor.name,
        config: { ...rest, learningRate: typeof learningRate === "number" ? learningRate : null },
        nStates: this.nStates,
        nActions: this.nActions,
        numTimesteps: this.numTimesteps,
        epsilon: this.epsilon,
        rng: this.rng.getState(),
      },
      tensors: { q: { dtype: "F64", shape: [this.nStates, this.nActions], data: this.q.slice() } },
    };
  }

  /** Restore what {@link getCheckpoint} saved into this agent (same env spaces). */
  setCheckpoint(ckpt: {
    json: Record<string, unknown>;
    tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>;
  }): void {
    const { json, tensors } = ckpt;
    if (json.algorithm !== this.constructor.name) {
      throw new CheckpointError(`checkpoint is for ${describe(json.algorithm)}, not ${this.constructor.name}`);
    }
    const q = tensors.q;
    if (!q || json.nStates !== this.nStates || json.nActions !== this.nActions || q.data.length !== this.q.length) {
      throw new CheckpointError(
        `${this.constructor.name} checkpoint has a table of ${describe(json.nStates)} states x ${describe(json.nActions)} actions; the env has ${this.nStates} x ${this.nActions}`,
      );
    }
    this.q.set(q.data);
    this.numTimesteps = Number(json.numTimesteps) || 0;
    this.epsilon = Number(json.epsilon);
    this.rng.setState(json.rng as RngState);
  }
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : Number.NaN;
}

function checkTabularConfig(name: string, c: TabularConfig): void {
  const inUnit = (key: keyof TabularConfig, open = false) => {
    const v = c[key] as number;
    if (typeof v !== "number" || !(v >= 0 && v <= 1) || (open && v === 0)) {
      throw new InvalidArgumentError(
        `${name}: ${key} must be a number in ${open ? "(0, 1]" : "[0, 1]"}, got ${describe(v)}`,
      );
    }
  };
  inUnit("gamma");
  inUnit("explorationInitialEps");
  inUnit("explorationFinalEps");
  inUnit("explorationFraction", true);
  if (typeof c.learningRate === "number") inUnit("learningRate", true);
  else if (typeof c.learningRate !== "function") {
    throw new InvalidArgumentError(
      `${name}: learningRate must be a number or a schedule, got ${describe(c.learningRate)}`,
    );
  }
  if (!Number.isFinite(c.initialQ))
    throw new InvalidArgumentError(`${name}: initialQ must be finite, got ${c.initialQ}`);
  if (!Number.isSafeInteger(c.seed))
    throw new InvalidArgumentError(`${name}: seed must be a safe integer, got ${c.seed}`);
  if (!Number.isInteger(c.statsWindow) || c.statsWindow < 1) {
    throw new InvalidArgumentError(`${name}: statsWindow must be a positive integer, got ${c.statsWindow}`);
  }
  if (!Number.isInteger(c.logIntervalEpisodes) || c.logIntervalEpisodes < 0) {
    throw new InvalidArgumentError(
      `${name}: logIntervalEpisodes must be an integer >= 0, got ${c.logIntervalEpisodes}`,
    );
  }
}
