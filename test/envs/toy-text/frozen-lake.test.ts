import assert from "node:assert/strict";
import { test } from "node:test";
import { FrozenLakeEnv, generateRandomMap } from "../../../src/envs/toy-text/frozen-lake.js";
import { EnvError, InvalidArgumentError } from "../../../src/errors.js";

const T = 1 / 3;
/** The perpendicular probability as Gymnasium computes it, (1 - success_rate) / 2: one ulp above 1/3. */
const F = (1 - T) / 2;

test("2x2 slippery map: the whole transition table, in Gymnasium's outcome order", () => {
  const env = new FrozenLakeEnv({ desc: ["SF", "HG"] });
  assert.deepEqual(env.P, [
    [
      [
        [F, 0, 0, false],
        [T, 0, 0, false],
        [F, 2, 0, true],
      ],
      [
        [F, 0, 0, false],
        [T, 2, 0, true],
        [F, 1, 0, false],
      ],
      [
        [F, 2, 0, true],
        [T, 1, 0, false],
        [F, 0, 0, false],
      ],
      [
        [F, 1, 0, false],
        [T, 0, 0, false],
        [F, 0, 0, false],
      ],
    ],
    [
      [
        [F, 1, 0, false],
        [T, 0, 0, false],
        [F, 3, 1, true],
      ],
      [
        [F, 0, 0, false],
        [T, 3, 1, true],
        [F, 1, 0, false],
      ],
      [
        [F, 3, 1, true],
        [T, 1, 0, false],
        [F, 1, 0, false],
      ],
      [
        [F, 1, 0, false],
        [T, 1, 0, false],
        [F, 0, 0, false],
      ],
    ],
    [[[1, 2, 0, true]], [[1, 2, 0, true]], [[1, 2, 0, true]], [[1, 2, 0, true]]],
    [[[1, 3, 0, true]], [[1, 3, 0, true]], [[1, 3, 0, true]], [[1, 3, 0, true]]],
  ]);
  assert.deepEqual(Array.from(env.initialStateDistrib), [1, 0, 0, 0]);
  assert.equal(env.observationSpace.n, 4);
  assert.equal(env.actionSpace.n, 4);
});

test("preset maps match Gymnasium's P at known entries; successRate and rewardSchedule apply", () => {
  const lake = new FrozenLakeEnv();
  assert.deepEqual(lake.P[14][2], [
    [F, 14, 0, false],
    [T, 15, 1, true],
    [F, 10, 0, false],
  ]);
  const big = new FrozenLakeEnv({ mapName: "8x8" });
  assert.equal(big.nS, 64);
  assert.deepEqual(big.P[54][0], [[1, 54, 0, true]]);
  const tuned = new FrozenLakeEnv({ successRate: 0.5, rewardSchedule: [10, -5, -0.1] });
  assert.deepEqual(tuned.P[14][2], [
    [0.25, 14, -0.1, false],
    [0.5, 15, 10, true],
    [0.25, 10, -0.1, false],
  ]);
  assert.deepEqual(tuned.P[4][2], [
    [0.25, 8, -0.1, false],
    [0.5, 5, -5, true],
    [0.25, 0, -0.1, false],
  ]);
  const ice = new FrozenLakeEnv({ isSlippery: false });
  assert.deepEqual(ice.P[14][2], [[1, 15, 1, true]]);
});

test("known non-slippery episode reaches the goal, with info.prob and the ansi frames", () => {
  const env = new FrozenLakeEnv({ isSlippery: false, renderMode: "ansi" });
  const r0 = env.reset({ seed: 0 });
  assert.equal(r0.observation, 0);
  assert.equal(r0.info.prob, 1);
  assert.equal(env.render(), "\n\x1b[41mS\x1b[0mFFF\nFHFH\nFFFH\nHFFG\n");
  const expected = [4, 8, 9, 10, 14, 15];
  const actions = [1, 1, 2, 2, 1, 2];
  for (let i = 0; i < actions.length; i++) {
    const r = env.step(actions[i]);
    assert.equal(r.observation, expected[i]);
    assert.equal(r.reward, i === 5 ? 1 : 0);
    assert.equal(r.terminated, i === 5);
    assert.equal(r.truncated, false);
    assert.equal(r.info.prob, 1);
    if (i === 0) assert.equal(env.render(), "  (Down)\nSFFF\n\x1b[41mF\x1b[0mHFH\nFFFH\nHFFG\n");
  }
  assert.equal(env.render(), "  (Right)\nSFFF\nFHFH\nFFFH\nHFF\x1b[41mG\x1b[0m\n");
});

