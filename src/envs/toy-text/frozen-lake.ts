import { Rng } from "../../core/rng.js";
import { describe, InvalidArgumentError } from "../../errors.js";
import { entropySeed, isValidSeed } from "../../spaces/seeding.js";
import {
  checkBool,
  checkEnvOptions,
  checkProbability,
  TabularEnv,
  type ToyTextOptions,
  type Transition,
} from "./tabular-env.js";
import { colorize } from "./utils.js";

const LEFT = 0;
const DOWN = 1;
const RIGHT = 2;
const UP = 3;

/** Gymnasium's preset lakes. S: start, F: frozen, H: hole, G: goal. */
export const FROZEN_LAKE_MAPS: Readonly<Record<"4x4" | "8x8", readonly string[]>> = Object.freeze({
  "4x4": Object.freeze(["SFFF", "FHFH", "FFFH", "HFFG"]),
  "8x8": Object.freeze([
    "SFFFFFFF",
    "FFFFFFFF",
    "FFFHFFFF",
    "FFFFFHFF",
    "FFFHFFFF",
    "FHHFFFHF",
    "FHFFHFHF",
    "FFFHFFFG",
  ]),
});

export interface FrozenLakeOptions extends ToyTextOptions {
  /** A custom map (rows of S/F/H/G); overrides `mapName`. */
  desc?: readonly string[] | null;
  /** A preset map; with both `desc` and `mapName` null a random 8x8 map is generated. Default "4x4". */
  mapName?: "4x4" | "8x8" | null;
  /** Slide perpendicular to the intended direction sometimes. Default true. */
  isSlippery?: boolean;
  /** On slippery ice, probability of moving as intended; each perpendicular move gets half the rest. Default 1/3. */
  successRate?: number;
  /** Rewards for entering [goal, hole, frozen or start]. Default [1, 0, 0]. */
  rewardSchedule?: readonly [number, number, number];
}

const OPTION_KEYS = ["desc", "mapName", "isSlippery", "successRate", "rewardSchedule"] as const;

/**
 * FrozenLake-v1 (Gymnasium): walk from S to G over a frozen lake without falling into a hole.
 * Actions 0 left, 1 down, 2 right, 3 up; the observation is `row * ncol + col`. Entering G or H terminates.
 * On slippery ice the intended move happens with `successRate` and each perpendicular move with
 * `(1 - successRate) / 2`, in the order (a - 1) mod 4, a, (a + 1) mod 4, as Gymnasium lists them in `P`.
 */
export class FrozenLakeEnv extends TabularEnv {
  readonly desc: readonly string[];
  readonly nrow: number;
  readonly ncol: number;

  constructor(opts: FrozenLakeOptions = {}) {
    checkEnvOptions("FrozenLakeEnv", opts, OPTION_KEYS, ["ansi"]);
    const desc = resolveDesc(opts);
    const isSlippery = checkBool("FrozenLakeEnv", "isSlippery", opts.isSlippery ?? true);
    const successRate = checkProbability("FrozenLakeEnv", "successRate", opts.successRate ?? 1 / 3);
    const schedule = checkRewardSchedule(opts.rewardSchedule ?? [1, 0, 0]);
    const nrow = desc.length;
    const ncol = desc[0].length;
    const failRate = (1 - successRate) / 2;

    const toS = (row: number, col: number): number => row * ncol + col;
    const move = (row: number, col: number, a: number): Transition => {
      if (a === LEFT) col = Math.max(col - 1, 0);
      else if (a === DOWN) row = Math.min(row + 1, nrow - 1);
      else if (a === RIGHT) col = Math.min(col + 1, ncol - 1);
      else if (a === UP) row = Math.max(row - 1, 0);
      const letter = desc[row][col];
      const reward = letter === "G" ? schedule[0] : letter === "H" ? schedule[1] : schedule[2];
      return [1, toS(row, col), reward, letter === "G" || letter === "H"];
    };
    const P: Transition[][][] = [];
    for (let row = 0; row < nrow; row++) {
      for (let col = 0; col < ncol; col++) {
        const s = toS(row, col);
        P[s] = [];
        for (let a = 0; a < 4; a++) {
          const letter = desc[row][col];
          if (letter === "G" || letter === "H") {
            P[s][a] = [[1, s, 0, true]];
          } else if (isSlippery) {
            P[s][a] = [(a + 3) % 4, a, (a + 1) % 4].map((b) => {
              const [, next, reward, terminated] = move(row, col, b);
              return [b === a ? successRate : failRate, next, reward, terminated] as Transition;
            });
          } else {
            P[s][a] = [move(row, col, a)];
          }
        }
      }
    }
    // the start state is drawn uniformly among the S tiles
    const isd = new Float64Array(nrow * ncol);
    let starts = 0;
    for (let s = 0; s < isd.length; s++) if (desc[Math.floor(s / ncol)][s % ncol] === "S") starts++;
    for (let s = 0; s < isd.length; s++) if (desc[Math.floor(s / ncol)][s % ncol] === "S") isd[s] = 1 / starts;

    super(P, isd);
    this.desc = desc;
    this.nrow = nrow;
    this.ncol = ncol;
    this.metadata = { renderModes: ["ansi"], renderFps: 4 };
    this.renderMode = opts.renderMode ?? undefined;
  }

