import assert from "node:assert/strict";
import { test } from "node:test";
import { CliffWalkingEnv } from "../../../src/envs/toy-text/cliff-walking.js";

const T = 1 / 3;

test("deterministic table: cliff sends back to start with -100, goal terminates, walls clamp", () => {
  const env = new CliffWalkingEnv();
  assert.equal(env.nS, 48);
  assert.equal(env.nA, 4);
  assert.deepEqual(env.P[36], [
    [[1, 24, -1, false]],
    [[1, 36, -100, false]],
    [[1, 36, -1, false]],
    [[1, 36, -1, false]],
  ]);
  assert.deepEqual(env.P[35][2], [[1, 47, -1, true]]);
  assert.deepEqual(env.P[0][0], [[1, 0, -1, false]]);
  assert.deepEqual(env.P[25][2], [[1, 36, -100, false]]);
  assert.deepEqual(Array.from(env.initialStateDistrib).indexOf(1), 36);
});

test("slippery table lists (a-1) mod 4, a, (a+1) mod 4 with 1/3 each", () => {
  const env = new CliffWalkingEnv({ isSlippery: true });
  assert.deepEqual(env.P[36][0], [
    [T, 36, -1, false],
    [T, 24, -1, false],
    [T, 36, -100, false],
  ]);
  assert.deepEqual(env.P[35][2], [
    [T, 35, -1, false],
    [T, 47, -1, true],
    [T, 34, -1, false],
  ]);
});

test("optimal path: 13 steps of -1 to the goal, and Gymnasium's ansi frame", () => {
  const env = new CliffWalkingEnv({ renderMode: "ansi" });
  assert.equal(env.reset({ seed: 0 }).observation, 36);
  const row = " o  o  o  o  o  o  o  o  o  o  o  o";
  assert.equal(
    env.render(),
    `o  o  o  o  o  o  o  o  o  o  o  o\n${row.trimStart()}\n${row.trimStart()}\nx  C  C  C  C  C  C  C  C  C  C  T\n\n`,
  );
  let total = 0;
  const actions = [0, ...Array(11).fill(1), 2];
  let r = env.step(actions[0]);
  total += r.reward;
  for (const a of actions.slice(1)) {
    r = env.step(a);
    total += r.reward;
  }
  assert.equal(r.observation, 47);
  assert.equal(r.terminated, true);
  assert.equal(total, -13);
  env.reset();
  env.step(1);
  assert.equal(env.s, 36, "the cliff returns the agent to the start");
});

test("options are checked", () => {
  assert.throws(() => new CliffWalkingEnv({ isSlippery: 1 as never }), /isSlippery must be true or false, got 1/);
  assert.throws(() => new CliffWalkingEnv({ slippery: true } as never), /unknown option "slippery"/);
});
