import {
  CheckpointError,
  EnvError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  type TsrlError,
} from "../../errors.js";
import type { SpaceJSON } from "../../spaces/space.js";
import type { Info } from "../env.js";
import type { EnvSnapshot } from "../snapshot.js";
import type { AutoresetMode } from "./vector-env.js";

// Messages between AsyncVectorEnv and its workers. Every command gets exactly one reply on the worker's port,
// after which the worker sets signal[ANSWER] and notifies; signal[DEAD] is set when the worker thread exits.

/** Where a worker gets its environment: a registered id (built-ins are registered) or a module exporting a factory. */
export type AsyncEnvSource =
  | { id: string; options?: Record<string, unknown>; setup?: { module: string; exportName: string } }
  | { module: string; exportName?: string; args?: unknown };

export const ANSWER = 0;
export const DEAD = 1;

/** The part of Node's worker_threads MessagePort a worker uses. */
export interface WorkerPort {
  postMessage(message: unknown): void;
  on(event: "message", listener: (command: Command) => void): unknown;
}

export interface WorkerData {
  source: AsyncEnvSource;
  index: number;
  mode: AutoresetMode;
  /** Int32Array(2) over shared memory: [answer ready, dead]. */
  signal: SharedArrayBuffer;
  /** Node's MessagePort, typed by what the worker uses: this file's types stay free of @types/node, so the public
   * types (AsyncEnvSource is exported from here) compile in a browser project. */
  port: WorkerPort;
  /** URL of async-worker.(ts|js), imported by the bootstrap. */
  script: string;
  /** URL of tsx's API when the worker must load TypeScript. */
  tsxApi: string | undefined;
}

export type Command =
  | {
      type: "buffers";
      observations: SharedArrayBuffer;
      rewards: SharedArrayBuffer;
      terminated: SharedArrayBuffer;
      truncated: SharedArrayBuffer;
      finalObservations: SharedArrayBuffer;
      actions: SharedArrayBuffer;
    }
  | { type: "reset"; seed: number | undefined; options: Record<string, unknown> | undefined }
  | { type: "step" }
  | { type: "close" }
  | { type: "snapshot" }
  // restore in two phases: every worker checks its part, then all apply (or all drop it)
  | { type: "prepareRestore"; snapshot: EnvSnapshot }
  | { type: "applyRestore" }
  | { type: "dropRestore" };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type Reply =
  | { type: "ready"; observationSpace: SpaceJSON; actionSpace: SpaceJSON; canSnapshot: boolean }
  | { type: "snapshot"; snapshot: EnvSnapshot }
  | { type: "ok" }
  | { type: "info"; info: Info }
  | { type: "error"; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}

const ERROR_CLASSES: Record<string, new (message: string) => TsrlError> = {
  CheckpointError,
  EnvError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
};

/** Rebuild a worker's error in the caller's thread: tsrl's classes keep their class, others become EnvError. */
export function deserializeError(prefix: string, e: SerializedError): TsrlError {
  const Ctor = ERROR_CLASSES[e.name];
  const err = Ctor ? new Ctor(`${prefix}: ${e.message}`) : new EnvError(`${prefix} threw ${e.name}: ${e.message}`);
  if (e.stack) err.cause = { workerStack: e.stack };
  return err;
}
