import { Sb3ImportError } from "../errors.js";
import { hiddenSizes, type Sb3Data } from "./sb3-data.js";
import type { TorchTensor } from "./torch-pth.js";

/**
 * SB3's ActorCriticPolicy (PPO, A2C, sb3-contrib's TRPO) onto tsrl's actor-critic policy. The one file to adapt
 * when either side's layout changes.
 *
 * SB3 (>= 1.8) always builds separate actor and critic MLPs (`mlp_extractor.policy_net.{0,2,..}`,
 * `mlp_extractor.value_net.{0,2,..}`, Linear layers at even indices between activations), heads `action_net`
 * and `value_net`, and a `log_std` parameter for Box actions ([dim], or [latent, dim] with gSDE). tsrl's policy
 * parameters, in order: actor MLP layers (the head last), `log_std`, critic MLP layers (the value head last), as
 * [out, in] weights and [out] biases: the same layout, so the tensors map one to one in this order.
 */
export function onPolicyParameters(data: Sb3Data, sd: ReadonlyMap<string, TorchTensor>): TorchTensor[] {
  const order: string[] = [];
  const pi = hiddenSizes(data.policy.netArch, "pi");
  const vf = hiddenSizes(data.policy.netArch, "vf");
  const layers = (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) order.push(`${prefix}.${2 * i}.weight`, `${prefix}.${2 * i}.bias`);
  };
  layers("mlp_extractor.policy_net", pi.length);
  order.push("action_net.weight", "action_net.bias");
  if (sd.has("log_std")) order.push("log_std");
  layers("mlp_extractor.value_net", vf.length);
  order.push("value_net.weight", "value_net.bias");
  const unexpected = [...sd.keys()].filter((k) => !order.includes(k));
  if (unexpected.length > 0) {
    throw new Sb3ImportError(
      `SB3 ${data.algorithm} policy: tensors ${unexpected.slice(0, 5).join(", ")} are not part of an MLP actor-critic policy (a CNN or shared features extractor is not supported)`,
    );
  }
  return order.map((name) => {
    const t = sd.get(name);
    if (t === undefined) throw new Sb3ImportError(`SB3 ${data.algorithm} policy: policy.pth has no tensor ${name}`);
    return t;
  });
}

/** tsrl's config for an SB3 on-policy model: hyperparameters under tsrl's names and the policy architecture. */
export function onPolicyConfig(data: Sb3Data): Record<string, unknown> {
  const p = data.policy;
  if (p.useSde && !p.fullStd) throw new Sb3ImportError("SB3 policy: gSDE with full_std=False is not supported");
  if (p.useExpln) throw new Sb3ImportError("SB3 policy: gSDE with use_expln=True is not supported");
  // SB3 >= 1.8: a list means the same sizes for two separate networks
  const netArch = { pi: [...hiddenSizes(p.netArch, "pi")], vf: [...hiddenSizes(p.netArch, "vf")] };
  const config: Record<string, unknown> = {
    policyKwargs: {
      netArch,
      activation: p.activation,
      logStdInit: p.logStdInit,
      ...(p.squashOutput ? { squashOutput: true } : {}),
    },
  };
  if (data.algorithm === "A2C") {
    const cls = p.optimizerClass;
    config.optimizer = cls === "Adam" ? "adam" : cls === "RMSpropTFLike" ? "rmsprop-tf" : "rmsprop";
  }
  const eps = p.optimizerKwargs.eps;
  if (typeof eps === "number") config[data.algorithm === "A2C" ? "optimizerEps" : "adamEps"] = eps;
  return config;
}
