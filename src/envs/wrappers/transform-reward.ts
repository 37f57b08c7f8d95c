import type { Env } from "../env.js";
import type { WrapperState } from "./wrapper.js";
import { RewardWrapper } from "./wrapper.js";

/** Gymnasium's TransformReward: applies `fn` to every reward (e.g. `(r) => Math.sign(r)` for reward clipping). */
export class TransformReward<O, A> extends RewardWrapper<O, A> {
  private readonly fn: (reward: number) => number;

  constructor(env: Env<O, A>, fn: (reward: number) => number) {
    super(env);
    this.fn = fn;
  }

  reward(reward: number): number {
    return this.fn(reward);
  }
  /** No state of its own (`fn` must be a pure function for a snapshot to be exact). */
  protected override snapshotOwn(): WrapperState {
    return { kind: "TransformReward", json: {} };
  }
}
