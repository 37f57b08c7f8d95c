import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/envs/builtin.js";
import { make } from "../../../src/envs/registry.js";
import { AsyncVectorEnv } from "../../../src/envs/vector/async-vector-env.js";
import { SyncVectorEnv } from "../../../src/envs/vector/sync-vector-env.js";
import type { AutoresetMode } from "../../../src/envs/vector/vector-env.js";
import { EnvError, InvalidArgumentError } from "../../../src/errors.js";

const fragile = { module: new URL("./fixtures/fragile-env.ts", import.meta.url).href, exportName: "makeFragileEnv" };

for (const mode of ["next-step", "same-step"] as AutoresetMode[]) {
  test(`${mode}: same results as SyncVectorEnv, step for step, episode ends included`, async () => {
    const n = 3;
    const asyncVec = new AsyncVectorEnv(
      Array.from({ length: n }, () => ({ id: "CartPole-v1" })),
      { autoresetMode: mode },
    );
    try {
      const syncVec = new SyncVectorEnv(
        Array.from({ length: n }, () => () => make("CartPole-v1")),
        { autoresetMode: mode },
      );
      assert.equal(asyncVec.obsDim, 4);
      assert.equal(asyncVec.actDim, 1);
      assert.equal(String(asyncVec.singleObservationSpace), String(syncVec.singleObservationSpace));
      const a = asyncVec.reset({ seed: 42 });
      const s = syncVec.reset({ seed: 42 });
      assert.deepEqual(a.observations, s.observations);
      const actions = new Int32Array(n);
      let ends = 0;
      for (let t = 0; t < 300; t++) {
        for (let i = 0; i < n; i++) actions[i] = (t * (i + 1)) % 3 === 0 ? 1 : 0;
        const ra = asyncVec.step(actions);
        const rs = syncVec.step(actions);
        assert.deepEqual(ra.observations, rs.observations, `step ${t}`);
        assert.deepEqual(ra.rewards, rs.rewards);
        assert.deepEqual(ra.terminated, rs.terminated);
        assert.deepEqual(ra.truncated, rs.truncated);
        for (let i = 0; i < n; i++) {
          if (rs.terminated[i] || rs.truncated[i]) {
            ends++;
            assert.deepEqual(
              ra.finalObservations.subarray(4 * i, 4 * i + 4),
              rs.finalObservations.subarray(4 * i, 4 * i + 4),
            );
            if (mode === "same-step") assert.deepEqual(ra.infos[i].final_obs, rs.infos[i].final_obs);
          }
        }
      }
      assert.ok(ends > 5, `only ${ends} episodes ended`);
    } finally {
      await asyncVec.close();
    }
  });
}

test("an error thrown in a worker surfaces with the sub-env, its class kept; the env stays usable", async () => {
  const vec = new AsyncVectorEnv([{ id: "FrozenLake-v1" }, { id: "FrozenLake-v1" }]);
  try {
    assert.throws(() => vec.step(new Int32Array(2)), /AsyncVectorEnv\.step was called before reset/);
    vec.reset({ seed: 0 });
    assert.throws(
      () => vec.step(new Int32Array([0, 7])),
      (e: Error) =>
        e instanceof EnvError &&
        /AsyncVectorEnv: sub-env 1 \(FrozenLake-v1\) step: FrozenLake-v1\.step: action must be an integer in \[0, 3\].*got 7/.test(
          e.message,
        ),
    );
    vec.reset({ seed: 0 });
    assert.equal(vec.step(new Int32Array([1, 1])).observations.length, 2);
  } finally {
    await vec.close();
  }
  const plain = new AsyncVectorEnv([fragile]);
  try {
    plain.reset();
    assert.throws(
      () => plain.step([1]),
      /sub-env 0 \(.*fragile-env\.ts#makeFragileEnv\) step threw RangeError: fragile env refused action 1/,
    );
    assert.deepEqual(plain.step([0]).infos, [{ t: 1 }]);
  } finally {
    await plain.close();
  }
});

test("a worker that dies is reported, later calls refuse, close() still terminates the workers", async () => {
  const vec = new AsyncVectorEnv([fragile, fragile]);
  vec.reset();
  assert.throws(() => vec.step([0, 2]), /sub-env 1 \(.*\): its worker exited during step/);
  assert.throws(() => vec.step([0, 0]), /a worker died or stopped answering earlier/);
  await vec.close();
  assert.throws(() => vec.reset(), /was closed/);
  await vec.close(); // idempotent
});

test("bad sources and envs that fail to build are clear errors", () => {
  assert.throws(() => new AsyncVectorEnv([]), InvalidArgumentError);
  assert.throws(() => new AsyncVectorEnv([{ nope: 1 } as never]), /sources must be a non-empty array/);
  assert.throws(
    () => new AsyncVectorEnv([{ id: "NoSuchEnv-v0" }]),
    /sub-env 0 \(NoSuchEnv-v0\) startup: No environment registered/,
  );
  assert.throws(
    () => new AsyncVectorEnv([{ ...fragile, exportName: "failToBuild" }]),
    /startup threw TypeError: this env cannot be built/,
  );
  assert.throws(() => new AsyncVectorEnv([{ id: "CartPole-v1" }, { id: "Pendulum-v1" }]), /sub-env 1 has spaces/);
});
