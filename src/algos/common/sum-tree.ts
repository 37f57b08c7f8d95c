import { checkInt } from "../../core/checks.js";
import { InvalidArgumentError } from "../../errors.js";

/**
 * Binary segment tree over `capacity` non-negative leaf values keeping, at every inner node, both the SUM and the
 * MIN of its subtree: O(log n) update, prefix-sum search and total, O(1) minimum. Prioritized replay samples a leaf
 * with probability p_i / sum_j p_j through {@link findPrefixSum} and normalizes importance weights by the minimum.
 *
 * Leaves live at [size, 2 size) of an implicit heap (size = capacity rounded up to a power of two); unused
 * leaves hold 0 for the sum and +infinity for the minimum. Float64 keeps rounding from accumulating over millions
 * of updates.
 */
export class SumTree {
  readonly capacity: number;
  private readonly size: number;
  private readonly sums: Float64Array;
  private readonly mins: Float64Array;

  constructor(capacity: number) {
    checkInt("SumTree: capacity", capacity, 1);
    this.capacity = capacity;
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.sums = new Float64Array(2 * size);
    this.mins = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
  }

  /** Set leaf `index` to `value` (>= 0, finite) and refresh its ancestors. */
  set(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new InvalidArgumentError(`SumTree.set: index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`SumTree.set: value must be a finite number >= 0, got ${value}`);
    }
    let node = index + this.size;
    this.sums[node] = value;
    // a zero leaf is "absent": it must not make the minimum (and so the largest importance weight) zero
    this.mins[node] = value > 0 ? value : Number.POSITIVE_INFINITY;
    node >>= 1;
    while (node >= 1) {
      const l = 2 * node;
      this.sums[node] = this.sums[l] + this.sums[l + 1];
      this.mins[node] = Math.min(this.mins[l], this.mins[l + 1]);
      node >>= 1;
    }
  }

  get(index: number): number {
    return this.sums[index + this.size];
  }

  /** Sum of all leaves. */
  get total(): number {
    return this.sums[1];
  }

  /** Smallest positive leaf (+infinity when every leaf is 0). */
  get min(): number {
    return this.mins[1];
  }

  /**
   * The leaf i with prefix(i) <= mass < prefix(i) + value(i), where prefix(i) is the sum of leaves before i:
   * a draw of mass uniform in [0, total) picks leaf i with probability value(i) / total. Leaves of value 0 are never
   * returned (mass past the end, from rounding, falls back to the last positive leaf).
   */
  findPrefixSum(mass: number): number {
    let node = 1;
    while (node < this.size) {
      const l = 2 * node;
      if (mass < this.sums[l] || this.sums[l + 1] === 0) {
        node = l;
      } else {
        mass -= this.sums[l];
        node = l + 1;
      }
    }
    return node - this.size;
  }
}
