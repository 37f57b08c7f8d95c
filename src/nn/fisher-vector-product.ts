/**
 * Exact Fisher-vector products for TRPO's conjugate-gradient step (Schulman et al. 2015, appendix C).
 *
 * For a policy network f_θ whose output parameterises a distribution, the Fisher information of the batch is
 *     F = (1/B) Σ_b J_bᵀ M_b J_b,
 * J_b = ∂(distribution parameters of row b)/∂θ and M_b the Fisher of the distribution w.r.t. its own parameters:
 *   Categorical over logits z:                         M = diag(p) - p pᵀ,  p = softmax(z)
 *   MultiCategorical (MultiDiscrete):                  block-diagonal, one Categorical block per sub-space
 *   DiagGaussian over (mean μ, log-std ℓ):             M = diag(1/σ², 2)   (no cross terms)
 *   gSDE, variance v_k(s) = Σ_j φ_j(s)² e^{2ℓ_jk} + ε:   mean block diag(1/v); log-std block (features φ detached)
 *     F_{jk,j'k'} = δ_kk' E_s[½ w_jk w_j'k],  w_jk = ∂ log v_k / ∂ℓ_jk = 2 φ_j² e^{2ℓ_jk} / v_k
 * F v is computed without forming F: J v by forward mode (`jvp`), M (J v) in closed form per row, and Jᵀ(·) by
 * one reverse pass with that upstream gradient. This equals the Hessian of the mean KL(π_old || π_θ) at θ_old.
 */

import { exp } from "../core/math/index.js";
import { Tensor } from "../core/tensor.js";
import { describe, InvalidArgumentError, ShapeError } from "../errors.js";
import { zeroGrad } from "./module.js";

/** A module with a forward-mode product: `MLP` provides it. Tangents follow `parameters()` order and shapes. */
export interface JvpModule {
  parameters(): Tensor[];
  jvp(x: Tensor, tangents: readonly Tensor[]): { output: Tensor; tangentOutput: Tensor };
}

/** How the network output [B, O] parameterises the action distribution. */
export type FisherHead =
  /** output = logits [B, K] of a Categorical, or of a MultiCategorical over `nvec` (K = sum(nvec)) */
  | { readonly kind: "categorical"; readonly nvec?: readonly number[] }
  /** output = mean [B, D] of a DiagGaussian whose log-std is the state-independent parameter `logStd` [D] */
  | { readonly kind: "gaussian"; readonly logStd: Tensor }
  /** output = mean [B, D] of gSDE's Gaussian: log-std `logStd` [L, D], `latent` φ(s) [B, L] at θ_old (detached) */
  | { readonly kind: "gsde"; readonly logStd: Tensor; readonly latent: Float64Array | Float32Array };

/**
 * The parameters θ in the order of the flat vectors `fisherVectorProduct` reads and writes: the network's
 * `parameters()`, then the Gaussian's log-std. Flatten the policy gradient in this order too.
 */
export function fisherParameters(net: JvpModule, head: FisherHead): Tensor[] {
  const params = net.parameters();
  return head.kind === "categorical" ? params : [...params, head.logStd];
}

/**
 * out = F v + damping v for the policy at its current parameters on the observations `obs` [B, inputSize]
 * (flat vectors in the {@link fisherParameters} order). Runs in its own engine scope and leaves the parameters'
 * `.grad` as it found them and the tape as it was, so it can be called between the policy-gradient backward and
 * the update. Gradients must be enabled (not inside `noGrad`).
 */
