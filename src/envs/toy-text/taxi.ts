import type { SnapshotReader } from "../snapshot.js";
import {
  checkBool,
  checkEnvOptions,
  checkProbability,
  TabularEnv,
  type ToyTextOptions,
  type Transition,
} from "./tabular-env.js";
import { colorize } from "./utils.js";

/** The map (Dietterich 2000): `|` is a wall between two columns, `:` an opening. */
const MAP: readonly string[] = [
  "+---------+",
  "|R: | : :G|",
  "| : | : : |",
  "| : : : : |",
  "| | : | : |",
  "|Y| : |B: |",
  "+---------+",
];
/** Passenger locations / destinations 0 Red, 1 Green, 2 Yellow, 3 Blue as (row, col); 4 means in the taxi. */
const LOCS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 4],
  [4, 0],
  [4, 3],
];
const IN_TAXI = 4;
const SOUTH = 0;
const NORTH = 1;
const EAST = 2;
const WEST = 3;
const PICKUP = 4;
/** The taxi's left and right of each move direction (facing south, left is east). */
const LEFT_OF = [EAST, WEST, NORTH, SOUTH];
const RIGHT_OF = [WEST, EAST, SOUTH, NORTH];

export interface TaxiOptions extends ToyTextOptions {
  /** A move goes as intended with `rainyProbability`, else veers left or right of it (half the rest each). Default false. */
  isRainy?: boolean;
  /** With `fickleProbability` per episode, the passenger changes destination on the taxi's first move with them aboard. Default false. */
  ficklePassenger?: boolean;
  /** Default 0.8. */
  rainyProbability?: number;
  /** Default 0.3. */
  fickleProbability?: number;
}

const OPTION_KEYS = ["isRainy", "ficklePassenger", "rainyProbability", "fickleProbability"] as const;

/** Gymnasium's state code `((row * 5 + col) * 5 + passenger) * 4 + destination`. */
export function taxiEncode(row: number, col: number, passenger: number, destination: number): number {
  return ((row * 5 + col) * 5 + passenger) * 4 + destination;
}

/** Inverse of {@link taxiEncode}: [row, col, passenger, destination]. */
export function taxiDecode(state: number): [number, number, number, number] {
  const destination = state % 4;
  state = Math.floor(state / 4);
  const passenger = state % 5;
  state = Math.floor(state / 5);
  return [Math.floor(state / 5), state % 5, passenger, destination];
}

/** Where a move from (row, col) ends: a wall or the map edge leaves the taxi in place. */
function moveTo(row: number, col: number, dir: number): [number, number] {
  if (dir === SOUTH) return MAP[row + 2][2 * col + 1] === "-" ? [row, col] : [row + 1, col];
  if (dir === NORTH) return MAP[row][2 * col + 1] === "-" ? [row, col] : [row - 1, col];
  if (dir === EAST) return MAP[row + 1][2 * col + 2] === "|" ? [row, col] : [row, col + 1];
  return MAP[row + 1][2 * col] === "|" ? [row, col] : [row, col - 1];
}

const locIndex = (row: number, col: number): number => LOCS.findIndex(([r, c]) => r === row && c === col);

/**
 * Taxi-v4 (Gymnasium; Dietterich 2000): a 5x5 grid with walls, four stands R, G, Y, B. Pick the passenger up at
 * their stand and drop them at their destination. Actions 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 dropoff.
 * Rewards: -1 per step, +20 for delivering (terminates), -10 for an illegal pickup or dropoff. Dropping the passenger
 * at another stand leaves them there (reward -1). 500 states; the start is uniform over the 300 with the passenger
 * at a stand other than their destination. `info.action_mask` (Gymnasium's key, a reused
 * Int8Array) marks the actions that change the state.
 *
 * Rainy (v4 rules): a move that would change the taxi's cell succeeds with `rainyProbability` and otherwise veers to
 * the taxi's left or right (each half the rest, staying put if blocked); a blocked move stays put in all three
 * outcomes. Fickle: with `fickleProbability` per episode, the first move that changes the taxi's cell while the
 * passenger is aboard redraws their destination uniformly among the other three stands.
 */
export class TaxiEnv extends TabularEnv {
  readonly isRainy: boolean;
  readonly ficklePassenger: boolean;
  readonly fickleProbability: number;
  /** Whether this episode's passenger will still change destination. */
  fickleStep: boolean;
  private readonly masks: Int8Array;
  private readonly actionMask: Int8Array;

