import assert from "node:assert/strict";
import { test } from "node:test";
import { computeGae, computeRewardToGo } from "../../src/algos/common/gae.js";

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

// One env, 5 steps, gamma 0.9, lambda 0.5; step 1 is truncated (V(final obs) = 10), step 3 terminated.
// Worked by hand, backwards:
//   t=4: delta = 5 + 0.9*7 - 2.5 = 8.8                 A = 8.8
//   t=3: terminated, delta = 4 - 2 = 2                  A = 2
//   t=2: delta = 3 + 0.9*2 - 1.5 = 3.3                  A = 3.3 + 0.45*2 = 4.2
//   t=1: truncated, delta = 2 + 0.9*10 - 1 = 10         A = 10
//   t=0: delta = 1 + 0.9*1 - 0.5 = 1.4                  A = 1.4 + 0.45*10 = 5.9
const hand = {
  rewards: [1, 2, 3, 4, 5],
  values: [0.5, 1, 1.5, 2, 2.5],
  terminated: [0, 0, 0, 1, 0],
  truncated: [0, 1, 0, 0, 0],
  truncatedValues: [0, 10, 0, 0, 0],
  lastValues: [7],
};

test("GAE matches a hand-computed example with a truncation and a termination", () => {
  const adv = new Float64Array(5);
  const ret = new Float64Array(5);
  computeGae({ nSteps: 5, nEnvs: 1, ...hand }, 0.9, 0.5, adv, ret);
  close(adv, [5.9, 10, 4.2, 2, 8.8]);
  close(ret, [6.4, 11, 5.7, 4, 11.3]);
});

test("GAE reads the [nSteps, nEnvs] layout: env columns are independent", () => {
  // env 0 is the hand example, env 1 a constant stream with no episode end
  const inter = (a: number[], b: number[]) => a.flatMap((x, i) => [x, b[i]]);
  const adv = new Float64Array(10);
  const ret = new Float64Array(10);
  computeGae(
    {
      nSteps: 5,
      nEnvs: 2,
      rewards: inter(hand.rewards, [1, 1, 1, 1, 1]),
      values: inter(hand.values, [0, 0, 0, 0, 0]),
      terminated: inter(hand.terminated, [0, 0, 0, 0, 0]),
      truncated: inter(hand.truncated, [0, 0, 0, 0, 0]),
      truncatedValues: inter(hand.truncatedValues, [0, 0, 0, 0, 0]),
      lastValues: [7, 0],
    },
    0.9,
    0.5,
    adv,
    ret,
  );
  close(
    adv.filter((_, i) => i % 2 === 0),
    [5.9, 10, 4.2, 2, 8.8],
  );
  // env 1: A_t = sum_l (0.45)^l over the remaining steps
  const expected = [0, 1, 2, 3, 4].map((t) => (1 - 0.45 ** (5 - t)) / (1 - 0.45));
  close(
    adv.filter((_, i) => i % 2 === 1),
    expected,
  );
});

test("lambda = 1 gives Monte-Carlo returns minus the baseline; lambda = 0 the one-step TD error", () => {
  const adv = new Float64Array(5);
  const ret = new Float64Array(5);
  computeGae({ nSteps: 5, nEnvs: 1, ...hand }, 0.9, 1, adv, ret);
  const mc = new Float64Array(5);
  computeRewardToGo({ nSteps: 5, nEnvs: 1, ...hand }, 0.9, mc);
  // by hand: G4 = 5 + 0.9*7 = 11.3, G3 = 4, G2 = 3 + 0.9*4 = 6.6, G1 = 2 + 9 = 11, G0 = 1 + 9.9 = 10.9
  close(mc, [10.9, 11, 6.6, 4, 11.3]);
  close(
    adv,
    Array.from(mc, (g, i) => g - hand.values[i]),
  );
  close(ret, Array.from(mc));

  computeGae({ nSteps: 5, nEnvs: 1, ...hand }, 0.9, 0, adv, ret);
  close(adv, [1.4, 10, 3.3, 2, 8.8]);
});
