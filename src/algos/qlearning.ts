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
 * Tabular Q-learning (Watkins 1989), off-policy TD control: act epsilon-greedily, learn the greedy policy's values.
 *
 *   Q(s,a) <- Q(s,a) + alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))      (no bootstrap when s' is terminal;
 *                                                                           a' over the actions allowed in s')
 *
 * The run loop, schedules and table live in {@link TabularAgent}.
 */
export class QLearningModel<O = unknown, A extends Action = Action> extends TabularAgent<O, A> {
  static override readonly algorithmName: string = "QLearning";

  protected bootstrap(nextState: number, _env: number, mask: Uint8Array | null, maskOff: number): number {
    return this.maxQ(nextState, mask, maskOff);
  }
}

/** A QLearning model over an env with observations `O` and actions `A`. */
export type QLearning<O = unknown, A extends Action = Action> = QLearningModel<O, A>;
/** QLearning on an env, a vector env or an env id; a registered id types the model by its env (see ObservationOf). */
export const QLearning = QLearningModel as unknown as {
  new <E extends EnvInput = EnvInput>(
    env: E,
    config?: TabularConfig & EnvIdOptions,
  ): QLearning<ObservationOf<E>, ActionOf<E>>;
} & StaticSide<typeof QLearningModel>;

registerAlgorithm(QLearning);
