// make() of a MuJoCo id before the tsrl/mujoco entry is imported, and before initMujoco(): errors that say what to do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvError, make } from "../../../src/index.js";

test("make(MuJoCo id) without the entry or without initMujoco says how to load MuJoCo", async () => {
  assert.throws(
    () => make("Hopper-v5"),
    (e: Error) =>
      e instanceof EnvError && /npm install mujoco@3\.1\.16.*tsrl\/mujoco.*await initMujoco\(\)/.test(e.message),
  );
  await import("../../../src/mujoco.js");
  assert.throws(
    () => make("Walker2d-v5"),
    (e: Error) => e instanceof EnvError && /MuJoCo is not loaded.*await initMujoco\(\)/.test(e.message),
  );
});
