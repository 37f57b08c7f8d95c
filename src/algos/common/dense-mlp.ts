import type { Arena } from "../../core/arena.js";
import { Broadcast, type KernelPreference, type Kernels, makeCompute } from "../../core/kernels/index.js";
import type { Rng } from "../../core/rng.js";
import { orthogonalMatrix } from "../../nn/init.js";
import type { Activation } from "../../nn/mlp.js";

/** Where a network computes: an arena and the kernels that run on it (on `threads` threads; see makeCompute). */
export interface Backend {
  readonly arena: Arena;
  readonly kernels: Kernels;
  readonly threadsNote: string | null;
}

/**
 * "auto": wasm SIMD in float32 when available, else TS; "ts": the TS kernels on a float64 arena (exact).
 * `threads`: for the large products (default: the machine's cores, at most 8).
 */
export function makeBackend(preference: KernelPreference = "auto", threads?: number): Backend {
  return makeCompute({ dtype: preference === "ts" ? "float64" : "float32", kernels: preference, threads });
}

interface Layer {
  readonly inSize: number;
  readonly outSize: number;
  /** offsets in the caller's flat vector */
  readonly wOff: number;
  readonly bOff: number;
  /** offsets (elements) of the arena mirrors of W and b, their gradients and their tangents */
  readonly w: number;
  readonly b: number;
  readonly gw: number;
  readonly gb: number;
  readonly vw: number;
  readonly vb: number;
  readonly activated: boolean;
}

/** Per-batch-size scratch in the arena (element offsets) and the float64 rows handed back to the caller. */
interface Workspace {
  input: number;
  outs: number[];
  grads: number[];
  tangents: number[];
  inputGrad: number;
  output: Float64Array;
  outputTangent: Float64Array;
  inputGradJs: Float64Array;
}

/**
 * A fully connected network whose weights are a slice of one flat float64 parameter vector (owned by the
 * actor-critic policy, so an optimizer step, a gradient clip, a conjugate-gradient direction or a checkpoint is
 * one loop over one array), computed by the numeric core's kernels: WebAssembly SIMD matmuls in float32 for
 * speed, or the TypeScript reference kernels on a float64 arena for exact gradient checks.
 * The forward pass, backward pass (vector-Jacobian product) and forward-mode JVP are written out by hand over the
 * core's fused dense-layer kernels. (It was written expecting a tape's per-op bookkeeping to dominate at these
 * sizes; measured since, the core's tape runs a PPO minibatch as fast: docs/contracts.md.)
 *
 * Layer l: z = x W_l^T + b_l (W_l is [out, in], PyTorch's layout), a = act(z) on hidden layers; the last layer is
 * linear when `linearOutput`. The kernels read the weights from the policy's arena copy of the flat vector
 * (`paramBase`, same layout); gradients either accumulate in the arena's gradient block (`gradBase`, for training
 * that stays in the arena) or are added back into a caller's float64 vector.
 */
export class DenseMlp {
  readonly layers: readonly Layer[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** first index of this network's block in the flat parameter vector */
  readonly offset: number;
  readonly numParams: number;
  /** arena offsets of this network's block in the policy's arena copies of the parameters and gradients */
  private readonly params: number;
  private readonly gradMirror: number;
  private readonly tangentMirror: number;
  private readonly workspaces = new Map<number, Workspace>();

  /** Number of parameters of a network with these layer sizes. */
  static countParams(sizes: readonly number[]): number {
    let total = 0;
    for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l] * sizes[l + 1] + sizes[l + 1];
    return total;
  }

