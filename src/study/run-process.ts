/**
 * The worker process of a local pool (forked by RunPool): runs the cells it is sent, one at a time, and answers with
 * progress, checkpoints, and the summary or the error. Exits when its parent goes (a killed study or worker leaves no
 * orphan training).
 */
import { executeRun } from "./execute-run.js";
import type { ChildMessage, ParentMessage } from "./run-pool.js";

const send = (m: ChildMessage) => process.send?.(m);

process.on("disconnect", () => process.exit(0));
process.on("message", (m: ParentMessage) => {
  const { id, run, runDir } = m;
  executeRun(run, runDir, {
    progress: (steps) => {
      send({ id, type: "progress", steps });
    },
    checkpoint: (path, steps) => {
      send({ id, type: "checkpoint", path, steps });
    },
  }).then(
    (summary) => send({ id, type: "done", summary }),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ id, type: "error", name: err.name, message: err.message });
    },
  );
});
send({ id: -1, type: "ready" });
