// The lecture's comparisons, each a ready-made experiment: variants of one config, run over several seeds.
import type { RunSpec, ZooDefaults, ZooTable } from "./protocol.js";

export interface Variant {
  name: string;
  algo: string;
  /** Options over the algorithm's tuned CartPole defaults (or over `base` when given). */
  hyperparams: Record<string, unknown>;
  /** Replace the zoo defaults entirely (the DQN comparison fixes every option itself). */
  base?: Record<string, unknown>;
  nEnvs?: number;
}

export interface Experiment {
  id: string;
  title: string;
  envId: string;
  /** Env steps per run at scale 1. */
  steps: number;
  variants: Variant[];
}

// DQN's comparison as `npm run bench:dqn -- --naive` measures it (docs/dqn.md): same network, Adam, exploration and
// one gradient step per env step; only replay and the target network change.
const DQN_COMMON = {
  learningRate: 1e-3,
  gamma: 0.99,
  netArch: [64, 64],
  explorationFraction: 0.2,
  explorationFinalEps: 0.02,
  trainFreq: 1,
  gradientSteps: 1,
};
const REPLAY = { bufferSize: 50_000, batchSize: 64, learningStarts: 1000 };

// PPO's implementation details switched off together (docs/ppo-details.md lists each option).
const PPO_NO_DETAILS = {
  policyKwargs: { orthoInit: false },
  adamEps: 1e-8,
  learningRate: 0.001,
  clipRange: 0.2,
  normalizeAdvantage: false,
  maxGradNorm: 1e6, // no global clipping in effect (the option takes a finite number)
};

export const EXPERIMENTS: Experiment[] = [
  {
    id: "dqn-replay-target",
    title: "DQN: online candidate vs + replay vs + replay + target network",
    envId: "CartPole-v1",
    steps: 30_000,
    variants: [
      {
        name: "candidate (online)",
        algo: "DQN",
        base: DQN_COMMON,
        hyperparams: { replay: false, targetNetwork: false },
      },
      { name: "+ replay", algo: "DQN", base: DQN_COMMON, hyperparams: { ...REPLAY, targetNetwork: false } },
      {
        name: "+ replay + target",
        algo: "DQN",
        base: DQN_COMMON,
        hyperparams: { ...REPLAY, targetUpdateInterval: 500 },
      },
    ],
  },
  {
    id: "policy-gradient",
    title: "REINFORCE vs REINFORCE + baseline vs A2C vs PPO",
    envId: "CartPole-v1",
    steps: 100_000,
    variants: [
      { name: "REINFORCE", algo: "REINFORCE", hyperparams: { baseline: false } },
      { name: "REINFORCE + baseline", algo: "REINFORCE", hyperparams: { baseline: true } },
      { name: "A2C", algo: "A2C", hyperparams: {} },
      { name: "PPO", algo: "PPO", hyperparams: {} },
    ],
  },
  {
    id: "ppo-details",
    title: "PPO with and without its implementation details",
    envId: "CartPole-v1",
    steps: 100_000,
    variants: [
      { name: "PPO (all details)", algo: "PPO", hyperparams: {} },
      { name: "no advantage normalization", algo: "PPO", hyperparams: { normalizeAdvantage: false } },
      { name: "no orthogonal init", algo: "PPO", hyperparams: { policyKwargs: { orthoInit: false } } },
      { name: "no details", algo: "PPO", hyperparams: PPO_NO_DETAILS },
    ],
  },
];

function zooDefaults(zoo: Record<string, ZooTable>, algo: string, envId: string): ZooDefaults {
  const table = zoo[algo];
  const entry = table?.entries[envId] ?? table?.fallback;
  if (!entry) throw new Error(`no defaults for ${algo} on ${envId}`);
  return entry;
}

/** Every run of `exp`: variants x seeds, steps scaled. */
export function experimentRuns(
  exp: Experiment,
  zoo: Record<string, ZooTable>,
  seeds: number,
  scale: number,
): RunSpec[] {
  const runs: RunSpec[] = [];
  const steps = Math.max(1000, Math.round(exp.steps * scale));
  for (const v of exp.variants) {
    const d = v.base ? { nEnvs: 1, hyperparams: v.base, envKwargs: {} } : zooDefaults(zoo, v.algo, exp.envId);
    for (let seed = 0; seed < seeds; seed++) {
      runs.push({
        key: `${v.name}/${seed}`,
        algo: v.algo,
        envId: exp.envId,
        totalTimesteps: steps,
        nEnvs: v.nEnvs ?? d.nEnvs,
        seed,
        hyperparams: { ...d.hyperparams, ...v.hyperparams },
        envKwargs: d.envKwargs,
      });
    }
  }
  return runs;
}