test("slippery moves follow 1/3, 1/3, 1/3 and the same seed replays the same episode", () => {
  const env = new FrozenLakeEnv();
  env.reset({ seed: 7 });
  const counts = new Map<number, number>();
  const n = 30_000;
  for (let i = 0; i < n; i++) {
    env.reset();
    const r = env.step(2); // right from 0: down to 4, right to 1, up stays at 0
    counts.set(r.observation, (counts.get(r.observation) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [0, 1, 4]);
  for (const c of counts.values()) assert.ok(Math.abs(c / n - 1 / 3) < 0.015, `frequency ${c / n}`);

  const run = (seed: number) => {
    const e = new FrozenLakeEnv({ mapName: "8x8" });
    const obs = [e.reset({ seed }).observation];
    e.actionSpace.seed(seed);
    for (let t = 0; t < 200; t++) {
      const r = e.step(e.actionSpace.sample());
      obs.push(r.observation);
      if (r.terminated) obs.push(-1, e.reset().observation);
    }
    return obs;
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test("random maps: seeded, S and G in the corners, always a path, Gymnasium's defaults", () => {
  const a = generateRandomMap(6, 0.6, 11);
  assert.deepEqual(a, generateRandomMap(6, 0.6, 11));
  assert.equal(a.length, 6);
  assert.ok(a.every((row) => row.length === 6 && /^[SFHG]+$/.test(row)));
  assert.equal(a[0][0], "S");
  assert.equal(a[5][5], "G");
  assert.equal(generateRandomMap().length, 8);
  assert.deepEqual(generateRandomMap(3, 1, 0), ["SFF", "FFF", "FFG"]);
  const maps = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const m = generateRandomMap(5, 0.5, seed);
    maps.add(m.join("/"));
    // the env built on it can reach G with positive probability: check by a breadth-first search on P
    const env = new FrozenLakeEnv({ desc: m, isSlippery: false });
    const seen = new Set([0]);
    const queue = [0];
    while (queue.length > 0) {
      const s = queue.shift() as number;
      for (const outs of env.P[s]) {
        for (const [, next] of outs) {
          if (seen.has(next)) continue;
          seen.add(next);
          queue.push(next);
        }
      }
    }
    assert.ok(seen.has(24), `no path in ${m.join("/")}`);
  }
  assert.ok(maps.size > 20, "different seeds give different maps");
  const random = new FrozenLakeEnv({ mapName: null });
  assert.equal(random.nS, 64);
});

test("bad input: clear errors naming the env, the value and the expectation", () => {
  const env = new FrozenLakeEnv();
  assert.throws(() => env.step(0), /FrozenLakeEnv\.step was called before reset\(\)/);
  env.reset({ seed: 1 });
  assert.throws(
    () => env.step(4),
    (e: Error) => e instanceof EnvError && /integer in \[0, 3\].*got 4$/.test(e.message),
  );
  assert.throws(() => env.step(Number.NaN), /Discrete\(4\)\), got NaN/);
  assert.throws(() => env.step(1.5), /got 1\.5/);
  assert.throws(() => env.step(-1), EnvError);
  assert.throws(() => env.step("1" as unknown as number), /got "1"/);
  const ice = new FrozenLakeEnv({ isSlippery: false });
  ice.reset();
  ice.step(1);
  assert.equal(ice.step(2).terminated, true); // state 5 is a hole
  assert.throws(() => ice.step(0), /after the episode terminated in state 5; call reset\(\)/);
  assert.throws(() => env.reset({ options: { foo: 1 } }), /unknown option "foo"/);
  assert.throws(() => env.reset({ seed: -1 }), InvalidArgumentError);
  assert.throws(() => new FrozenLakeEnv({ isSlipery: true } as never), /unknown option "isSlipery"/);
  assert.throws(
    () => new FrozenLakeEnv({ renderMode: "rgb_array" }),
    /renderMode must be one of "ansi", got "rgb_array"/,
  );
  assert.throws(() => new FrozenLakeEnv({ desc: ["SFX"] }), /desc must be/);
  assert.throws(() => new FrozenLakeEnv({ desc: ["SF", "F"] }), /desc must be/);
  assert.throws(() => new FrozenLakeEnv({ mapName: "5x5" as never }), /mapName must be/);
  assert.throws(() => new FrozenLakeEnv({ successRate: 1.5 }), /successRate must be a number in \[0, 1\], got 1\.5/);
  assert.throws(() => new FrozenLakeEnv({ rewardSchedule: [1, 0] as never }), /rewardSchedule/);
  assert.throws(() => generateRandomMap(1), /size must be an integer >= 2/);
  assert.throws(() => generateRandomMap(4, 0), /p must be a number > 0/);
});