  constructor(opts: TaxiOptions = {}) {
    checkEnvOptions("TaxiEnv", opts, OPTION_KEYS, ["ansi"]);
    const isRainy = checkBool("TaxiEnv", "isRainy", opts.isRainy ?? false);
    const ficklePassenger = checkBool("TaxiEnv", "ficklePassenger", opts.ficklePassenger ?? false);
    const rainyProbability = checkProbability("TaxiEnv", "rainyProbability", opts.rainyProbability ?? 0.8);
    const fickleProbability = checkProbability("TaxiEnv", "fickleProbability", opts.fickleProbability ?? 0.3);
    const veer = (1 - rainyProbability) / 2;

    const P: Transition[][][] = [];
    const isd = new Float64Array(500);
    const masks = new Int8Array(500 * 6);
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 5; col++) {
        const stand = locIndex(row, col);
        for (let pass = 0; pass < 5; pass++) {
          for (let dest = 0; dest < 4; dest++) {
            const s = taxiEncode(row, col, pass, dest);
            if (pass < 4 && pass !== dest) isd[s] = 1;
            P[s] = [];
            for (let a = 0; a < 6; a++) {
              let nextPass = pass;
              let reward = -1;
              let terminated = false;
              if (a <= WEST) {
                const [r, c] = moveTo(row, col, a);
                const moved = r !== row || c !== col;
                masks[s * 6 + a] = moved ? 1 : 0;
                const next = taxiEncode(r, c, pass, dest);
                if (!isRainy) {
                  P[s][a] = [[1, next, -1, false]];
                } else {
                  const [lr, lc] = moved ? moveTo(row, col, LEFT_OF[a]) : [row, col];
                  const [rr, rc] = moved ? moveTo(row, col, RIGHT_OF[a]) : [row, col];
                  P[s][a] = [
                    [rainyProbability, next, -1, false],
                    [veer, taxiEncode(lr, lc, pass, dest), -1, false],
                    [veer, taxiEncode(rr, rc, pass, dest), -1, false],
                  ];
                }
                continue;
              }
              if (a === PICKUP) {
                if (pass < 4 && stand === pass) nextPass = IN_TAXI;
                else reward = -10;
                masks[s * 6 + a] = pass < 4 && stand === pass ? 1 : 0;
              } else {
                // a === 5, dropoff
                if (pass === IN_TAXI && stand === dest) {
                  nextPass = dest;
                  reward = 20;
                  terminated = true;
                } else if (pass === IN_TAXI && stand >= 0) {
                  nextPass = stand;
                } else {
                  reward = -10;
                }
                masks[s * 6 + a] = pass === IN_TAXI && stand >= 0 ? 1 : 0;
              }
              P[s][a] = [[1, taxiEncode(row, col, nextPass, dest), reward, terminated]];
            }
          }
        }
      }
    }
    for (let s = 0; s < 500; s++) isd[s] /= 300;

    super(P, isd);
    this.isRainy = isRainy;
    this.ficklePassenger = ficklePassenger;
    this.fickleProbability = fickleProbability;
    this.fickleStep = false;
    this.masks = masks;
    this.actionMask = new Int8Array(6);
    this.info.action_mask = this.actionMask;
    this.metadata = { renderModes: ["ansi"], renderFps: 4 };
    this.renderMode = opts.renderMode ?? undefined;
  }

  /** Gymnasium's `env.unwrapped.encode(row, col, passenger, destination)`. */
  encode(row: number, col: number, passenger: number, destination: number): number {
    return taxiEncode(row, col, passenger, destination);
  }

  /** Gymnasium's `env.unwrapped.decode(state)`: [row, col, passenger, destination]. */
  decode(state: number): [number, number, number, number] {
    return taxiDecode(state);
  }

  /** The actions that change the state in `state` (1) or not (0): 6 entries. Written into `out` when given. */
  actionMaskOf(state: number, out: Int8Array = new Int8Array(6)): Int8Array {
    for (let a = 0; a < 6; a++) out[a] = this.masks[state * 6 + a];
    return out;
  }

  override reset(opts?: Parameters<TabularEnv["reset"]>[0]) {
    const r = super.reset(opts);
    this.actionMaskOf(this.s, this.actionMask);
    return r;
  }

  override step(action: number) {
    const r = super.step(action);
    this.actionMaskOf(this.s, this.actionMask);
    return r;
  }

  protected override snapshotExtra(): Record<string, unknown> {
    return {
      ficklePassenger: this.ficklePassenger,
      fickleProbability: this.fickleProbability,
      fickleStep: this.fickleStep,
    };
  }

  protected override prepareExtra(reader: SnapshotReader): () => void {
    reader.expect("ficklePassenger", this.ficklePassenger);
    reader.expect("fickleProbability", this.fickleProbability);
    const fickleStep = reader.bool("fickleStep");
    return () => {
      this.fickleStep = fickleStep;
      this.actionMaskOf(this.s, this.actionMask);
    };
  }

  protected override onReset(): void {
    this.fickleStep = this.ficklePassenger && this.rng.uniform() < this.fickleProbability;
  }

  protected override afterTransition(previous: number, next: number): number {
    if (!this.fickleStep) return next;
    const [prevRow, prevCol, prevPass, prevDest] = taxiDecode(previous);
    const [row, col, pass] = taxiDecode(next);
    if (prevPass !== IN_TAXI || (row === prevRow && col === prevCol)) return next;
    this.fickleStep = false;
    const k = this.rng.int(3); // uniform among the three other stands
    return taxiEncode(row, col, pass, k < prevDest ? k : k + 1);
  }

  /** Gymnasium's text frame: taxi yellow (green with the passenger aboard), passenger blue, destination magenta, then the last action. */
  protected renderText(): string {
    const out = MAP.map((line) => [...line]);
    const [row, col, pass, dest] = taxiDecode(this.s);
    if (pass < 4) {
      out[1 + row][2 * col + 1] = colorize(out[1 + row][2 * col + 1], "yellow", { highlight: true });
      const [pi, pj] = LOCS[pass];
      out[1 + pi][2 * pj + 1] = colorize(out[1 + pi][2 * pj + 1], "blue", { bold: true });
    } else {
      const cell = out[1 + row][2 * col + 1];
      out[1 + row][2 * col + 1] = colorize(cell === " " ? "_" : cell, "green", { highlight: true });
    }
    const [di, dj] = LOCS[dest];
    out[1 + di][2 * dj + 1] = colorize(out[1 + di][2 * dj + 1], "magenta");
    const names = ["South", "North", "East", "West", "Pickup", "Dropoff"];
    const tail = this.lastAction === null ? "\n" : `  (${names[this.lastAction]})\n`;
    return `${out.map((line) => line.join("")).join("\n")}\n${tail}`;
  }
}
