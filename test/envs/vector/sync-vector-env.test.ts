import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/envs/builtin.js";
import { make } from "../../../src/envs/registry.js";
import { FrozenLakeEnv } from "../../../src/envs/toy-text/frozen-lake.js";
import { SyncVectorEnv } from "../../../src/envs/vector/sync-vector-env.js";
import { EnvError, InvalidArgumentError, ShapeError } from "../../../src/errors.js";
import { CounterEnv } from "../wrappers/helpers.js";

const zeros = (n: number) => new Float32Array(n);

test("next-step autoreset: the ending step returns the last observation, the next one resets with reward 0", () => {
  const vec = new SyncVectorEnv([() => new CounterEnv(2), () => new CounterEnv(3)]);
  assert.equal(vec.autoresetMode, "next-step");
  assert.equal(vec.obsDim, 2);
  assert.equal(vec.actDim, 2);
  const r = vec.reset({ seed: 10 });
  const off = (vec.envs as CounterEnv[]).map((e) => e.offset);
  assert.deepEqual(Array.from(r.observations), [0, off[0], 0, off[1]]);
  assert.deepEqual(r.infos, [{ start: true }, { start: true }]);
  const actions = new Float32Array([0.5, 0.5, 0.25, 0]);
  let s = vec.step(actions);
  assert.deepEqual(Array.from(s.rewards), [1, 0.25]);
  s = vec.step(actions); // env 0 terminates at t = 2
  assert.deepEqual(Array.from(s.terminated), [1, 0]);
  assert.deepEqual(Array.from(s.observations), [2, 4 + off[0], 2, 4 + off[1]]);
  assert.deepEqual(Array.from(s.finalObservations.subarray(0, 2)), [2, 4 + off[0]]);
  s = vec.step(actions); // env 0 resets (action ignored), env 1 terminates
  const off0 = (vec.envs[0] as CounterEnv).offset;
  assert.deepEqual(Array.from(s.observations), [0, off0, 3, 6 + off[1]]);
  assert.deepEqual(Array.from(s.rewards), [0, 0.25]);
  assert.deepEqual(Array.from(s.terminated), [0, 1]);
  assert.deepEqual(s.infos[0], { start: true });
  assert.equal((vec.envs[0] as CounterEnv).t, 0);
});

test("same-step autoreset: reset at once, final observation and info kept", () => {
  const vec = new SyncVectorEnv([() => new CounterEnv(2)], { autoresetMode: "same-step" });
  vec.reset({ seed: 3 });
  const off = (vec.envs[0] as CounterEnv).offset;
  vec.step(zeros(2));
  const s = vec.step(new Float32Array([1, 1]));
  assert.deepEqual(Array.from(s.terminated), [1]);
  assert.deepEqual(Array.from(s.rewards), [2]);
  const newOff = (vec.envs[0] as CounterEnv).offset;
  assert.deepEqual(Array.from(s.observations), [0, newOff]);
  assert.deepEqual(Array.from(s.finalObservations), [2, 4 + off]);
  assert.deepEqual(Array.from(s.infos[0].final_obs as Float32Array), [2, 4 + off]);
  assert.deepEqual(s.infos[0].final_info, { t: 2 });
  assert.equal(s.infos[0].start, true);
  assert.equal(vec.step(zeros(2)).rewards[0], 0, "the next step is an ordinary step of the new episode");
  assert.equal((vec.envs[0] as CounterEnv).t, 1);
});

