import type { Space } from "../../spaces/space.js";
import {
  addPrefixed,
  type EnvSnapshot,
  prepareSpaceRngs,
  SnapshotReader,
  spaceRngStates,
  withoutPrefix,
} from "../snapshot.js";
import type { AutoresetMode } from "./vector-env.js";

/** What a vector env keeps besides its sub-envs: counts, mode, whether it was reset, a pending seed, its spaces. */
export interface VectorFrame {
  kind: "SyncVectorEnv" | "AsyncVectorEnv";
  numEnvs: number;
  obsDim: number;
  autoresetMode: AutoresetMode;
  started: boolean;
  initialSeed: number | undefined;
  spaces: readonly Space<unknown>[];
  observations: Float32Array;
}

/** Assemble a vector env's snapshot from its frame and its sub-envs' snapshots (arrays under `<i>/`). */
export function vectorSnapshot(frame: VectorFrame, subs: readonly EnvSnapshot[]): EnvSnapshot {
  const arrays: EnvSnapshot["arrays"] = { observations: frame.observations.slice() };
  for (let i = 0; i < subs.length; i++) addPrefixed(arrays, `${i}/`, subs[i].arrays);
  return {
    json: {
      kind: frame.kind,
      numEnvs: frame.numEnvs,
      autoresetMode: frame.autoresetMode,
      started: frame.started,
      initialSeed: frame.initialSeed ?? null,
      spaces: spaceRngStates(frame.spaces),
      subEnvs: subs.map((s) => s.json),
    },
    arrays,
  };
}

/**
 * Check the vector env's own part of a snapshot against `frame`; returns the sub-env snapshots to check and the
 * values to apply (`applySpaces` restores the spaces' generators).
 */
export function readVectorSnapshot(
  frame: VectorFrame,
  s: EnvSnapshot,
): {
  subs: EnvSnapshot[];
  started: boolean;
  initialSeed: number | undefined;
  observations: Float32Array;
  applySpaces: () => void;
} {
  const reader = new SnapshotReader(frame.kind, s?.json, s?.arrays);
  // either kind: a run may resume with the other vectorization mode
  reader.oneOf("kind", ["SyncVectorEnv", "AsyncVectorEnv"] as const);
  reader.expect("numEnvs", frame.numEnvs);
  reader.expect("autoresetMode", frame.autoresetMode);
  const started = reader.bool("started");
  const initialSeed = reader.json.initialSeed === null ? undefined : reader.int("initialSeed");
  const observations = reader.array("observations", Float32Array, frame.numEnvs * frame.obsDim, true);
  if (observations.some((v) => Number.isNaN(v))) throw reader.error("observations must not hold NaN");
  const applySpaces = prepareSpaceRngs(reader, "spaces", frame.spaces);
  const jsons = reader.json.subEnvs;
  if (!Array.isArray(jsons) || jsons.length !== frame.numEnvs) {
    throw reader.error(`subEnvs must list ${frame.numEnvs} sub-env states`);
  }
  const subs = jsons.map((json, i) => ({ json, arrays: withoutPrefix(reader.arrays, `${i}/`) }));
  return { subs, started, initialSeed, observations, applySpaces };
}
