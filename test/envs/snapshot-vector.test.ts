// Snapshots of vector envs: every sub-env, the autoreset flags and the observation batch, so that a restored vector
// env (sync or async, either way round) continues bit for bit; a bad snapshot changes no sub-env.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import "../../src/envs/builtin.js";
import { Rng } from "../../src/core/rng.js";
import type { EnvSnapshot, Snapshotting } from "../../src/envs/snapshot.js";
import { makeVec } from "../../src/envs/vector/make-vec.js";
import type { AutoresetMode, VectorEnv } from "../../src/envs/vector/vector-env.js";
import { CheckpointError } from "../../src/errors.js";
import { stable, throughCheckpoint } from "./snapshot-helpers.js";

const opened: VectorEnv[] = [];
after(async () => {
  for (const v of opened) await v.close();
});

function vec(id: string, n: number, mode: AutoresetMode, async = false): VectorEnv & Snapshotting {
  const v = makeVec(id, n, { seed: 7, autoresetMode: mode, vectorizationMode: async ? "async" : "sync" });
  opened.push(v);
  return v as VectorEnv & Snapshotting;
}

/** `steps` vector steps with random actions from `rng`; every output copied. */
function drive(v: VectorEnv, rng: Rng, steps: number): string[] {
  const out: string[] = [];
  const nActions = (v.singleActionSpace as unknown as { n: number }).n;
  const actions = new Int32Array(v.numEnvs);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < v.numEnvs; i++) actions[i] = rng.int(nActions);
    const r = v.step(actions);
    out.push(
      JSON.stringify([
        Buffer.from(r.observations.buffer, r.observations.byteOffset, r.observations.byteLength).toString("hex"),
        Array.from(r.rewards),
        Array.from(r.terminated),
        Array.from(r.truncated),
        // rows of finished episodes only (others are stale by contract)
        Array.from({ length: v.numEnvs }, (_, i) =>
          r.terminated[i] || r.truncated[i]
            ? Array.from(r.finalObservations.subarray(i * v.obsDim, (i + 1) * v.obsDim))
            : null,
        ),
      ]),
    );
  }
  return out;
}

function checkVector(id: string, mode: AutoresetMode, from: "sync" | "async", to: "sync" | "async", steps: number) {
  const a = vec(id, 3, mode, from === "async");
  a.reset();
  const rng = new Rng(1);
  drive(a, rng, steps);
  const snap = throughCheckpoint(a.snapshot());
  const rngState = rng.getState();
  const expected = drive(a, rng, steps);
  const b = vec(id, 3, mode, to === "async");
  b.restore(snap);
  rng.setState(rngState);
  assert.deepEqual(drive(b, rng, steps), expected, `${id} ${mode} ${from} -> ${to}`);
}

test("SyncVectorEnv continues bit for bit from a snapshot (both autoreset modes, pending resets included)", () => {
  for (const mode of ["next-step", "same-step"] as const) {
    checkVector("CartPole-v1", mode, "sync", "sync", 150);
    checkVector("FrozenLake-v1", mode, "sync", "sync", 150);
  }
  // find a snapshot taken with a reset pending (next-step mode, an episode just ended) and check it restores
  const v = vec("FrozenLake-v1", 2, "next-step");
  v.reset();
  const rng = new Rng(2);
  let pending: EnvSnapshot | null = null;
  for (let t = 0; t < 200 && pending === null; t++) {
    const r = v.step(Int32Array.from([rng.int(4), rng.int(4)]));
    if (r.terminated[0] || r.truncated[0]) pending = throughCheckpoint(v.snapshot());
  }
  assert.ok(pending !== null);
  const subs = (pending.json as { subEnvs: { pendingReset: boolean }[] }).subEnvs;
  assert.equal(subs[0].pendingReset, true);
  const w = vec("FrozenLake-v1", 2, "next-step");
  w.restore(pending);
  const r = w.step(Int32Array.from([0, 0]));
  assert.equal(r.rewards[0], 0, "the pending reset happens on the next step");
  assert.equal(r.terminated[0], 0);
});

test("AsyncVectorEnv snapshots through its workers and restores across vectorization modes", () => {
  checkVector("CartPole-v1", "same-step", "async", "async", 60);
  checkVector("CartPole-v1", "next-step", "sync", "async", 60);
  checkVector("CartPole-v1", "same-step", "async", "sync", 60);
});

test("vector snapshots are checked before anything changes", () => {
  for (const async of [false, true]) {
    const source = vec("CartPole-v1", 2, "same-step", async);
    source.reset();
    drive(source, new Rng(3), 20);
    const good = throughCheckpoint(source.snapshot());
    const target = vec("CartPole-v1", 2, "same-step", async);
    target.reset();
    drive(target, new Rng(4), 5);
    const before = stable(target.snapshot());
    const bad: [string, EnvSnapshot][] = [];
    const lastSub = throughCheckpoint(good);
    // sub-env 1's physics corrupted: sub-env 0 must not be restored either
    (lastSub.arrays["1/inner/inner/inner/state"] as Float64Array)[0] = Number.POSITIVE_INFINITY;
    bad.push(["sub-env 1 state", lastSub]);
    const count = throughCheckpoint(good);
    (count.json as { numEnvs: number }).numEnvs = 3;
    bad.push(["numEnvs", count]);
    const modeSnap = throughCheckpoint(good);
    (modeSnap.json as { autoresetMode: string }).autoresetMode = "next-step";
    bad.push(["autoreset mode", modeSnap]);
    const obs = throughCheckpoint(good);
    obs.arrays.observations = new Float32Array(3);
    bad.push(["observation batch", obs]);
    for (const [what, s] of bad) {
      assert.throws(() => target.restore(s), CheckpointError, `${what} (${async ? "async" : "sync"})`);
      assert.deepEqual(stable(target.snapshot()), before, `${what}: the vector env changed`);
    }
    target.restore(good);
    assert.deepEqual(stable(target.snapshot()), stable(good));
  }
});