  /** Gymnasium's text frame: the last action in parentheses (blank line after reset), then the map with the agent's tile highlighted red. */
  protected renderText(): string {
    const row = Math.floor(this.s / this.ncol);
    const col = this.s % this.ncol;
    const lines = this.desc.map((line, r) =>
      r === row ? line.slice(0, col) + colorize(line[col], "red", { highlight: true }) + line.slice(col + 1) : line,
    );
    const head = this.lastAction === null ? "\n" : `  (${["Left", "Down", "Right", "Up"][this.lastAction]})\n`;
    return `${head}${lines.join("\n")}\n`;
  }
}

function resolveDesc(opts: FrozenLakeOptions): readonly string[] {
  const mapName = opts.mapName === undefined ? "4x4" : opts.mapName;
  if (opts.desc === undefined || opts.desc === null) {
    if (mapName === null) return generateRandomMap();
    if (mapName !== "4x4" && mapName !== "8x8") {
      throw new InvalidArgumentError(`FrozenLakeEnv: mapName must be "4x4", "8x8" or null, got ${describe(mapName)}`);
    }
    return FROZEN_LAKE_MAPS[mapName];
  }
  const desc = opts.desc;
  const ok =
    Array.isArray(desc) &&
    desc.length > 0 &&
    desc.every((r) => typeof r === "string" && r.length === desc[0].length && /^[SFHG]+$/.test(r)) &&
    desc.some((r) => r.includes("S"));
  if (!ok) {
    throw new InvalidArgumentError(
      `FrozenLakeEnv: desc must be a non-empty array of equal-length strings of S/F/H/G with at least one S, got ${describe(desc)}`,
    );
  }
  return Object.freeze([...desc]);
}

function checkRewardSchedule(value: unknown): readonly [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new InvalidArgumentError(
      `FrozenLakeEnv: rewardSchedule must be three finite numbers [goal, hole, frozen], got ${describe(value)}`,
    );
  }
  return [value[0], value[1], value[2]];
}

/** True when a path of non-hole tiles leads from the top-left corner to a G (Gymnasium's depth-first `is_valid`). */
function hasPath(board: string[][], size: number): boolean {
  const frontier: [number, number][] = [[0, 0]];
  const discovered = new Set<number>();
  while (frontier.length > 0) {
    const [r, c] = frontier.pop() as [number, number];
    if (discovered.has(r * size + c)) continue;
    discovered.add(r * size + c);
    for (const [dr, dc] of [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ]) {
      const rn = r + dr;
      const cn = c + dc;
      if (rn < 0 || rn >= size || cn < 0 || cn >= size) continue;
      if (board[rn][cn] === "G") return true;
      if (board[rn][cn] !== "H") frontier.push([rn, cn]);
    }
  }
  return false;
}

/**
 * Gymnasium's `generate_random_map`: a size x size lake, each tile frozen with probability `p` else a hole,
 * S at the top-left and G at the bottom-right, redrawn until a path joins them. The same seed gives the same map
 * (tsrl's generator, so not numpy's maps); without a seed the map comes from system entropy.
 */
export function generateRandomMap(size = 8, p = 0.8, seed?: number): string[] {
  if (!Number.isInteger(size) || size < 2) {
    throw new InvalidArgumentError(`generateRandomMap: size must be an integer >= 2, got ${describe(size)}`);
  }
  if (typeof p !== "number" || !(p > 0)) {
    throw new InvalidArgumentError(
      `generateRandomMap: p must be a number > 0 (values above 1 count as 1), got ${describe(p)}`,
    );
  }
  if (seed !== undefined && !isValidSeed(seed)) {
    throw new InvalidArgumentError(
      `generateRandomMap: seed must be a non-negative safe integer, got ${describe(seed)}`,
    );
  }
  const rng = new Rng(seed ?? entropySeed());
  const frozen = Math.min(1, p);
  for (;;) {
    const board: string[][] = [];
    for (let r = 0; r < size; r++) {
      const row: string[] = [];
      for (let c = 0; c < size; c++) row.push(rng.uniform() < frozen ? "F" : "H");
      board.push(row);
    }
    board[0][0] = "S";
    board[size - 1][size - 1] = "G";
    if (hasPath(board, size)) return board.map((row) => row.join(""));
  }
}
