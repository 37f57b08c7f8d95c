import { Sb3ImportError } from "../errors.js";
import { hiddenSizes, type Sb3Data } from "./sb3-data.js";
import type { TorchTensor } from "./torch-pth.js";

/**
 * SB3's DQN QNetwork onto tsrl's DQN. The one file to adapt when either side's layout changes.
 *
 * SB3: `q_net.q_net.{0,2,..}` Linear layers between ReLUs (the last one outputs the Q-values) and the same under
 * `q_net_target`. tsrl: the online network's parameters, then the target network's, layer by layer, [out, in]
 * weights and [out] biases: the same layout, mapped one to one in this order.
 */
export function dqnParameters(
  data: Sb3Data,
  sd: ReadonlyMap<string, TorchTensor>,
): { online: TorchTensor[]; target: TorchTensor[] } {
  const hidden = hiddenSizes(data.policy.netArch, "qf");
  const net = (prefix: string) => {
    const out: TorchTensor[] = [];
    for (let i = 0; i <= hidden.length; i++) {
      for (const part of ["weight", "bias"]) {
        const name = `${prefix}.q_net.${2 * i}.${part}`;
        const t = sd.get(name);
        if (t === undefined) throw new Sb3ImportError(`SB3 DQN: policy.pth has no tensor ${name}`);
        out.push(t);
      }
    }
    return out;
  };
  const known = new Set(
    [...Array(hidden.length + 1).keys()].flatMap((i) =>
      ["q_net", "q_net_target"].flatMap((p) => [`${p}.q_net.${2 * i}.weight`, `${p}.q_net.${2 * i}.bias`]),
    ),
  );
  const unexpected = [...sd.keys()].filter((k) => !known.has(k));
  if (unexpected.length > 0) {
    throw new Sb3ImportError(
      `SB3 DQN: tensors ${unexpected.slice(0, 5).join(", ")} are not part of an MLP QNetwork (CNN extractors are not supported)`,
    );
  }
  return { online: net("q_net"), target: net("q_net_target") };
}

/** tsrl's DQN config for an SB3 DQN model (tsrl's Q-network is an MLP with ReLU). */
export function dqnConfig(data: Sb3Data): Record<string, unknown> {
  if (data.policy.activation !== "relu") {
    throw new Sb3ImportError(
      `SB3 DQN: activation ${data.policy.activation} is not supported (tsrl's Q-network uses ReLU)`,
    );
  }
  const config: Record<string, unknown> = { netArch: [...hiddenSizes(data.policy.netArch, "qf")] };
  const eps = data.policy.optimizerKwargs.eps;
  if (typeof eps === "number") config.adamEps = eps;
  return config;
}
