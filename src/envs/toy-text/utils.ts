import type { Rng } from "../../core/rng.js";

/**
 * Gymnasium's `categorical_sample`: the first index whose cumulative probability exceeds one uniform draw,
 * `argmax(cumsum(p) > u)` (0 if none does, as numpy's argmax of an all-false array).
 */
export function categoricalSample(probs: ArrayLike<number>, rng: Rng): number {
  const u = rng.uniform();
  let c = 0;
  for (let i = 0; i < probs.length; i++) {
    c += probs[i];
    if (c > u) return i;
  }
  return 0;
}

const COLOR_CODES = { gray: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37 } as const;

/** Gymnasium's `utils.colorize`: wrap text in an ANSI colour escape (highlight = background colour). */
export function colorize(
  text: string,
  color: keyof typeof COLOR_CODES,
  opts: { bold?: boolean; highlight?: boolean } = {},
): string {
  const attrs = [String(COLOR_CODES[color] + (opts.highlight ? 10 : 0))];
  if (opts.bold) attrs.push("1");
  return `\x1b[${attrs.join(";")}m${text}\x1b[0m`;
}
