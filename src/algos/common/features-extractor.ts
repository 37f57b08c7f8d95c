import type { Engine } from "../../core/engine.js";
import type { Tensor } from "../../core/tensor.js";
import { InvalidArgumentError } from "../../errors.js";
import type { SpaceInfo } from "./space-info.js";

/** One segment of an observation row: `size` floats at `offset`, fed as they are or one-hot over n values. */
interface Part {
  readonly offset: number;
  readonly size: number;
  readonly oneHot: { readonly n: number; readonly start: number } | null;
}

/**
 * The features extractor chosen from the observation space (SB3's seam): a Box is flattened, a Discrete becomes a
 * one-hot vector, and a Dict (SB3's MultiInputPolicy, CombinedExtractor) gets one extractor per key (in sorted
 * key order), their features concatenated. A CNN extractor for image Boxes would plug in as another kind of part.
 * Input: a vector env's flat observation rows [B, rowDim]; output: the features tensor [B, featuresDim].
 */
export class FeaturesExtractor {
  /** floats per observation row as the vector env gives them */
  readonly rowDim: number;
  readonly featuresDim: number;
  private readonly parts: readonly Part[];
  /** rows pass through unchanged (a Box, or a Dict of Boxes) */
  private readonly identity: boolean;
  private scratch = new Float32Array(0);

  constructor(info: SpaceInfo) {
    const leaves =
      info.kind === "dict" ? info.keys.map((k) => ({ offset: k.offset, info: k.info })) : [{ offset: 0, info }];
    const parts: Part[] = [];
    for (const { offset, info: leaf } of leaves) {
      if (leaf.kind === "discrete") parts.push({ offset, size: 1, oneHot: { n: leaf.n, start: leaf.start } });
      else if (leaf.kind === "box") parts.push({ offset, size: leaf.dim, oneHot: null });
      else
        throw new InvalidArgumentError(
          `observation space: ${leaf.kind} observations need a wrapper that flattens them`,
        );
    }
    this.parts = parts;
    this.rowDim = info.dim;
    this.featuresDim = parts.reduce((n, p) => n + (p.oneHot === null ? p.size : p.oneHot.n), 0);
    this.identity = parts.every((p) => p.oneHot === null);
  }

  /** The features of `batch` observation rows, a tensor of `engine` in the caller's scope. */
  features(engine: Engine, obs: Float32Array, batch: number): Tensor {
    const d = this.rowDim;
    if (!Number.isInteger(batch) || batch < 1 || obs.length < batch * d) {
      throw new InvalidArgumentError(
        `observations: expected at least ${batch} x ${d} values, got length ${obs.length}`,
      );
    }
    if (this.identity) return engine.tensor(obs.length === batch * d ? obs : obs.subarray(0, batch * d), [batch, d]);
    const f = this.featuresDim;
    if (this.scratch.length < batch * f) this.scratch = new Float32Array(batch * f);
    const out = this.scratch.subarray(0, batch * f);
    out.fill(0);
    for (let b = 0; b < batch; b++) {
      let col = b * f;
      for (const p of this.parts) {
        const at = b * d + p.offset;
        if (p.oneHot === null) {
          for (let j = 0; j < p.size; j++) out[col + j] = obs[at + j];
          col += p.size;
        } else {
          const k = obs[at] - p.oneHot.start;
          if (!Number.isInteger(k) || k < 0 || k >= p.oneHot.n) {
            throw new InvalidArgumentError(
              `observations: row ${b} holds ${obs[at]} for a Discrete(${p.oneHot.n}, start ${p.oneHot.start}) part`,
            );
          }
          out[col + k] = 1;
          col += p.oneHot.n;
        }
      }
    }
    return engine.tensor(out, [batch, f]);
  }
}
