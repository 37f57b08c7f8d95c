import type { Rng } from "../../core/rng.js";
import type { Info } from "../../envs/env.js";
import { describe, InvalidArgumentError } from "../../errors.js";

/** What an env may offer for masks: an `actionMasks()` method on the vector env or on each of its sub-envs. */
interface MaskSource {
  actionMasks?: () => ArrayLike<number>;
  envs?: readonly { actionMasks?: () => unknown }[];
}

/**
 * The action masks of the current observations of every sub-env, [numEnvs, dim] 0/1 (1 = allowed; dim = n for
 * Discrete(n), sum(nvec) for MultiDiscrete), as sb3-contrib's MaskablePPO reads them: an `actionMasks()` method of
 * the vector env returning [numEnvs, dim] values, else an `actionMasks()` method of each sub-env (SyncVectorEnv),
 * else `info.action_mask` of the last reset or step. Without any of them `valid` stays false and the algorithm acts
 * unmasked. One implementation for every algorithm that takes masks (on-policy, DQN, tabular).
 */
export class EnvActionMasks {
  readonly values: Uint8Array;
  /** whether `values` holds the env's masks of the current observations (false: the env provides none) */
  valid = false;

  constructor(
    readonly numEnvs: number,
    readonly dim: number,
    private readonly owner: string,
  ) {
    this.values = new Uint8Array(numEnvs * dim);
  }

  /** Read the masks of the current observations (after a reset or step); without any source the values stay. */
  read(vectorEnv: object, infos: readonly Info[]): void {
    const { numEnvs: n, dim: m, owner } = this;
    const env = vectorEnv as MaskSource;
    if (typeof env.actionMasks === "function") {
      const all = env.actionMasks();
      if (all === null || typeof all !== "object" || all.length !== n * m) {
        throw new InvalidArgumentError(
          `${owner}: env.actionMasks() must return ${n} x ${m} values, got ${describe(all)}`,
        );
      }
      for (let i = 0; i < n; i++) this.put(i, Array.prototype.slice.call(all, i * m, (i + 1) * m), "env.actionMasks()");
    } else if (env.envs !== undefined && typeof env.envs[0]?.actionMasks === "function") {
      env.envs.forEach((sub, i) => {
        this.put(i, sub.actionMasks?.(), `env ${i}'s actionMasks()`);
      });
    } else if (infos.length > 0 && infos[0].action_mask !== undefined) {
      infos.forEach((info, i) => {
        this.put(i, info.action_mask, `env ${i}'s info.action_mask`);
      });
    } else return;
    this.valid = true;
  }

  /** Row i of the masks from `row`, checked (a method: a closure made per step would be garbage per step). */
  private put(i: number, row: unknown, where: string): void {
    const m = this.dim;
    checkMaskRows(row, 1, m, `${this.owner}: ${where}`);
    const a = row as ArrayLike<number>;
    for (let j = 0; j < m; j++) this.values[i * m + j] = a[j] ? 1 : 0;
  }

  /** The masks in force (null when the env gave none). */
  get current(): Uint8Array | null {
    return this.valid ? this.values : null;
  }

  /** Checkpoint JSON: a resumed run's first step needs the masks before the env reports more. */
  toJSON(): number[] | null {
    return this.valid ? Array.from(this.values) : null;
  }

  restore(json: unknown): void {
    if (Array.isArray(json) && json.length === this.values.length) {
      this.values.set(json.map((v) => (v ? 1 : 0)));
      this.valid = true;
    }
  }
}

/**
 * `rows` masks of `dim` values each, flat: a typed error naming `where` unless it is an array of rows x dim
 * values and every row allows at least one action.
 */
export function checkMaskRows(masks: unknown, rows: number, dim: number, where: string): void {
  if (masks === null || typeof masks !== "object" || typeof (masks as ArrayLike<number>).length !== "number") {
    throw new InvalidArgumentError(`${where} must be an array of 0/1 values, got ${describe(masks)}`);
  }
  const a = masks as ArrayLike<number>;
  if (a.length !== rows * dim) {
    throw new InvalidArgumentError(
      `${where}: expected ${rows} x ${dim} values (one per action), got length ${a.length}`,
    );
  }
  for (let i = 0; i < rows; i++) {
    let any = false;
    for (let j = i * dim; j < (i + 1) * dim && !any; j++) any = Boolean(a[j]);
    if (!any) throw new InvalidArgumentError(`${where}: row ${i} allows no action (every entry is 0)`);
  }
}

/**
 * argmax of values[off .. off + n) over the allowed entries (mask[maskOff + a] = 1; a null mask allows all), ties
 * to the lowest index. The greedy action of DQN and the tabular methods under masks.
 */
export function maskedArgmax(
  values: ArrayLike<number>,
  off: number,
  n: number,
  mask: Uint8Array | null,
  maskOff: number,
): number {
  let best = -1;
  for (let a = 0; a < n; a++) {
    if (mask !== null && mask[maskOff + a] === 0) continue;
    if (best < 0 || values[off + a] > values[off + best]) best = a;
  }
  return best;
}

/** A uniform draw among the allowed actions of a mask row (one `rng.int` call; without a mask: rng.int(n)). */
export function randomAllowed(rng: Rng, n: number, mask: Uint8Array | null, maskOff: number): number {
  if (mask === null) return rng.int(n);
  let allowed = 0;
  for (let a = 0; a < n; a++) allowed += mask[maskOff + a];
  let k = rng.int(allowed);
  for (let a = 0; a < n; a++) if (mask[maskOff + a] === 1 && k-- === 0) return a;
  return -1; // unreachable: checkMaskRows guarantees an allowed action
}
