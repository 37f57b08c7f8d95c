import { configChecks } from "../../core/checks.js";
import type { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError, NonFiniteError } from "../../errors.js";
import { linearSchedule, type Schedule } from "../../nn/schedules.js";
import { EnvActionMasks, maskedArgmax, randomAllowed } from "./action-masks.js";
import {
  type Action,
  Algorithm,
  type AlgorithmState,
  type BaseConfig,
  checkScheduled,
  type EnvInput,
  type Scheduled,
  scheduleValue,
} from "./algorithm.js";

export interface TabularConfig extends BaseConfig {
  /** Step size alpha of the TD update (constant or `{ schedule: "linear", start, end }`). Default 0.1. */
  learningRate?: Scheduled;
  /** Discount factor in [0, 1]. Default 0.99. */
  gamma?: number;
  /** Epsilon of the epsilon-greedy behaviour policy at the start of `learn`. Default 1. */
  explorationInitialEps?: number;
  /** Epsilon after the linear decay. Default 0.05. */
  explorationFinalEps?: number;
  /** Fraction of `learn`'s timesteps over which epsilon decays linearly. Default 0.5. */
  explorationFraction?: number;
  /** Initial value of every table entry (optimistic initialisation when > 0). Default 0. */
  initialQ?: number;
  /** Env steps per iteration of the run loop (callbacks' rollout hooks and log dumps happen between). Default 1000. */
  stepsPerIteration?: number;
  /**
   * Use the env's action masks (`info.action_mask` or an `actionMasks()` method, as PPO and DQN read them): the
   * behaviour policy takes allowed actions only and the bootstrap V(s') ranges over the actions allowed in s'.
   * Default true.
   */
  useActionMasks?: boolean;
}

type Resolved = Required<Omit<TabularConfig, "seed" | "logInterval" | "threads" | "verbose">>;

const DEFAULTS: Resolved = {
  learningRate: 0.1,
  gamma: 0.99,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  explorationFraction: 0.5,
  initialQ: 0,
  stepsPerIteration: 1000,
  useActionMasks: true,
};

/**
 * The shared part of tabular temporal-difference control: the table Q[s, a], the epsilon-greedy behaviour policy
 * with its linear epsilon schedule, the learning-rate schedule and the run loop. A subclass supplies only the
 * bootstrap value V(s') of the next state, which is what distinguishes Q-learning, SARSA and Expected SARSA:
 *
 *   Q(s,a) <- Q(s,a) + alpha * (r + gamma * (1 - terminated) * V(s') - Q(s,a))
 *
 * A terminated transition never bootstraps; a truncated one (time limit) does, from the episode's final
 * observation. Updates happen online, one per env step, inside `collectRollout`; `train` has nothing left to do.
 * With action masks, every max, argmax, draw and expectation ranges over the allowed actions of its state.
 * Works on envs (or same-step vector envs) with Discrete observation and action spaces.
 */
export abstract class TabularAgent<O = unknown, A extends Action = Action> extends Algorithm<TabularConfig, O, A> {
  static override readonly configKeys: readonly string[] = Object.keys(DEFAULTS);
  readonly cfg: Resolved;
  readonly nStates: number;
  readonly nActions: number;
  /** Q[s * nActions + a], s and a counted from the spaces' `start`. */
  readonly q: Float64Array;
  /** Current exploration rate. */
  epsilon: number;
  /** On-policy algorithms (SARSA) set the action to take next in each env here; -1 = none chosen yet. */
  protected readonly pendingActions: Int32Array;
  private readonly actions: Int32Array;
  /** States the current actions were taken in (env step overwrites lastObs). */
  private readonly states: Int32Array;
  private readonly obsStart: number;
  private readonly actStart: number;
  private readonly epsilonSchedule: Schedule;

