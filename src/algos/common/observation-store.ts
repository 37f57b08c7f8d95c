import { InvalidArgumentError } from "../../errors.js";
import type { SpaceInfo } from "./space-info.js";

/** One segment of an observation row: `size` values at `offset`, stored as bytes (uint8 Box) or float32. */
interface Part {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly uint8: boolean;
}

/** Values one array may hold (2^28: 1 GiB of float32); larger stores are split into chunks of whole rows. */
export const CHUNK_VALUES = 2 ** 28;

/**
 * `capacity` observation rows of a space, each part in its own dtype: a uint8 Box (images) one byte per value,
 * everything else float32, a Dict one array per key (SB3's DictReplayBuffer). Rows go in and out as the vector env's
 * flat float32 rows. An array holds at most `chunkValues` values; beyond that the rows are split over several
 * arrays, so a 1M-transition image replay takes the bytes its data needs and no more.
 */
export class ObservationStore {
  readonly dim: number;
  /** checkpoint array names and arrays: `<prefix>` (one part) or `<prefix>.<key>` (Dict), `#<chunk>` when split */
  readonly arrays: Record<string, Float32Array | Uint8Array> = {};
  private readonly parts: readonly Part[];
  private readonly chunks: (Float32Array | Uint8Array)[][];
  private readonly rowsPerChunk: number[];

  constructor(info: SpaceInfo | null, dim: number, capacity: number, prefix: string, chunkValues = CHUNK_VALUES) {
    const leaves = info?.kind === "dict" ? info.keys : [{ key: "", info, offset: 0 }];
    this.parts = leaves.map(({ key, info: leaf, offset }) => ({
      name: key === "" ? prefix : `${prefix}.${key}`,
      offset,
      size: leaf?.dim ?? dim,
      uint8: leaf?.kind === "box" && leaf.dtype === "uint8",
    }));
    this.dim = dim;
    this.rowsPerChunk = this.parts.map((p) => Math.max(1, Math.floor(chunkValues / p.size)));
    this.chunks = this.parts.map((p, k) => {
      const per = this.rowsPerChunk[k];
      const out: (Float32Array | Uint8Array)[] = [];
      for (let first = 0; first < capacity; first += per) {
        const n = Math.min(per, capacity - first) * p.size;
        out.push(p.uint8 ? new Uint8Array(n) : new Float32Array(n));
      }
      out.forEach((a, c) => {
        this.arrays[out.length === 1 ? p.name : `${p.name}#${c}`] = a;
      });
      return out;
    });
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    let n = 0;
    for (const a of Object.values(this.arrays)) n += a.byteLength;
    return n;
  }

  /** Store row `row` from src[srcOff .. srcOff + dim); a uint8 part takes integers in [0, 255] only. */
  write(row: number, src: ArrayLike<number>, srcOff: number): void {
    for (let k = 0; k < this.parts.length; k++) {
      const p = this.parts[k];
      const per = this.rowsPerChunk[k];
      const dst = this.chunks[k][Math.floor(row / per)];
      const at = (row % per) * p.size;
      const from = srcOff + p.offset;
      for (let j = 0; j < p.size; j++) {
        const v = src[from + j];
        if (p.uint8 && !(v >= 0 && v <= 255 && Math.round(v) === v)) {
          throw new InvalidArgumentError(
            `ReplayBuffer.add: ${p.name}[${j}] is ${v}; a uint8 Box observation holds integers in [0, 255]`,
          );
        }
        dst[at + j] = v;
      }
    }
  }

  /** Copy row `row` into dst[dstOff .. dstOff + dim) as float32. */
  read(row: number, dst: Float32Array, dstOff: number): void {
    for (let k = 0; k < this.parts.length; k++) {
      const p = this.parts[k];
      const per = this.rowsPerChunk[k];
      const src = this.chunks[k][Math.floor(row / per)];
      const at = (row % per) * p.size;
      const to = dstOff + p.offset;
      for (let j = 0; j < p.size; j++) dst[to + j] = src[at + j];
    }
  }
}