test("equals the sub-envs stepped one by one with seeds seed + i (Gymnasium seeding), truncation included", () => {
  const n = 4;
  const vec = new SyncVectorEnv(Array.from({ length: n }, () => () => make("FrozenLake-v1")));
  const singles = Array.from({ length: n }, () => make<number, number>("FrozenLake-v1"));
  const r = vec.reset({ seed: 100 });
  for (let i = 0; i < n; i++) assert.equal(singles[i].reset({ seed: 100 + i }).observation, r.observations[i]);
  const pending = new Array(n).fill(false);
  const actions = new Int32Array(n);
  let ended = 0;
  for (let t = 0; t < 400; t++) {
    for (let i = 0; i < n; i++) actions[i] = (t * 7 + i * 3) % 4;
    const s = vec.step(actions);
    for (let i = 0; i < n; i++) {
      if (pending[i]) {
        assert.equal(singles[i].reset().observation, s.observations[i]);
        assert.equal(s.rewards[i], 0);
        pending[i] = false;
        continue;
      }
      const e = singles[i].step(actions[i]);
      assert.equal(s.observations[i], e.observation);
      assert.equal(s.rewards[i], e.reward);
      assert.equal(s.terminated[i], e.terminated ? 1 : 0);
      assert.equal(s.truncated[i], e.truncated ? 1 : 0);
      if (e.terminated || e.truncated) {
        pending[i] = true;
        ended++;
        assert.equal(s.finalObservations[i], e.observation);
      }
    }
  }
  assert.ok(ended > 20, `only ${ended} episodes ended`);
});

test("errors name the vector env, the sub-env and the value", () => {
  const vec = new SyncVectorEnv([() => new FrozenLakeEnv(), () => new FrozenLakeEnv()]);
  assert.throws(() => vec.step(new Int32Array(2)), /SyncVectorEnv\.step was called before reset\(\)/);
  vec.reset({ seed: [1, null] });
  assert.throws(
    () => vec.step(new Int32Array(3)),
    (e: Error) => e instanceof ShapeError && /= 2 numbers, got length 3/.test(e.message),
  );
  assert.throws(
    () => vec.step(new Int32Array([0, 9])),
    (e: Error) =>
      e instanceof EnvError &&
      /SyncVectorEnv\.step: sub-env 1: FrozenLakeEnv\.step: action must be an integer in \[0, 3\].*got 9/.test(
        e.message,
      ),
  );
  assert.throws(() => vec.reset({ seed: [1] }), /array of 2 seeds/);
  assert.throws(() => vec.reset({ seed: -3 }), InvalidArgumentError);
  assert.throws(
    () => new SyncVectorEnv([() => new FrozenLakeEnv(), () => new FrozenLakeEnv({ mapName: "8x8" })]),
    /sub-env 1 has spaces Discrete\(64\)/,
  );
  assert.throws(() => new SyncVectorEnv([]), /non-empty array/);
  assert.throws(
    () => new SyncVectorEnv([() => new FrozenLakeEnv()], { autoresetMode: "disabled" as never }),
    /autoresetMode must be/,
  );
  vec.close();
  assert.throws(() => vec.reset(), /was closed/);
});

test("Box actions and observations: CartPole and Pendulum through make", () => {
  const cart = new SyncVectorEnv(Array.from({ length: 3 }, () => () => make("CartPole-v1")));
  assert.equal(cart.obsDim, 4);
  assert.equal(cart.actDim, 1);
  cart.reset({ seed: 0 });
  const s = cart.step(new Int32Array([0, 1, 1]));
  assert.equal(s.observations.length, 12);
  assert.deepEqual(Array.from(s.rewards), [1, 1, 1]);
  const pend = new SyncVectorEnv([() => make("Pendulum-v1"), () => make("Pendulum-v1")]);
  assert.equal(pend.obsDim, 3);
  pend.reset({ seed: 1 });
  const p = pend.step(new Float32Array([2, -2]));
  assert.ok(p.rewards.every((r) => r <= 0));
});

test("Tuple observations (Blackjack) become rows of their integer parts", () => {
  const vec = new SyncVectorEnv([() => make("Blackjack-v1"), () => make("Blackjack-v1")]);
  assert.equal(vec.obsDim, 3);
  const r = vec.reset({ seed: 5 });
  const hands = (vec.envs as unknown as { unwrapped: { player: number[]; dealer: number[] } }[]).map(
    (e) => e.unwrapped,
  );
  for (let i = 0; i < 2; i++) {
    const { player, dealer } = hands[i];
    const hard = player[0] + player[1];
    assert.equal(r.observations[3 * i], player.includes(1) ? hard + 10 : hard);
    assert.equal(r.observations[3 * i + 1], dealer[0]);
    assert.equal(r.observations[3 * i + 2], player.includes(1) ? 1 : 0);
  }
  const s = vec.step(new Int32Array([0, 0])); // stick: both games end
  assert.deepEqual(Array.from(s.terminated), [1, 1]);
});