  constructor(env: EnvInput<O, A>, config: TabularConfig = {}) {
    super(env, config);
    const name = this.algoName;
    if (this.obsInfo.kind !== "discrete") {
      throw new InvalidArgumentError(
        `${name} needs a Discrete observation space, got ${this.observationSpace}; use DQN for Box observations`,
      );
    }
    if (this.actInfo.kind !== "discrete") {
      throw new InvalidArgumentError(`${name} needs a Discrete action space, got ${this.actionSpace}`);
    }
    const c: Resolved = { ...DEFAULTS };
    for (const [k, v] of Object.entries(config))
      if (v !== undefined && k !== "seed" && k !== "logInterval") Object.assign(c, { [k]: v });
    checkTabularConfig(name, c);
    this.cfg = c;
    this.nStates = this.obsInfo.n;
    this.nActions = this.actInfo.n;
    this.obsStart = this.obsInfo.start;
    this.actStart = this.actInfo.start;
    this.q = new Float64Array(this.nStates * this.nActions).fill(c.initialQ);
    this.epsilon = c.explorationInitialEps;
    // SB3's linear schedule: initial -> final over the first explorationFraction of training, then constant
    this.epsilonSchedule = linearSchedule(c.explorationInitialEps, c.explorationFinalEps, c.explorationFraction);
    this.pendingActions = new Int32Array(this.numEnvs).fill(-1);
    this.actions = new Int32Array(this.numEnvs);
    this.states = new Int32Array(this.numEnvs);
    if (c.useActionMasks) this.envMasks = new EnvActionMasks(this.numEnvs, this.nActions, name);
  }

  /**
   * V(s') in the target r + gamma V(s'): max_a' Q(s',a') for Q-learning, Q(s',a') with a' drawn from the behaviour
   * policy for SARSA, the behaviour policy's expectation for Expected SARSA. `env` is the sub-env index; `mask`
   * (null: all allowed) at `maskOff` holds the actions allowed in s'.
   */
  protected abstract bootstrap(nextState: number, env: number, mask: Uint8Array | null, maskOff: number): number;

  protected collectRollout(): void {
    const { gamma, learningRate, stepsPerIteration } = this.cfg;
    const n = this.numEnvs;
    const nA = this.nActions;
    this.readMasks();
    for (let t = 0; t < stepsPerIteration && this.numTimesteps < this.totalTimesteps; t++) {
      this.epsilon = this.epsilonSchedule(this.progressRemaining);
      const alpha = scheduleValue(learningRate, this.progressRemaining);
      const obs = this.lastObs as Float32Array;
      const masks = this.envMasks?.current ?? null;
      for (let e = 0; e < n; e++) {
        const s = this.state(obs[e]);
        this.states[e] = s;
        const a =
          this.pendingActions[e] >= 0
            ? this.pendingActions[e]
            : this.behaviourAction(s, this.epsilon, this.rng, masks, e * nA);
        this.pendingActions[e] = -1;
        this.actions[e] = a + this.actStart;
      }
      // a non-finite reward or observation stops here (envStep), before the table sees it
      const r = this.envStep(this.actions);
      this.readMasks();
      const nextMasks = this.envMasks?.current ?? null;
      for (let e = 0; e < n; e++) {
        const reward = r.rewards[e];
        const done = r.terminated[e] === 1 || r.truncated[e] === 1;
        const next = this.state(done ? r.finalObservations[e] : r.observations[e]);
        // TD target: terminal states have value 0; truncated ones bootstrap from the state the time limit cut off
        // (whose mask the env no longer reports: the bootstrap ranges over every action there)
        const target = r.terminated[e]
          ? reward
          : reward + gamma * this.bootstrap(next, e, done ? null : nextMasks, e * nA);
        const i = this.states[e] * nA + (this.actions[e] - this.actStart);
        const updated = this.q[i] + alpha * (target - this.q[i]);
        if (!Number.isFinite(updated)) {
          throw new NonFiniteError(
            `${this.algoName}: env ${e} at step ${this.numTimesteps}: the update of Q(${this.states[e]}, ${this.actions[e] - this.actStart}) is ${updated} (reward ${reward}, target ${target}); the table was not updated`,
          );
        }
        this.q[i] = updated;
        if (done) this.pendingActions[e] = -1; // SARSA's a' belonged to the finished episode
      }
      if (this.stopRequested) return;
    }
    this.logger.record("rollout/exploration_rate", this.epsilon);
  }

  /** Online TD control has already learned from every step in `collectRollout`. */
  protected train(): void {}

