// How a run builds the env it trains on from a zoo entry: shared by the CLI (run.ts) and the web page, so it is
// browser-safe (exported with the zoo tables as `tsrl/zoo`).
import type { AnyEnv, VectorEnvLike } from "../algos/common/algorithm.js";
import { make, makeVec } from "../envs/index.js";

export type Vectorization = "sync" | "async";

/** The env a run trains on: a single env, or a same-step vector env of `nEnvs` copies (worker threads if "async"). */
export function makeTrainEnv(
  envId: string,
  nEnvs: number,
  envKwargs: Record<string, unknown>,
  vectorization: Vectorization = "sync",
): AnyEnv | VectorEnvLike {
  if (nEnvs === 1 && vectorization === "sync") return make(envId, envKwargs);
  const vec = makeVec(envId, nEnvs, {
    vectorizationMode: vectorization,
    autoresetMode: "same-step",
    envOptions: envKwargs,
  });
  return Object.assign(vec, { envId });
}