  /**
   * `sizes` = [input, hidden..., output]; parameters start at `offset` in the flat vector, whose arena copy starts
   * at `paramBase` and whose arena gradient block starts at `gradBase`.
   */
  constructor(
    sizes: readonly number[],
    readonly activation: Activation,
    offset: number,
    linearOutput: boolean,
    readonly backend: Backend,
    paramBase: number,
    gradBase: number,
  ) {
    const total = DenseMlp.countParams(sizes);
    const arena = backend.arena;
    this.params = paramBase + offset;
    this.gradMirror = gradBase + offset;
    this.tangentMirror = arena.allocZeroed(total);
    const layers: Layer[] = [];
    let p = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inSize = sizes[l];
      const outSize = sizes[l + 1];
      const nw = inSize * outSize;
      layers.push({
        inSize,
        outSize,
        wOff: offset + p,
        bOff: offset + p + nw,
        w: this.params + p,
        b: this.params + p + nw,
        gw: this.gradMirror + p,
        gb: this.gradMirror + p + nw,
        vw: this.tangentMirror + p,
        vb: this.tangentMirror + p + nw,
        activated: !linearOutput || l + 2 < sizes.length,
      });
      p += nw + outSize;
    }
    this.layers = layers;
    this.inputSize = sizes[0];
    this.outputSize = sizes[sizes.length - 1];
    this.offset = offset;
    this.numParams = total;
  }

  /**
   * Initialize weights orthogonally with the given gain per layer (biases 0; nn's orthogonalInit, torch's
   * orthogonal_), as in the PPO implementation details; or, with `gains` null, PyTorch's default
   * uniform(-1/sqrt(in), 1/sqrt(in)) for weights and biases.
   */
  init(params: Float64Array, rng: Rng, gains: readonly number[] | null): void {
    this.layers.forEach((l, i) => {
      if (gains === null) {
        const bound = 1 / Math.sqrt(l.inSize);
        for (let j = 0; j < l.inSize * l.outSize + l.outSize; j++) params[l.wOff + j] = rng.uniformRange(-bound, bound);
      } else {
        params.set(orthogonalMatrix(l.outSize, l.inSize, gains[i], rng), l.wOff);
        params.fill(0, l.bOff, l.bOff + l.outSize);
      }
    });
  }

  private workspace(batch: number): Workspace {
    let ws = this.workspaces.get(batch);
    if (ws === undefined) {
      const arena = this.backend.arena;
      ws = {
        input: arena.allocZeroed(batch * this.inputSize),
        outs: this.layers.map((l) => arena.allocZeroed(batch * l.outSize)),
        grads: this.layers.map((l) => arena.allocZeroed(batch * l.outSize)),
        tangents: this.layers.map((l) => arena.allocZeroed(batch * l.outSize)),
        inputGrad: arena.allocZeroed(batch * this.inputSize),
        output: new Float64Array(batch * this.outputSize),
        outputTangent: new Float64Array(batch * this.outputSize),
        inputGradJs: new Float64Array(batch * this.inputSize),
      };
      this.workspaces.set(batch, ws);
    }
    return ws;
  }

  /** Output rows [batch, outputSize]; a float64 view valid until the next forward of this batch size. */
  forward(x: ArrayLike<number>, batch: number): Float64Array {
    const ws = this.workspace(batch);
    const k = this.backend.kernels;
    const view = this.backend.arena.view;
    for (let i = 0; i < batch * this.inputSize; i++) view[ws.input + i] = x[i];
    let input = ws.input;
    for (let li = 0; li < this.layers.length; li++) {
      const { inSize, outSize, w, b, activated } = this.layers[li];
      const out = ws.outs[li];
      // a = act(x W^T + b), one fused pass
      k.linear(input, w, b, out, batch, inSize, outSize, activated ? this.activation : "none");
      input = out;
    }
    return this.readRows(input, ws.output, batch * this.outputSize);
  }

  /**
   * Backward pass after `forward(x, batch)` (it reads the activations forward kept): given dLoss/dOutput,
   * add dLoss/dParams into `grads` (the flat float64 vector; this network's part of the arena gradient block is
   * scratch then), or with `grads` null into the arena gradient block itself; return dLoss/dInput when
   * `needInputGrad`.
   */
  backward(
    grads: Float64Array | null,
    batch: number,
    dOutput: ArrayLike<number>,
    needInputGrad = false,
  ): Float64Array | null {
    const ws = this.workspace(batch);
    const k = this.backend.kernels;
    const last = this.layers.length - 1;
    let view = this.backend.arena.view;
    for (let i = 0; i < batch * this.outputSize; i++) view[ws.grads[last] + i] = dOutput[i];
    if (grads !== null) k.fill(this.gradMirror, 0, this.numParams);
    // dz of the top layer; lower layers get theirs fused into the product that brings dLoss/da down
    const top = this.layers[last];
    if (top.activated) {
      const n = batch * top.outSize;
      if (this.activation === "tanh") k.tanhBackward(ws.outs[last], ws.grads[last], ws.grads[last], n, false);
      else k.reluBackward(ws.outs[last], ws.grads[last], ws.grads[last], n, false);
    }
    for (let li = last; li >= 0; li--) {
      const { inSize, outSize, w, gw, gb } = this.layers[li];
      const dz = ws.grads[li];
      const input = li === 0 ? ws.input : ws.outs[li - 1];
      // dW += dz^T x ; db += sum_rows dz ; dz_below = (dz W) * act'(a_below), tanh' = 1 - a^2, relu' = [a > 0]
      k.matmul(dz, input, gw, outSize, batch, inSize, true, false, true);
      k.sumCols(dz, gb, batch, outSize, true);
      if (li > 0) {
        const below = this.layers[li - 1].activated ? this.activation : "none";
        k.linearInputGrad(dz, w, ws.outs[li - 1], ws.grads[li - 1], batch, outSize, inSize, below);
      } else if (needInputGrad) k.matmul(dz, w, ws.inputGrad, batch, outSize, inSize, false, false, false);
    }
    if (grads !== null) {
      view = this.backend.arena.view;
      for (let i = 0; i < this.numParams; i++) grads[this.offset + i] += view[this.gradMirror + i];
    }
    return needInputGrad ? this.readRows(ws.inputGrad, ws.inputGradJs, batch * this.inputSize) : null;
  }

  /**
   * Forward-mode derivative after `forward(x, batch)`: the output's change along the parameter direction
   * `v` (flat layout, this network's block is read), input held fixed unless `inputTangent` is given.
   */
  jvp(v: ArrayLike<number>, batch: number, inputTangent?: ArrayLike<number>): Float64Array {
    const ws = this.workspace(batch);
    const k = this.backend.kernels;
    const view = this.backend.arena.view;
    for (let i = 0; i < this.numParams; i++) view[this.tangentMirror + i] = v[this.offset + i];
    let dInput = -1;
    if (inputTangent !== undefined) {
      for (let i = 0; i < batch * this.inputSize; i++) view[ws.inputGrad + i] = inputTangent[i];
      dInput = ws.inputGrad;
    }
    let input = ws.input;
    for (let li = 0; li < this.layers.length; li++) {
      const { inSize, outSize, w, vw, vb, activated } = this.layers[li];
      const t = ws.tangents[li];
      // dz = x dW^T + db + dx W^T ; da = act'(z) dz
      k.matmul(input, vw, t, batch, inSize, outSize, false, true, false);
      k.add(t, Broadcast.Full, vb, Broadcast.Row, t, batch, outSize, false);
      if (dInput >= 0) k.matmul(dInput, w, t, batch, inSize, outSize, false, true, true);
      if (activated) {
        if (this.activation === "tanh") k.tanhBackward(ws.outs[li], t, t, batch * outSize, false);
        else k.reluBackward(ws.outs[li], t, t, batch * outSize, false);
      }
      input = ws.outs[li];
      dInput = t;
    }
    return this.readRows(dInput, ws.outputTangent, batch * this.outputSize);
  }

  /** The last hidden layer's activations of the last forward, [batch, width], into `out`. */
  readHidden(batch: number, out: Float64Array): Float64Array {
    const li = this.layers.length - 2;
    return this.readRows(this.workspace(batch).outs[li], out, batch * this.layers[li].outSize);
  }

  private readRows(src: number, out: Float64Array, n: number): Float64Array {
    const view = this.backend.arena.view;
    for (let i = 0; i < n; i++) out[i] = view[src + i];
    return out;
  }
}
