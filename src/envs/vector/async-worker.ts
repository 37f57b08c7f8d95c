// Worker thread of AsyncVectorEnv: owns one sub-env and answers the commands of worker-protocol.ts (loaded by the
// bootstrap in async-vector-env.ts, which also reports the thread's exit).
import { workerData as data } from "node:worker_threads";
import { EnvError } from "../../errors.js";
import type { Env } from "../env.js";
import { make } from "../registry.js";
import { canSnapshot } from "../snapshot.js";
import { AutoresetSubEnv } from "./autoreset.js";
import { ANSWER, type Command, type Reply, serializeError, type WorkerData } from "./worker-protocol.js";
import "../builtin.js";

const { source, index, mode, signal, port } = data as WorkerData;
const flags = new Int32Array(signal);

function reply(message: Reply): void {
  try {
    port.postMessage(message);
  } catch (e) {
    // e.g. an info value that cannot be cloned
    port.postMessage({ type: "error", error: serializeError(e) } satisfies Reply);
  }
  Atomics.store(flags, ANSWER, 1);
  Atomics.notify(flags, ANSWER);
}

async function createEnv(): Promise<Env<unknown, unknown>> {
  if ("id" in source) {
    // the registration's workerSetup: e.g. tsrl/mujoco's initMujoco, which registers and loads the MuJoCo envs
    if (source.setup)
      await ((await import(source.setup.module)) as Record<string, () => unknown>)[source.setup.exportName]();
    return make(source.id, source.options ?? {});
  }
  const mod = (await import(source.module)) as Record<string, unknown>;
  const factory = mod[source.exportName ?? "default"];
  if (typeof factory !== "function") {
    throw new TypeError(
      `module ${source.module} has no function export ${JSON.stringify(source.exportName ?? "default")}`,
    );
  }
  return factory(source.args) as Env<unknown, unknown>;
}

let env: Env<unknown, unknown>;
let sub: AutoresetSubEnv | null = null;
let actions: Float64Array = new Float64Array(0);
let pendingRestore: (() => void) | null = null;

function handle(cmd: Command): Reply {
  switch (cmd.type) {
    case "buffers":
      actions = new Float64Array(cmd.actions);
      sub = new AutoresetSubEnv(env, index, mode, {
        observations: new Float32Array(cmd.observations),
        rewards: new Float64Array(cmd.rewards),
        terminated: new Uint8Array(cmd.terminated),
        truncated: new Uint8Array(cmd.truncated),
        finalObservations: new Float32Array(cmd.finalObservations),
      });
      return { type: "ok" };
    case "reset":
      return { type: "info", info: (sub as AutoresetSubEnv).reset(cmd.seed, cmd.options) };
    case "step":
      return { type: "info", info: (sub as AutoresetSubEnv).step(actions) };
    case "close":
      env.close();
      return { type: "ok" };
    case "snapshot":
      return { type: "snapshot", snapshot: (sub as AutoresetSubEnv).snapshot() };
    case "prepareRestore":
      pendingRestore = null;
      pendingRestore = (sub as AutoresetSubEnv).prepareRestore(cmd.snapshot, "AsyncVectorEnv");
      return { type: "ok" };
    case "applyRestore":
      if (pendingRestore === null) throw new EnvError("applyRestore without a checked snapshot");
      pendingRestore();
      pendingRestore = null;
      return { type: "ok" };
    case "dropRestore":
      pendingRestore = null;
      return { type: "ok" };
  }
}

try {
  env = await createEnv();
  reply({
    type: "ready",
    observationSpace: env.observationSpace.toJSON(),
    actionSpace: env.actionSpace.toJSON(),
    canSnapshot: canSnapshot(env),
  });
  port.on("message", (cmd: Command) => {
    let answer: Reply;
    try {
      answer = handle(cmd);
    } catch (e) {
      answer = { type: "error", error: serializeError(e) };
    }
    reply(answer);
  });
} catch (e) {
  reply({ type: "error", error: serializeError(e) });
}
