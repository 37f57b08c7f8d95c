import { checkThreads } from "../../core/kernels/thread-pool.js";
import { Rng, type RngState } from "../../core/rng.js";
import { make, registeredIds } from "../../envs/registry.js";
import { CheckpointError, describe, InvalidArgumentError } from "../../errors.js";
import type { SpaceJSON } from "../../spaces/space.js";
import type { Algorithm, LoadOptions } from "./algorithm.js";
import type { Checkpoint, StateTensor } from "./checkpoint.js";
import { type AnyEnv, isVectorEnv } from "./env-like.js";
import { type AlgorithmClass, getAlgorithmClass, listAlgorithms } from "./registry.js";

// Checkpoint I/O of the Algorithm base: find the class a checkpoint names, check it against the env and the
// model's own state template, and the small checks those need.

/** The shared part of `load`/`fromBytes`/`fromCheckpoint`; `calledOn` is the class the static was called on. */
export function loadCheckpointAs(calledOnClass: unknown, ckpt: Checkpoint, opts: LoadOptions): Algorithm {
  const meta = ckpt.meta;
  const calledOn = calledOnClass as AlgorithmClass;
  let cls: AlgorithmClass;
  if (calledOn.algorithmName === "Algorithm") {
    const found = getAlgorithmClass(meta.algorithm);
    if (!found) {
      throw new CheckpointError(
        `checkpoint is for unknown algorithm ${JSON.stringify(meta.algorithm)}; registered: ${listAlgorithms().join(", ") || "(none: import tsrl's algorithms first)"}`,
      );
    }
    cls = found;
  } else {
    if (calledOn.algorithmName !== meta.algorithm) {
      throw new CheckpointError(
        `checkpoint holds a ${JSON.stringify(meta.algorithm)} model, cannot load it with ${calledOn.algorithmName}.load; use Algorithm.load or ${meta.algorithm}.load`,
      );
    }
    cls = calledOn;
  }
  const env = opts?.env ?? envOfCheckpoint(meta.envId, cls.algorithmName);
  if (env === null || typeof env !== "object") {
    throw new InvalidArgumentError(
      `${cls.algorithmName}.load: opts.env must be an Env or a vector env, got ${describe(env)}`,
    );
  }
  const obsSpace = isVectorEnv(env) ? env.singleObservationSpace : (env as AnyEnv).observationSpace;
  const actSpace = isVectorEnv(env) ? env.singleActionSpace : (env as AnyEnv).actionSpace;
  checkSpaceMatch("observation", meta.observationSpace, obsSpace.toJSON());
  checkSpaceMatch("action", meta.actionSpace, actSpace.toJSON());

  const threads = checkThreads(opts.threads, `${cls.algorithmName}.load: opts.threads`);
  let model: Algorithm;
  try {
    model = new cls(env, { ...meta.config, threads });
  } catch (e) {
    throw new CheckpointError(`checkpoint config was rejected by ${cls.algorithmName}: ${(e as Error).message}`);
  }
  model.restoreCheckpoint(ckpt, opts.restoreEnvState ?? true);
  return model;
}

/** The env a checkpoint records by id, for `load` without `{ env }`. */
function envOfCheckpoint(envId: string | null, algo: string): AnyEnv {
  if (envId === null || !registeredIds().includes(envId)) {
    throw new CheckpointError(
      `${algo}.load: the model was trained on ${envId === null ? "an env without an id" : `${JSON.stringify(envId)}, which is not registered here`}; pass { env } (an env with the same spaces), or register the id first`,
    );
  }
  return make(envId);
}

export function arrayTensor(arr: Float64Array | Float32Array | Int32Array | Uint8Array): StateTensor {
  const shape = [arr.length];
  if (arr instanceof Float64Array) return { dtype: "F64", shape, data: new Float64Array(arr) };
  if (arr instanceof Float32Array) return { dtype: "F32", shape, data: new Float32Array(arr) };
  if (arr instanceof Int32Array) return { dtype: "I32", shape, data: new Int32Array(arr) };
  return { dtype: "U8", shape, data: new Uint8Array(arr) };
}

export function checkTensorMatch(
  name: string,
  want: { dtype: string; shape: readonly number[] },
  got: StateTensor,
): void {
  if (
    want.dtype !== got.dtype ||
    want.shape.length !== got.shape.length ||
    want.shape.some((d, i) => d !== got.shape[i])
  ) {
    throw new CheckpointError(
      `checkpoint tensor ${JSON.stringify(name)} is ${got.dtype}[${got.shape.join(", ")}], the model expects ${want.dtype}[${want.shape.join(", ")}]`,
    );
  }
}

export function checkSpaceMatch(what: string, saved: SpaceJSON, env: SpaceJSON): void {
  if (JSON.stringify(saved) !== JSON.stringify(env)) {
    throw new CheckpointError(
      `checkpoint ${what} space ${JSON.stringify(saved)} does not match the env's ${JSON.stringify(env)}`,
    );
  }
}

export function checkedRngState(where: string, s: RngState): RngState {
  try {
    new Rng(0).setState(s);
  } catch {
    throw new CheckpointError(`checkpoint ${where} is not a valid RNG state: ${describe(s)}`);
  }
  return s;
}

export function checkJsonRoundTrip(what: string, original: unknown, copy: unknown, path = ""): void {
  if (typeof original === "function" || typeof original === "symbol" || typeof original === "bigint") {
    throw new InvalidArgumentError(
      `${what}${path} is a ${typeof original}; configs must be plain JSON data to be saved`,
    );
  }
  if (typeof original === "number" && !Number.isFinite(original)) {
    throw new InvalidArgumentError(`${what}${path} is ${original}; configs must hold finite numbers to be saved`);
  }
  if (original !== null && typeof original === "object") {
    for (const [k, v] of Object.entries(original)) {
      if (v === undefined) continue;
      checkJsonRoundTrip(what, v, (copy as Record<string, unknown>)[k], `${path}.${k}`);
    }
  }
}