export function fisherVectorProduct(
  net: JvpModule,
  head: FisherHead,
  obs: Tensor,
  v: Float64Array,
  opts: { damping?: number; out?: Float64Array } = {},
): Float64Array {
  const params = net.parameters();
  const all = fisherParameters(net, head);
  const n = all.reduce((s, p) => s + p.size, 0);
  if (!(v instanceof Float64Array) || v.length !== n) {
    throw new ShapeError(
      `fisherVectorProduct: v must be a Float64Array of length ${n} (parameters), got ${describe(v)}`,
    );
  }
  const out = opts.out ?? new Float64Array(n);
  if (!(out instanceof Float64Array) || out.length !== n) {
    throw new ShapeError(`fisherVectorProduct: out must be a Float64Array of length ${n}, got ${describe(out)}`);
  }
  const damping = opts.damping ?? 0;
  if (typeof damping !== "number" || !(damping >= 0) || !Number.isFinite(damping)) {
    throw new InvalidArgumentError(
      `fisherVectorProduct: damping must be a finite number >= 0, got ${describe(damping)}`,
    );
  }
  if (!(obs instanceof Tensor) || obs.rank !== 2 || obs.shape[0] < 1) {
    throw new ShapeError(
      `fisherVectorProduct: obs must have shape [B, inputSize] with B >= 1, got ${obs instanceof Tensor ? `[${obs.shape.join(", ")}]` : describe(obs)}`,
    );
  }
  for (const p of all) {
    if (p.grad === null || p.engine !== obs.engine) {
      throw new InvalidArgumentError(
        `fisherVectorProduct: every parameter must be an engine.parameter() of the obs tensor's engine; shape [${p.shape.join(", ")}] is not`,
      );
    }
  }
  const engine = obs.engine;
  const batch = obs.shape[0];

  // Keep the caller's gradients: backward below accumulates into the same buffers.
  const saved = new Float64Array(n);
  copyGrads(params, saved, false);
  const variance = head.kind === "gsde" ? gsdeVariances(head, batch) : null;

  engine.scope(() => {
    const tangents: Tensor[] = [];
    let off = 0;
    for (const p of params) {
      tangents.push(engine.tensor(v.subarray(off, off + p.size), p.shape));
      off += p.size;
    }
    const { output, tangentOutput: jv } = net.jvp(obs, tangents);
    const cols = output.shape[output.rank - 1];
    if (output.rank !== 2 || output.shape[0] !== batch) {
      throw new ShapeError(
        `fisherVectorProduct: network output must be [${batch}, O], got [${output.shape.join(", ")}]`,
      );
    }
    const upstream = engine.zeros(output.shape);
    const view = engine.arena.view; // read after the last allocation of this scope's setup
    const z = output.offset;
    const t = jv.offset;
    const u = upstream.offset;
    if (head.kind === "categorical") {
      // per block (sub-space) of each row: u = (p ⊙ t - p (p·t)) / B with p = softmax(z) of the block
      const nvec = head.nvec ?? [cols];
      for (let row = 0; row < batch * cols; ) {
        for (const size of nvec) {
          let max = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < size; k++) max = Math.max(max, view[z + row + k]);
          let total = 0;
          for (let k = 0; k < size; k++) total += exp(view[z + row + k] - max);
          let pt = 0;
          for (let k = 0; k < size; k++) pt += (exp(view[z + row + k] - max) / total) * view[t + row + k];
          for (let k = 0; k < size; k++) {
            const p = exp(view[z + row + k] - max) / total;
            view[u + row + k] = (p * (view[t + row + k] - pt)) / batch;
          }
          row += size;
        }
      }
    } else if (head.kind === "gsde") {
      // mean block: u_b = t_b / v(s_b) / B
      for (let i = 0; i < batch * cols; i++) view[u + i] = view[t + i] / (variance as Float64Array)[i] / batch;
    } else {
      // mean block: u_b = t_b / σ² / B
      const ls = head.logStd;
      if (ls.rank !== 1 || ls.size !== cols) {
        throw new ShapeError(`fisherVectorProduct: logStd must have shape [${cols}], got [${ls.shape.join(", ")}]`);
      }
      const l = ls.live();
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < cols; k++) {
          const i = b * cols + k;
          view[u + i] = (view[t + i] * exp(-2 * view[l + k])) / batch;
        }
      }
    }
    zeroGrad(params);
    engine.backward(output, upstream, { retainGraph: true }); // the scope drops our ops; the caller's stay
    copyGrads(params, out, false);
  });
  copyGrads(params, saved, true);

  if (head.kind === "gaussian") {
    // log-std block: M = 2 for every row, so its batch mean is 2 (J is the identity there)
    const start = n - head.logStd.size;
    for (let i = start; i < n; i++) out[i] = 2 * v[i];
  } else if (head.kind === "gsde") {
    // log-std block: (F v)_jk = (1/B) Σ_b ½ w_bjk Σ_j' w_bj'k v_j'k
    const [latentDim, actDim] = head.logStd.shape;
    const start = n - head.logStd.size;
    const ls = head.logStd.data();
    const w = new Float64Array(latentDim);
    out.fill(0, start, n);
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < actDim; k++) {
        let wv = 0;
        for (let j = 0; j < latentDim; j++) {
          const phi = head.latent[b * latentDim + j];
          w[j] = (2 * phi * phi * exp(2 * ls[j * actDim + k])) / (variance as Float64Array)[b * actDim + k];
          wv += w[j] * v[start + j * actDim + k];
        }
        for (let j = 0; j < latentDim; j++) out[start + j * actDim + k] += (0.5 * w[j] * wv) / batch;
      }
    }
  }
  if (damping !== 0) for (let i = 0; i < n; i++) out[i] += damping * v[i];
  return out;
}

/** gSDE's variances [B, D]: v_bk = Σ_j φ_bj² e^{2ℓ_jk} + 1e-6 (Gsde's epsilon). */
function gsdeVariances(head: { logStd: Tensor; latent: ArrayLike<number> }, batch: number): Float64Array {
  const [latentDim, actDim] = head.logStd.shape;
  if (head.logStd.rank !== 2 || head.latent.length !== batch * latentDim) {
    throw new ShapeError(
      `fisherVectorProduct: gSDE needs logStd [L, D] and latent [${batch}, L], got [${head.logStd.shape.join(", ")}] and ${head.latent.length} values`,
    );
  }
  const ls = head.logStd.data();
  const out = new Float64Array(batch * actDim).fill(1e-6);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < latentDim; j++) {
      const phi = head.latent[b * latentDim + j];
      const phi2 = phi * phi;
      for (let k = 0; k < actDim; k++) out[b * actDim + k] += phi2 * exp(2 * ls[j * actDim + k]);
    }
  }
  return out;
}

/** Copy the parameters' gradients into `flat`, or back from it when `toGrads`. */
function copyGrads(params: readonly Tensor[], flat: Float64Array, toGrads: boolean): void {
  let off = 0;
  for (const p of params) {
    const g = p.grad as Tensor; // checked on entry
    const view = g.engine.arena.view;
    const o = g.live();
    if (toGrads) for (let i = 0; i < g.size; i++) view[o + i] = flat[off + i];
    else for (let i = 0; i < g.size; i++) flat[off + i] = view[o + i];
    off += g.size;
  }
}
