import { Sb3ImportError } from "../errors.js";
import { hiddenSizes, type Sb3Data } from "./sb3-data.js";
import type { TorchTensor } from "./torch-pth.js";

/**
 * SB3's SAC, TD3 and DDPG policies onto tsrl's. The one file to adapt when either side's layout changes.
 *
 * SB3: critics `critic.qf{j}.{0,2,..}` (Linear layers between activations over [s, a]) and `critic_target.*`;
 * SAC's actor `actor.latent_pi.{0,2,..}` with two heads `actor.mu` and `actor.log_std`; TD3/DDPG's actor
 * `actor.mu.{0,2,..}` (tanh after the last layer) and `actor_target.*`. tsrl: checkpoint groups `actor/`,
 * `actor_target/` (TD3, DDPG), `critic/`, `critic_target/`, each the MLP's layers in order, [out, in] weights and
 * [out] biases; SAC's actor MLP ends in ONE layer of 2 dim(A) outputs, the means then the log-stds, so SB3's two
 * heads are stacked into it. With gSDE, SAC's actor is `pi.{i}` to the latent features, `mu`, and `log_std`
 * [latent, dim(A)], as SB3's `latent_pi`, `mu.0` and `log_std`.
 */
export function offPolicyParameters(
  data: Sb3Data,
  sd: ReadonlyMap<string, TorchTensor>,
): Record<string, TorchTensor[]> {
  const used = new Set<string>();
  const get = (name: string): TorchTensor => {
    used.add(name);
    const t = sd.get(name);
    if (t === undefined) throw new Sb3ImportError(`SB3 ${data.algorithm}: policy.pth has no tensor ${name}`);
    return t;
  };
  const layers = (prefix: string, n: number) => {
    const out: TorchTensor[] = [];
    for (let i = 0; i < n; i++) out.push(get(`${prefix}.${2 * i}.weight`), get(`${prefix}.${2 * i}.bias`));
    return out;
  };
  const pi = hiddenSizes(data.policy.netArch, "pi");
  const qf = hiddenSizes(data.policy.netArch, "qf");
  let nCritics = 0;
  while (sd.has(`critic.qf${nCritics}.0.weight`)) nCritics++;
  const critics = (prefix: string) =>
    Array.from({ length: nCritics }, (_, j) => layers(`${prefix}.qf${j}`, qf.length + 1)).flat();
  const groups: Record<string, TorchTensor[]> = { critic: critics("critic"), critic_target: critics("critic_target") };
  if (data.algorithm === "SAC" && (sd.has("actor.log_std") || data.policy.useSde)) {
    // gSDE (SB3's Actor with use_sde): mu = Sequential(Linear, Hardtanh(-clip_mean, clip_mean)) over latent_pi,
    // the exploration matrix's log-std a parameter [latent, dim(A)] (full_std), the latent features latent_pi's
    const p = data.policy;
    if (!p.fullStd || p.useExpln) {
      throw new Sb3ImportError(
        `SB3 SAC with gSDE: full_std=${p.fullStd}, use_expln=${p.useExpln} is not supported (tsrl's gSDE SAC: full_std=True, use_expln=False)`,
      );
    }
    if (!sd.has("actor.mu.0.weight")) {
      throw new Sb3ImportError("SB3 SAC with gSDE and clip_mean=0 is not supported (tsrl clamps the mean to [-2, 2])");
    }
    groups.actor = [
      ...layers("actor.latent_pi", pi.length),
      get("actor.mu.0.weight"),
      get("actor.mu.0.bias"),
      get("actor.log_std"),
    ];
  } else if (data.algorithm === "SAC") {
    groups.actor = [
      ...layers("actor.latent_pi", pi.length),
      stackRows(get("actor.mu.weight"), get("actor.log_std.weight")),
      stackRows(get("actor.mu.bias"), get("actor.log_std.bias")),
    ];
  } else {
    groups.actor = layers("actor.mu", pi.length + 1);
    groups.actor_target = layers("actor_target.mu", pi.length + 1);
  }
  const unexpected = [...sd.keys()].filter((k) => !used.has(k));
  if (unexpected.length > 0) {
    throw new Sb3ImportError(
      `SB3 ${data.algorithm}: tensors ${unexpected.slice(0, 5).join(", ")} are not part of an MLP policy (CNN extractors are not supported)`,
    );
  }
  return groups;
}

/** The rows of `a` then those of `b` (both [rows, cols] or [rows]). */
function stackRows(a: TorchTensor, b: TorchTensor): TorchTensor {
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data as Float32Array);
  data.set(b.data as Float32Array, a.data.length);
  return { dtype: "float32", shape: [a.shape[0] + b.shape[0], ...a.shape.slice(1)], data };
}

/** tsrl's config for an SB3 SAC/TD3/DDPG model: the architecture (and nCritics for SAC/TD3). */
export function offPolicyConfig(data: Sb3Data, sd: ReadonlyMap<string, TorchTensor>): Record<string, unknown> {
  const p = data.policy;
  const pi = [...hiddenSizes(p.netArch, "pi")];
  const qf = [...hiddenSizes(p.netArch, "qf")];
  let nCritics = 0;
  while (sd.has(`critic.qf${nCritics}.0.weight`)) nCritics++;
  const config: Record<string, unknown> = {
    netArch: pi.length === qf.length && pi.every((s, i) => s === qf[i]) ? pi : { pi, qf },
    activation: p.activation,
  };
  if (data.algorithm !== "DDPG") config.nCritics = nCritics;
  if (data.algorithm === "SAC" && p.useSde) config.logStdInit = p.logStdInit;
  return config;
}
