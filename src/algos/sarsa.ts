import {
  type Action,
  type ActionOf,
  type EnvIdOptions,
  type EnvInput,
  type ObservationOf,
  registerAlgorithm,
  type StaticSide,
} from "./common/algorithm.js";
import { TabularAgent, type TabularConfig } from "./common/tabular.js";

/**
 * Tabular SARSA (Rummery and Niranjan 1994), on-policy TD control: the bootstrap uses the action a' the
 * epsilon-greedy behaviour policy actually takes next.
 *
 *   a' ~ pi_eps(.|s');  Q(s,a) <- Q(s,a) + alpha * (r + gamma * Q(s',a') - Q(s,a))
 */
export class SarsaModel<O = unknown, A extends Action = Action> extends TabularAgent<O, A> {
  static override readonly algorithmName: string = "SARSA";

  protected bootstrap(nextState: number, env: number, mask: Uint8Array | null, maskOff: number): number {
    const a = this.behaviourAction(nextState, this.epsilon, this.rng, mask, maskOff);
    this.pendingActions[env] = a; // executed at the next step (dropped by the loop if the episode ended)
    return this.q[nextState * this.nActions + a];
  }
}

/**
 * Expected SARSA (van Seijen et al. 2009): SARSA's target with the sampled a' replaced by its expectation under the
 * epsilon-greedy policy, which removes the variance of the draw.
 *
 *   Q(s,a) <- Q(s,a) + alpha * (r + gamma * sum_a' pi_eps(a'|s') Q(s',a') - Q(s,a))
 *   pi_eps(a'|s') = eps / |A| + (1 - eps) / |argmax| for a' in argmax Q(s',.), eps / |A| otherwise
 *   (A: the actions allowed in s')
 */
export class ExpectedSarsaModel<O = unknown, A extends Action = Action> extends TabularAgent<O, A> {
  static override readonly algorithmName: string = "ExpectedSARSA";

  protected bootstrap(nextState: number, _env: number, mask: Uint8Array | null, maskOff: number): number {
    const nA = this.nActions;
    const base = nextState * nA;
    const max = this.maxQ(nextState, mask, maskOff);
    let sum = 0;
    let maxSum = 0;
    let ties = 0;
    let allowed = 0;
    for (let a = 0; a < nA; a++) {
      if (mask !== null && mask[maskOff + a] === 0) continue;
      allowed++;
      const v = this.q[base + a];
      sum += v;
      if (v === max) {
        maxSum += v;
        ties++;
      }
    }
    // ties share the greedy mass, matching the behaviour policy's random tie-breaking
    return (this.epsilon / allowed) * sum + ((1 - this.epsilon) * maxSum) / ties;
  }
}

/** A Sarsa agent over an env with observations `O` and actions `A`. */
export type Sarsa<O = unknown, A extends Action = Action> = SarsaModel<O, A>;
/** Sarsa on an env, a vector env or an env id; a registered id types the agent by its env (see ObservationOf). */
export const Sarsa = SarsaModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: TabularConfig & EnvIdOptions,
  ): Sarsa<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof SarsaModel>;

registerAlgorithm(Sarsa);
/** A ExpectedSarsa agent over an env with observations `O` and actions `A`. */
export type ExpectedSarsa<O = unknown, A extends Action = Action> = ExpectedSarsaModel<O, A>;
/** ExpectedSarsa on an env, a vector env or an env id; a registered id types the agent by its env (see ObservationOf). */
export const ExpectedSarsa = ExpectedSarsaModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: TabularConfig & EnvIdOptions,
  ): ExpectedSarsa<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof ExpectedSarsaModel>;

registerAlgorithm(ExpectedSarsa);
