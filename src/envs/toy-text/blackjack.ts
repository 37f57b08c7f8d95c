import { describe, EnvError } from "../../errors.js";
import { Discrete } from "../../spaces/discrete.js";
import type { Space } from "../../spaces/space.js";
import { Tuple } from "../../spaces/tuple.js";
import { checkOptionKeys, Env, envName, type ResetOptions, type ResetResult, type StepResult } from "../env.js";
import type { EnvSnapshot, Snapshotting } from "../snapshot.js";
import { checkBool, checkEnvOptions, type ToyTextOptions } from "./tabular-env.js";

/** [player's sum 4..31, dealer's showing card 1..10, usable ace 0/1] (Gymnasium's observation tuple). */
export type BlackjackObservation = [playerSum: number, dealerCard: number, usableAce: number];

export interface BlackjackOptions extends ToyTextOptions {
  /** Pay 1.5 for a winning natural (ace + ten) when `sab` is false. Default false. */
  natural?: boolean;
  /** Sutton and Barto's rules: a natural wins (+1) unless the dealer also has one, and `natural` is ignored. Default false (Blackjack-v1 registers true). */
  sab?: boolean;
}

/** An infinite deck: 1 (ace) to 9, and four ten-valued ranks (10, J, Q, K). */
const DECK = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10];

const total = (hand: readonly number[]): number => hand.reduce((a, b) => a + b, 0);
/** An ace counts 11 when that does not bust the hand. */
const usableAce = (hand: readonly number[]): boolean => hand.includes(1) && total(hand) + 10 <= 21;
const sumHand = (hand: readonly number[]): number => (usableAce(hand) ? total(hand) + 10 : total(hand));
const isBust = (hand: readonly number[]): boolean => sumHand(hand) > 21;
const score = (hand: readonly number[]): number => (isBust(hand) ? 0 : sumHand(hand));
const isNatural = (hand: readonly number[]): boolean =>
  hand.length === 2 && ((hand[0] === 1 && hand[1] === 10) || (hand[0] === 10 && hand[1] === 1));

/**
 * Blackjack-v1 (Gymnasium; Sutton and Barto, Example 5.1): beat the dealer without going over 21, drawing from an
 * infinite deck. Actions 0 stick, 1 hit. Hitting past 21 loses (-1, terminated); sticking lets the dealer draw to 17
 * and scores +1 / 0 / -1 (1.5 for a natural with `natural`; under `sab` a natural beats any non-natural dealer hand).
 * The observation array is owned by the env and overwritten by the next reset/step.
 * Gymnasium renders Blackjack only with pygame; the `ansi` frame here is tsrl's own one-line summary.
 */
export class BlackjackEnv extends Env<BlackjackObservation, number> implements Snapshotting {
  readonly observationSpace: Space<BlackjackObservation>;
  readonly actionSpace = new Discrete(2);
  readonly natural: boolean;
  readonly sab: boolean;
  /** The hands (Gymnasium's `env.unwrapped.player` / `dealer`). */
  player: number[] = [];
  dealer: number[] = [];
  private episode: "none" | "running" | "terminated" = "none";
  private readonly obs: BlackjackObservation = [0, 0, 0];
  private readonly result: StepResult<BlackjackObservation> = {
    observation: this.obs,
    reward: 0,
    terminated: false,
    truncated: false,
    info: {},
  };

  constructor(opts: BlackjackOptions = {}) {
    super();
    checkEnvOptions("BlackjackEnv", opts, ["natural", "sab"], ["ansi"]);
    this.natural = checkBool("BlackjackEnv", "natural", opts.natural ?? false);
    this.sab = checkBool("BlackjackEnv", "sab", opts.sab ?? false);
    this.observationSpace = new Tuple([
      new Discrete(32),
      new Discrete(11),
      new Discrete(2),
    ]) as unknown as Space<BlackjackObservation>;
    this.metadata = { renderModes: ["ansi"], renderFps: 4 };
    this.renderMode = opts.renderMode ?? undefined;
  }

  override reset(opts?: ResetOptions): ResetResult<BlackjackObservation> {
    this.seedReset(opts?.seed);
    checkOptionKeys(`${envName(this)}.reset`, opts?.options, []);
    this.dealer = [this.drawCard(), this.drawCard()];
    this.player = [this.drawCard(), this.drawCard()];
    this.episode = "running";
    return { observation: this.observe(), info: {} };
  }

  override step(action: number): StepResult<BlackjackObservation> {
    if (this.episode !== "running") {
      throw new EnvError(
        this.episode === "none"
          ? `${envName(this)}.step was called before reset(); call reset() first`
          : `${envName(this)}.step was called after the episode terminated; call reset() before stepping again`,
      );
    }
    if (action !== 0 && action !== 1) {
      throw new EnvError(
        `${envName(this)}.step: action must be 0 (stick) or 1 (hit) (action space Discrete(2)), got ${describe(action)}`,
      );
    }
    let reward: number;
    let terminated: boolean;
    if (action === 1) {
      this.player.push(this.drawCard());
      terminated = isBust(this.player);
      reward = terminated ? -1 : 0;
    } else {
      terminated = true;
      while (sumHand(this.dealer) < 17) this.dealer.push(this.drawCard());
      reward = Math.sign(score(this.player) - score(this.dealer));
      if (this.sab && isNatural(this.player) && !isNatural(this.dealer)) reward = 1;
      else if (!this.sab && this.natural && isNatural(this.player) && reward === 1) reward = 1.5;
    }
    if (terminated) this.episode = "terminated";
    const r = this.result;
    r.observation = this.observe();
    r.reward = reward;
    r.terminated = terminated;
    return r;
  }

  override render(): string | null {
    if (this.renderMode !== "ansi") return null;
    const [sum, card, ace] = this.obs;
    return `Player: ${this.player.join(" ")} (sum ${sum}${ace ? ", usable ace" : ""})  Dealer shows: ${card === 1 ? "A" : card}\n`;
  }

  /** The complete state (hands, episode flag, generators), for exact resume. */
  snapshot(): EnvSnapshot {
    return this.baseSnapshot(
      "Blackjack",
      { natural: this.natural, sab: this.sab, episode: this.episode },
      { player: Int32Array.from(this.player), dealer: Int32Array.from(this.dealer) },
    );
  }

  restore(s: EnvSnapshot): void {
    this.prepareRestore(s)();
  }

  /** Check a snapshot completely (same rules, cards 1..10); the returned function applies it. */
  prepareRestore(s: EnvSnapshot): () => void {
    const { reader, applyBase } = this.readBaseSnapshot("Blackjack", s);
    reader.expect("natural", this.natural);
    reader.expect("sab", this.sab);
    const episode = reader.oneOf("episode", ["none", "running", "terminated"] as const);
    const hands = (["player", "dealer"] as const).map((name) => {
      const h = reader.array(name, Int32Array);
      if (!h.every((c) => c >= 1 && c <= 10) || (episode !== "none" && h.length < 2)) {
        throw reader.error(`${name} must hold at least 2 cards in 1..10 once dealt, got [${h.join(", ")}]`);
      }
      return Array.from(h);
    });
    return () => {
      applyBase();
      this.player = hands[0];
      this.dealer = hands[1];
      this.episode = episode;
      if (episode !== "none") this.observe();
    };
  }

  private drawCard(): number {
    return DECK[this.rng.int(DECK.length)];
  }

  private observe(): BlackjackObservation {
    this.obs[0] = sumHand(this.player);
    this.obs[1] = this.dealer[0];
    this.obs[2] = usableAce(this.player) ? 1 : 0;
    return this.obs;
  }
}
