// SB3 SAC and TD3 models through tsrl's SAC/TD3 (they run once tsrl has those algorithms: branch issue-11).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { getAlgorithmClass } from "../../src/algos/index.js";
import type { Tensor } from "../../src/core/tensor.js";
import { importSb3 } from "../../src/interop/import-sb3.js";

const DIR = new URL("../fixtures/sb3/", import.meta.url);
const TOL = 1e-5;

interface Recorded {
  observations: number[][];
  outputs: { action: number[][]; critic_q: number[][] };
}

/** The parts of tsrl's off-policy models the test reads (the one place that knows their API). */
interface OffPolicyModel {
  engine: { scope<T>(fn: () => T): T; tensor(v: ArrayLike<number>, shape: number[]): Tensor };
  critic: { forward(obs: Tensor, actions: Tensor): Tensor[] };
}

function close(got: ArrayLike<number>, want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) <= TOL * Math.max(1, Math.abs(want[i])),
      `${what}[${i}]: ${got[i]} vs ${want[i]}`,
    );
  }
}

for (const name of ["sac-Pendulum-v1", "td3-Pendulum-v1"]) {
  const algo = name.split("-")[0].toUpperCase();
  test(`${name}: deterministic actions and every critic's Q within 1e-5 of SB3's`, {
    skip: getAlgorithmClass(algo) === undefined ? `tsrl has no ${algo} in this build` : false,
  }, async () => {
    const rec = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), "utf8")) as Recorded;
    const model = await importSb3(new Uint8Array(readFileSync(new URL(`${name}.zip`, DIR))));
    assert.equal(model.algoName, algo);
    const B = rec.observations.length;
    const obs = Float32Array.from(rec.observations.flat());
    const actions = model.predict(obs, { deterministic: true });
    close(typeof actions === "number" ? [actions] : actions, rec.outputs.action.flat(), "action");
    // the critics at SB3's predicted action, in the policy's [-1, 1] scale (Pendulum's bounds are +-2)
    const unit = rec.outputs.action.flat().map((a) => a / 2);
    const m = model as unknown as OffPolicyModel;
    const qs = m.engine.scope(() =>
      m.critic.forward(m.engine.tensor(obs, [B, 3]), m.engine.tensor(unit, [B, 1])).map((q) => q.toArray()),
    );
    assert.equal(qs.length, rec.outputs.critic_q.length, "number of critics");
    qs.forEach((q, j) => {
      close(q, rec.outputs.critic_q[j], `critic ${j}`);
    });
  });
}
