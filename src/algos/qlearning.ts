import { type Action, registerAlgorithm } from "./common/algorithm.js";
import { TabularAgent } from "./common/tabular.js";

/**
 * Tabular Q-learning (Watkins 1989), off-policy TD control: act epsilon-greedily, learn the greedy policy's values.
 *
 *   Q(s,a) <- Q(s,a) + alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))      (no bootstrap when s' is terminal;
 *                                                                           a' over the actions allowed in s')
 *
 * The run loop, schedules and table live in {@link TabularAgent}.
 */
export class QLearning<O = unknown, A extends Action = Action> extends TabularAgent<O, A> {
  static override readonly algorithmName: string = "QLearning";

  protected bootstrap(nextState: number, _env: number, mask: Uint8Array | null, maskOff: number): number {
    return this.maxQ(nextState, mask, maskOff);
  }
}

registerAlgorithm(QLearning);