  /**
   * Epsilon-greedy among the allowed actions (`mask` at `maskOff`; null: all): a uniform one with probability
   * epsilon, else a greedy one (ties broken at random).
   */
  protected behaviourAction(s: number, epsilon: number, rng: Rng, mask: Uint8Array | null, maskOff: number): number {
    if (rng.uniform() < epsilon) return randomAllowed(rng, this.nActions, mask, maskOff);
    const nA = this.nActions;
    const base = s * nA;
    let best = Number.NEGATIVE_INFINITY;
    let ties = 0;
    let choice = 0;
    for (let a = 0; a < nA; a++) {
      if (mask !== null && mask[maskOff + a] === 0) continue;
      const v = this.q[base + a];
      if (v > best) {
        best = v;
        ties = 1;
        choice = a;
      } else if (v === best && rng.int(++ties) === 0) {
        choice = a; // reservoir sampling among the maxima
      }
    }
    return choice;
  }

  /** max over the allowed actions a of Q(s, a). */
  protected maxQ(s: number, mask: Uint8Array | null, maskOff: number): number {
    const nA = this.nActions;
    return this.q[s * nA + maskedArgmax(this.q, s * nA, nA, mask, maskOff)];
  }

  private state(observation: number): number {
    const s = observation - this.obsStart;
    if (!Number.isInteger(s) || s < 0 || s >= this.nStates) {
      throw new InvalidArgumentError(
        `${this.algoName}: observation ${describe(observation)} is outside the observation space ${this.observationSpace}`,
      );
    }
    return s;
  }

  protected policyActions(
    observations: Float32Array,
    count: number,
    deterministic: boolean,
    rng: Rng,
    masks: Uint8Array | null,
  ): Int32Array {
    const out = new Int32Array(count);
    const nA = this.nActions;
    for (let i = 0; i < count; i++) {
      const s = this.state(observations[i]);
      // greedy: ties to the lowest index (deterministic)
      const a = deterministic
        ? maskedArgmax(this.q, s * nA, nA, masks, i * nA)
        : this.behaviourAction(s, this.epsilon, rng, masks, i * nA);
      out[i] = a + this.actStart;
    }
    return out;
  }

  /** The table (float64) plus epsilon and SARSA's pending actions. */
  protected getAlgorithmState(): AlgorithmState {
    return {
      tensors: { q_table: { dtype: "F64", shape: [this.nStates, this.nActions], data: this.q.slice() } },
      json: {
        epsilon: this.epsilon,
        pendingActions: Array.from(this.pendingActions),
        actionMasks: this.envMasks?.toJSON() ?? null,
      },
    };
  }

  protected setAlgorithmState(state: AlgorithmState): void {
    const { epsilon, pendingActions } = state.json as { epsilon: unknown; pendingActions: unknown };
    if (typeof epsilon !== "number" || !(epsilon >= 0 && epsilon <= 1)) {
      throw new InvalidArgumentError(`${this.algoName} state epsilon must be in [0, 1], got ${describe(epsilon)}`);
    }
    if (
      !Array.isArray(pendingActions) ||
      pendingActions.length !== this.numEnvs ||
      !pendingActions.every((a) => Number.isInteger(a) && a >= -1 && a < this.nActions)
    ) {
      throw new InvalidArgumentError(
        `${this.algoName} state pendingActions must list ${this.numEnvs} actions in [-1, ${this.nActions}), got ${describe(pendingActions)}`,
      );
    }
    this.q.set(state.tensors.q_table.data as Float64Array);
    this.epsilon = epsilon;
    this.pendingActions.set(pendingActions);
    this.envMasks?.restore(state.json.actionMasks);
  }
}

function checkTabularConfig(name: string, c: Resolved): void {
  const check = configChecks(name, c);
  for (const key of ["gamma", "explorationInitialEps", "explorationFinalEps"] as const) check.range(key, 0, 1);
  check.range("explorationFraction", 0, 1, "(]");
  checkScheduled(check.name("learningRate"), c.learningRate, 0, 1);
  if (scheduleValue(c.learningRate, 1) <= 0) check.fail("learningRate", "a schedule that starts above 0");
  check.range("initialQ", -Infinity, Infinity, "()");
  check.bool("useActionMasks");
  check.int("stepsPerIteration", 1);
}
