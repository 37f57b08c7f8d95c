import type { Rng } from "../../core/rng.js";

/**
 * A fully connected network whose weights live in a slice of one flat parameter vector, with a hand-fused
 * forward pass, backward pass (vector-Jacobian product) and forward-mode JVP. The actor-critic policy owns
 * the flat vector, so an optimizer step, a gradient-norm clip, a conjugate-gradient direction or a checkpoint
 * is one loop over one array. Fusing the few layers of an RL policy avoids a tape's per-op overhead, which
 * dominates at these sizes (64-wide layers, batches of 4 to 256).
 *
 * Layer l: z = x W_l^T + b_l (W_l is [out, in], PyTorch's layout), a = act(z) on hidden layers; the last layer
 * is linear when `linearOutput`.
 */
export type Activation = "tanh" | "relu";

interface Layer {
  readonly inSize: number;
  readonly outSize: number;
  readonly wOff: number;
  readonly bOff: number;
  readonly activated: boolean;
}

/** Per-batch-size scratch: post-activation outputs, and gradient/tangent rows of each layer. */
class Workspace {
  readonly outs: Float64Array[];
  readonly grads: Float64Array[];
  readonly tangents: Float64Array[];
  readonly inputGrad: Float64Array;
  /** float64 copy of the last forward's input: every loop then reads one array type (monomorphic, faster) */
  readonly input: Float64Array;
  constructor(layers: readonly Layer[], batch: number) {
    this.input = new Float64Array(batch * layers[0].inSize);
    this.outs = layers.map((l) => new Float64Array(batch * l.outSize));
    this.grads = layers.map((l) => new Float64Array(batch * l.outSize));
    this.tangents = layers.map((l) => new Float64Array(batch * l.outSize));
    this.inputGrad = new Float64Array(batch * layers[0].inSize);
  }
}

export class DenseMlp {
  readonly layers: readonly Layer[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly offset: number;
  readonly numParams: number;
  private readonly workspaces = new Map<number, Workspace>();

  /** `sizes` = [input, hidden..., output]; parameters start at `offset` in the flat vector. */
  constructor(
    sizes: readonly number[],
    readonly activation: Activation,
    offset: number,
    linearOutput: boolean,
  ) {
    const layers: Layer[] = [];
    let p = offset;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inSize = sizes[l];
      const outSize = sizes[l + 1];
      layers.push({
        inSize,
        outSize,
        wOff: p,
        bOff: p + inSize * outSize,
        activated: !linearOutput || l + 2 < sizes.length,
      });
      p += inSize * outSize + outSize;
    }
    this.layers = layers;
    this.inputSize = sizes[0];
    this.outputSize = sizes[sizes.length - 1];
    this.offset = offset;
    this.numParams = p - offset;
  }

  /**
   * Initialize weights orthogonally with the given gain per layer (biases 0), as in the PPO implementation
   * details; or, with `gains` null, PyTorch's default uniform(-1/sqrt(in), 1/sqrt(in)) for weights and biases.
   */
  init(params: Float64Array, rng: Rng, gains: readonly number[] | null): void {
    this.layers.forEach((l, i) => {
      if (gains === null) {
        const bound = 1 / Math.sqrt(l.inSize);
        for (let j = 0; j < l.inSize * l.outSize + l.outSize; j++) params[l.wOff + j] = rng.uniformRange(-bound, bound);
      } else {
        orthogonal(params, l.wOff, l.outSize, l.inSize, gains[i], rng);
        params.fill(0, l.bOff, l.bOff + l.outSize);
      }
    });
  }

  private workspace(batch: number): Workspace {
    let ws = this.workspaces.get(batch);
    if (ws === undefined) {
      ws = new Workspace(this.layers, batch);
      this.workspaces.set(batch, ws);
    }
    return ws;
  }

