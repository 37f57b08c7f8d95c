import { add, sliceLast } from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { Categorical, checkMasks } from "./categorical.js";

/**
 * Independent categoricals, one per dimension of a MultiDiscrete space with sizes `nvec` (SB3's
 * MultiCategoricalDistribution): logits [B, sum(nvec)] are split into one [B, nvec[d]] block per dimension; an
 * action is a row-major Int32Array [B * D] (D = nvec.length). Log-probability, entropy and KL are sums over the
 * dimensions. Action masks, as sb3-contrib's MaskableMultiCategorical, are the per-dimension masks concatenated:
 * row-major [B * sum(nvec)], each dimension's block allowing at least one value.
 */
export class MultiCategorical {
  readonly logits: Tensor;
  readonly nvec: readonly number[];
  readonly batchSize: number;
  /** One Categorical per dimension. */
  readonly dims: readonly Categorical[];
  private readonly column: Int32Array;

  constructor(logits: Tensor, nvec: readonly number[], opts: { actionMasks?: Uint8Array | null } = {}) {
    if (!(logits instanceof Tensor)) {
      throw new InvalidArgumentError(`MultiCategorical: logits must be a Tensor, got ${describe(logits)}`);
    }
    if (!Array.isArray(nvec) || nvec.length === 0 || !nvec.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new InvalidArgumentError(
        `MultiCategorical: nvec must be a non-empty array of positive integers, got ${describe(nvec)}`,
      );
    }
    const total = nvec.reduce((a, b) => a + b, 0);
    if (logits.rank !== 2 || logits.shape[0] < 1 || logits.shape[1] !== total) {
      throw new ShapeError(
        `MultiCategorical: logits must have shape [B, ${total}] (sum of nvec ${describe(nvec)}), got [${logits.shape.join(", ")}]`,
      );
    }
    const b = logits.shape[0];
    const masks = opts.actionMasks ?? null;
    const checked = masks === null ? null : checkBlocks(masks, b, nvec);
    this.logits = logits;
    this.nvec = nvec.slice();
    this.batchSize = b;
    const dims: Categorical[] = [];
    let start = 0;
    for (const n of nvec) {
      const block = sliceLast(logits, start, start + n);
      dims.push(
        new Categorical(block, { actionMasks: checked === null ? null : maskBlock(checked, b, total, start, n) }),
      );
      start += n;
    }
    this.dims = dims;
    this.column = new Int32Array(b);
  }

  /** sum_d log p_d(a_d), shape [B]; -Infinity when any dimension's action is masked. */
  logProb(actions: Int32Array): Tensor {
    this.checkActions(actions);
    return this.sumOver((c, d) => c.logProb(this.columnOf(actions, d)));
  }

  /** sum_d H_d, shape [B]. */
  entropy(): Tensor {
    return this.sumOver((c) => c.entropy());
  }

  /** sum_d KL_d(this || other), shape [B]. */
  kl(other: MultiCategorical): Tensor {
    if (!(other instanceof MultiCategorical)) {
      throw new InvalidArgumentError(`MultiCategorical.kl: other must be a MultiCategorical, got ${describe(other)}`);
    }
    if (other.batchSize !== this.batchSize || other.nvec.some((n, i) => n !== this.nvec[i])) {
      throw new ShapeError(
        `MultiCategorical.kl: other has B = ${other.batchSize}, nvec ${describe(other.nvec)}; expected ${this.batchSize}, ${describe(this.nvec)}`,
      );
    }
    return this.sumOver((c, d) => c.kl(other.dims[d]));
  }

  /** The most likely value of every dimension, row-major [B * D]. */
  mode(out?: Int32Array): Int32Array {
    const res = this.checkOut("mode", out);
    this.dims.forEach((c, d) => {
      this.scatter(c.mode(this.column), res, d);
    });
    return res;
  }

  /** One action per row, dimension after dimension (B draws per dimension), row-major [B * D]. */
  sample(rng: Rng, out?: Int32Array): Int32Array {
    const res = this.checkOut("sample", out);
    this.dims.forEach((c, d) => {
      this.scatter(c.sample(rng, this.column), res, d);
    });
    return res;
  }

  private sumOver(term: (c: Categorical, d: number) => Tensor): Tensor {
    let s = term(this.dims[0], 0);
    for (let d = 1; d < this.dims.length; d++) s = add(s, term(this.dims[d], d));
    return s;
  }

  private columnOf(actions: Int32Array, d: number): Int32Array {
    const D = this.nvec.length;
    const col = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++) col[b] = actions[b * D + d];
    return col;
  }

  private scatter(col: Int32Array, res: Int32Array, d: number): void {
    const D = this.nvec.length;
    for (let b = 0; b < this.batchSize; b++) res[b * D + d] = col[b];
  }

  private checkOut(method: string, out: Int32Array | undefined): Int32Array {
    const n = this.batchSize * this.nvec.length;
    if (out === undefined) return new Int32Array(n);
    if (!(out instanceof Int32Array) || out.length !== n) {
      throw new InvalidArgumentError(
        `MultiCategorical.${method}: out must be an Int32Array of length ${n} (B * D), got ${describe(out)}`,
      );
    }
    return out;
  }

  private checkActions(actions: Int32Array): void {
    const D = this.nvec.length;
    if (!(actions instanceof Int32Array)) {
      throw new InvalidArgumentError(
        `MultiCategorical.logProb: actions must be an Int32Array, got ${describe(actions)}`,
      );
    }
    if (actions.length !== this.batchSize * D) {
      throw new ShapeError(
        `MultiCategorical.logProb: actions has length ${actions.length}, expected B * D = ${this.batchSize} * ${D}`,
      );
    }
    for (let i = 0; i < actions.length; i++) {
      const n = this.nvec[i % D];
      if (actions[i] < 0 || actions[i] >= n) {
        throw new InvalidArgumentError(
          `MultiCategorical.logProb: actions[${i}] (row ${Math.floor(i / D)}, dimension ${i % D}) = ${actions[i]} is outside [0, ${n})`,
        );
      }
    }
  }
}

/** Check the concatenated masks block by block (each dimension of each row allows a value). */
function checkBlocks(masks: Uint8Array, rows: number, nvec: readonly number[]): Uint8Array {
  const total = nvec.reduce((a, b) => a + b, 0);
  const all = checkMasks("MultiCategorical", masks, rows, total);
  let start = 0;
  nvec.forEach((n, d) => {
    checkMasks(`MultiCategorical (dimension ${d})`, maskBlock(all, rows, total, start, n), rows, n);
    start += n;
  });
  return all;
}

/** Columns [start, start + n) of row-major [rows, total] masks. */
function maskBlock(masks: Uint8Array, rows: number, total: number, start: number, n: number): Uint8Array {
  const out = new Uint8Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(masks.subarray(r * total + start, r * total + start + n), r * n);
  return out;
}
