/**
 * The worker process of a local pool (forked by RunPool): runs the cells it is sent, one at a time, and answers with
 * progress, checkpoints, and the summary or the error. Exits when its parent goes (a killed study or worker leaves no
 * orphan training).
 */
import { executeRun } from "./execute-run.js";
import type { ChildMessage, ParentMessage } from "./run-pool.js";

const parent = process.ppid;
const send = (m: ChildMessage) => {
  if (!process.connected) process.exit(0);
  process.send?.(m, undefined, {}, (e) => {
    if (e) process.exit(0); // the parent has gone
  });
};

// training rarely yields to the event loop, so "disconnect" may wait for the run's end: the progress beat also
// checks that the parent still lives (a killed parent re-parents this process)
process.on("disconnect", () => process.exit(0));
const orphaned = () => process.ppid !== parent;
process.on("message", (m: ParentMessage) => {
  const { id, run, runDir, packCheckpoints, artifactsDir } = m;
  executeRun(run, runDir, {
    packCheckpoints,
    artifactsDir,
    progress: (steps) => {
      if (orphaned()) process.exit(0);
      send({ id, type: "progress", steps });
    },
    checkpoint: (path, steps, packed) => {
      send({ id, type: "checkpoint", path, steps, packed });
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
