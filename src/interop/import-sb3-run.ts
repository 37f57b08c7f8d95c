/**
 * `tsrl import-sb3`: an SB3 model zip into a tsrl run folder (Node: reads and writes files), so that `tsrl eval`,
 * `tsrl enjoy` and `tsrl export` work on it:
 *
 *   <out>/config.json        the run config (algorithm, env, the model's resolved hyperparameters)
 *   <out>/model.safetensors  the imported model as a tsrl checkpoint
 *   <out>/import.json        the SB3 version and the values that were not imported (cloudpickled schedules...)
 *   <out>/checkpoints/checkpoint_<steps>_steps.safetensors   the same model, where `tsrl resume` starts from
 *
 * With `steps`, the run plans that many more training steps, which `tsrl resume <out>` then trains.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LIBRARY_VERSION } from "../algos/common/checkpoint.js";
import type { Algorithm } from "../algos/index.js";
import { make, registeredIds } from "../envs/index.js";
import { describe, InvalidArgumentError, Sb3ImportError } from "../errors.js";
import { spacesEqual } from "../spaces/utils.js";
import type { RunConfig } from "../train/run.js";
import { importSb3, readSb3Model } from "./import-sb3.js";

export interface ImportSb3RunOptions {
  /** The run folder to create (must not exist or be empty). */
  out: string;
  /** The env id; default: the one registered env whose spaces equal the model's (an error when none or several). */
  env?: string;
  seed?: number;
  /** Further training steps `tsrl resume` will run (default 0: the run is complete as imported). */
  steps?: number;
  /** SB3's VecNormalize statistics (`vecnormalize.pkl`) the model was trained with. */
  vecNormalize?: string;
}

export async function importSb3Run(
  zipPath: string,
  opts: ImportSb3RunOptions,
): Promise<{ runDir: string; model: Algorithm; envId: string; notImported: string[] }> {
  const sb3 = await readSb3Model(zipPath);
  const { data } = sb3;
  let envId = opts.env;
  if (envId === undefined) {
    const matches = registeredIds().filter((id) => {
      let e: ReturnType<typeof make>;
      try {
        e = make(id);
      } catch {
        return false; // an env whose optional dependency is not loaded (MuJoCo before initMujoco)
      }
      return spacesEqual(e.observationSpace, data.observationSpace) && spacesEqual(e.actionSpace, data.actionSpace);
    });
    if (matches.length !== 1) {
      throw new Sb3ImportError(
        `the SB3 zip does not record its environment and ${matches.length === 0 ? "no registered env has" : `${matches.join(", ")} all have`} its spaces (${data.observationSpace} / ${data.actionSpace}); pass --env <id>`,
      );
    }
    envId = matches[0];
  }
  if (!registeredIds().includes(envId)) {
    throw new InvalidArgumentError(
      `unknown environment ${describe(envId)}; choose one of: ${registeredIds().join(", ")}`,
    );
  }
  if (existsSync(opts.out) && existsSync(join(opts.out, "config.json"))) {
    throw new InvalidArgumentError(`${describe(opts.out)} already holds a run (config.json); choose another --out`);
  }
  const seed = opts.seed ?? 0;
  const steps = opts.steps ?? 0;
  if (!Number.isSafeInteger(steps) || steps < 0) {
    throw new InvalidArgumentError(`steps must be a non-negative integer, got ${describe(steps)}`);
  }
  const model = await importSb3(sb3, { env: make(envId), seed, vecNormalize: opts.vecNormalize });
  mkdirSync(opts.out, { recursive: true });
  const cfg: RunConfig = {
    algorithm: model.algoName,
    env: envId,
    seed,
    nEnvs: 1,
    vectorization: "sync",
    totalTimesteps: data.numTimesteps + steps,
    hyperparams: JSON.parse(JSON.stringify(model.config)),
    envKwargs: {},
    evalFreq: 0,
    evalEpisodes: 0,
    // a run that trains further ends with an evaluation, as tsrl train's do
    finalEvalEpisodes: steps > 0 ? 10 : 0,
    // resume's checkpoints over the further steps (5, as tsrl train makes)
    checkpointFreq: Math.max(1, Math.ceil(steps / 5)),
    zoo: { tuned: false, source: `imported from SB3 ${sb3.sb3Version ?? "(unknown version)"}: ${zipPath}` },
    tsrlVersion: LIBRARY_VERSION,
  };
  writeFileSync(join(opts.out, "config.json"), `${JSON.stringify(cfg, null, 2)}\n`);
  await model.save(join(opts.out, "model.safetensors"));
  mkdirSync(join(opts.out, "checkpoints"), { recursive: true });
  await model.save(join(opts.out, "checkpoints", `checkpoint_${data.numTimesteps}_steps.safetensors`));
  const report = {
    source: zipPath,
    sb3Version: sb3.sb3Version,
    algorithm: data.algorithm,
    vecNormalize: opts.vecNormalize ?? null,
    // policy.optimizer.pth (PPO, A2C, TRPO, DQN), carried into tsrl's optimizer
    optimizerState: sb3.optimizer !== null,
    notImported: data.notImported,
  };
  writeFileSync(join(opts.out, "import.json"), `${JSON.stringify(report, null, 2)}\n`);
  return { runDir: opts.out, model, envId, notImported: data.notImported };
}