  /** Output rows [batch, outputSize]; a view into scratch memory, valid until the next forward of this batch size. */
  forward(params: Float64Array, x: ArrayLike<number>, batch: number): Float64Array {
    const ws = this.workspace(batch);
    const n0 = batch * this.inputSize;
    for (let i = 0; i < n0; i++) ws.input[i] = x[i];
    let input = ws.input;
    for (let li = 0; li < this.layers.length; li++) {
      const { inSize, outSize, wOff, bOff, activated } = this.layers[li];
      const out = ws.outs[li];
      const relu = this.activation === "relu";
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        for (let o = 0; o < outSize; o++) {
          let s = params[bOff + o];
          const w = wOff + o * inSize;
          for (let i = 0; i < inSize; i++) s += input[xo + i] * params[w + i];
          out[b * outSize + o] = !activated ? s : relu ? Math.max(s, 0) : Math.tanh(s);
        }
      }
      input = out;
    }
    return ws.outs[this.layers.length - 1];
  }

  /**
   * Backward pass after `forward(params, x, batch)` (it reads the activations that forward kept): given dLoss/dOutput, accumulate dLoss/dParams into
   * `grads` (same layout as params) and return dLoss/dInput (a scratch view) when `needInputGrad`.
   */
  backward(
    params: Float64Array,
    grads: Float64Array,
    batch: number,
    dOutput: ArrayLike<number>,
    needInputGrad = false,
  ): Float64Array | null {
    const ws = this.workspace(batch);
    const last = this.layers.length - 1;
    const g = ws.grads[last];
    for (let j = 0; j < batch * this.outputSize; j++) g[j] = dOutput[j];
    for (let li = last; li >= 0; li--) {
      const { inSize, outSize, wOff, bOff, activated } = this.layers[li];
      const out = ws.outs[li];
      const dz = ws.grads[li];
      if (activated) {
        // tanh' = 1 - a^2, relu' = [a > 0]
        if (this.activation === "relu") for (let j = 0; j < batch * outSize; j++) dz[j] = out[j] > 0 ? dz[j] : 0;
        else for (let j = 0; j < batch * outSize; j++) dz[j] *= 1 - out[j] * out[j];
      }
      const input = li === 0 ? ws.input : ws.outs[li - 1];
      const dIn = li === 0 ? (needInputGrad ? ws.inputGrad : null) : ws.grads[li - 1];
      if (dIn !== null) dIn.fill(0, 0, batch * inSize);
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        for (let o = 0; o < outSize; o++) {
          const d = dz[b * outSize + o];
          if (d === 0) continue;
          grads[bOff + o] += d;
          const w = wOff + o * inSize;
          for (let i = 0; i < inSize; i++) grads[w + i] += d * input[xo + i];
          if (dIn !== null) for (let i = 0; i < inSize; i++) dIn[xo + i] += d * params[w + i];
        }
      }
    }
    return needInputGrad ? ws.inputGrad : null;
  }

  /**
   * Forward-mode derivative after `forward(params, x, batch)`: the output's change along the parameter
   * direction `v` (same layout as params), input held fixed; optional `inputTangent` for a shared trunk.
   */
  jvp(params: Float64Array, v: ArrayLike<number>, batch: number, inputTangent?: ArrayLike<number>): Float64Array {
    const ws = this.workspace(batch);
    let input = ws.input;
    let dInput: ArrayLike<number> | undefined = inputTangent;
    for (let li = 0; li < this.layers.length; li++) {
      const { inSize, outSize, wOff, bOff, activated } = this.layers[li];
      const out = ws.outs[li];
      const t = ws.tangents[li];
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        for (let o = 0; o < outSize; o++) {
          const w = wOff + o * inSize;
          let s = v[bOff + o];
          for (let i = 0; i < inSize; i++) s += input[xo + i] * v[w + i];
          if (dInput !== undefined) for (let i = 0; i < inSize; i++) s += dInput[xo + i] * params[w + i];
          const a = out[b * outSize + o];
          t[b * outSize + o] = !activated ? s : this.activation === "relu" ? (a > 0 ? s : 0) : s * (1 - a * a);
        }
      }
      input = out;
      dInput = t;
    }
    return ws.tangents[this.layers.length - 1];
  }
}

/**
 * Orthogonal init (Saxe et al. 2014) of a [rows, cols] matrix at `off`: Gram-Schmidt on a Gaussian matrix,
 * orthonormal rows when rows <= cols, orthonormal columns otherwise, scaled by `gain`.
 */
export function orthogonal(out: Float64Array, off: number, rows: number, cols: number, gain: number, rng: Rng): void {
  const long = Math.max(rows, cols);
  const short = Math.min(rows, cols);
  // q holds `short` orthonormal vectors of length `long`
  const q = new Float64Array(short * long);
  for (let j = 0; j < q.length; j++) q[j] = rng.normal();
  for (let k = 0; k < short; k++) {
    const vk = k * long;
    for (let pass = 0; pass < 2; pass++) {
      // re-orthogonalize twice for float64 accuracy
      for (let m = 0; m < k; m++) {
        let dot = 0;
        for (let i = 0; i < long; i++) dot += q[vk + i] * q[m * long + i];
        for (let i = 0; i < long; i++) q[vk + i] -= dot * q[m * long + i];
      }
    }
    let norm = 0;
    for (let i = 0; i < long; i++) norm += q[vk + i] * q[vk + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < long; i++) q[vk + i] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[off + r * cols + c] = gain * (rows <= cols ? q[r * long + c] : q[c * long + r]);
    }
  }
}
