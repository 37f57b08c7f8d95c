import { checkBool, checkEnvOptions, TabularEnv, type ToyTextOptions, type Transition } from "./tabular-env.js";

const ROWS = 4;
const COLS = 12;
const START = 3 * COLS; // (3, 0)
const GOAL = ROWS * COLS - 1; // (3, 11)
/** Row and column change of actions 0 up, 1 right, 2 down, 3 left. */
const DELTAS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

export interface CliffWalkingOptions extends ToyTextOptions {
  /** Move perpendicular to the intended direction with probability 1/3 each. Default false. */
  isSlippery?: boolean;
}

const isCliff = (row: number, col: number): boolean => row === ROWS - 1 && col >= 1 && col <= COLS - 2;

/**
 * CliffWalking-v1 (Gymnasium; Sutton and Barto, Example 6.6): a 4x12 grid, start at (3, 0), goal at (3, 11), a cliff
 * along (3, 1..10). Actions 0 up, 1 right, 2 down, 3 left; the observation is `row * 12 + col`. Every step costs -1;
 * stepping into the cliff costs -100 and sends the agent back to the start without ending the episode; entering
 * the goal terminates. Slippery (CliffWalkingSlippery-v1): the moves (a - 1) mod 4, a, (a + 1) mod 4 each with 1/3.
 */
export class CliffWalkingEnv extends TabularEnv {
  readonly isSlippery: boolean;

  constructor(opts: CliffWalkingOptions = {}) {
    checkEnvOptions("CliffWalkingEnv", opts, ["isSlippery"], ["ansi"]);
    const isSlippery = checkBool("CliffWalkingEnv", "isSlippery", opts.isSlippery ?? false);
    const P: Transition[][][] = [];
    for (let s = 0; s < ROWS * COLS; s++) {
      const row = Math.floor(s / COLS);
      const col = s % COLS;
      P[s] = [];
      for (let a = 0; a < 4; a++) {
        const moves = isSlippery ? [(a + 3) % 4, a, (a + 1) % 4] : [a];
        P[s][a] = moves.map((m) => {
          const r = Math.min(Math.max(row + DELTAS[m][0], 0), ROWS - 1);
          const c = Math.min(Math.max(col + DELTAS[m][1], 0), COLS - 1);
          const prob = 1 / moves.length;
          if (isCliff(r, c)) return [prob, START, -100, false] as Transition;
          const next = r * COLS + c;
          return [prob, next, -1, next === GOAL] as Transition;
        });
      }
    }
    const isd = new Float64Array(ROWS * COLS);
    isd[START] = 1;
    super(P, isd);
    this.isSlippery = isSlippery;
    this.metadata = { renderModes: ["ansi"], renderFps: 4 };
    this.renderMode = opts.renderMode ?? undefined;
  }

  /** Gymnasium's text frame: x for the agent, T for the goal, C for the cliff, o elsewhere, then a blank line. */
  protected renderText(): string {
    let out = "";
    for (let s = 0; s < ROWS * COLS; s++) {
      const row = Math.floor(s / COLS);
      const col = s % COLS;
      let cell = s === this.s ? " x " : s === GOAL ? " T " : isCliff(row, col) ? " C " : " o ";
      if (col === 0) cell = cell.trimStart();
      if (col === COLS - 1) cell = `${cell.trimEnd()}\n`;
      out += cell;
    }
    return `${out}\n`;
  }
}
