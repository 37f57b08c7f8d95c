import assert from "node:assert/strict";
import { test } from "node:test";
import { TaxiEnv, taxiDecode, taxiEncode } from "../../../src/envs/toy-text/taxi.js";

test("encode/decode follow Gymnasium's ((row*5+col)*5+passenger)*4+destination", () => {
  assert.equal(taxiEncode(3, 1, 2, 0), 328);
  assert.deepEqual(taxiDecode(328), [3, 1, 2, 0]);
  for (let s = 0; s < 500; s++) assert.equal(taxiEncode(...taxiDecode(s)), s);
  const env = new TaxiEnv();
  assert.equal(env.encode(3, 1, 2, 0), 328);
  assert.deepEqual(env.decode(328), [3, 1, 2, 0]);
});

test("dry table: pickups, dropoffs, walls and the 300 start states", () => {
  const env = new TaxiEnv();
  assert.deepEqual(env.P[1][4], [[1, 17, -1, false]]); // legal pickup at R
  assert.deepEqual(env.P[97][5], [[1, 85, 20, true]]); // delivery at G
  assert.deepEqual(env.P[1][5], [[1, 1, -10, false]]); // dropoff without passenger
  assert.deepEqual(env.P[21][4], [[1, 21, -10, false]]); // pickup away from the passenger
  // passenger aboard, dropped at Y while going to G: left at Y, no bonus
  assert.deepEqual(env.P[taxiEncode(4, 0, 4, 1)][5], [[1, taxiEncode(4, 0, 2, 1), -1, false]]);
  assert.deepEqual(env.P[21][2], [[1, 21, -1, false]]); // wall east of (0, 1)
  assert.deepEqual(env.P[21][3], [[1, 1, -1, false]]);
  assert.deepEqual(env.P[1][1], [[1, 1, -1, false]]); // north edge
  let starts = 0;
  for (let s = 0; s < 500; s++) {
    const p = env.initialStateDistrib[s];
    const [, , pass, dest] = taxiDecode(s);
    if (p > 0) {
      starts++;
      assert.ok(pass < 4 && pass !== dest);
      assert.equal(p, 1 / 300);
    }
  }
  assert.equal(starts, 300);
});

test("action masks as Gymnasium computes them", () => {
  const env = new TaxiEnv();
  assert.deepEqual(Array.from(env.actionMaskOf(1)), [1, 0, 1, 0, 1, 0]);
  assert.deepEqual(Array.from(env.actionMaskOf(17)), [1, 0, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(env.actionMaskOf(21)), [1, 0, 0, 1, 0, 0]);
  const r = env.reset({ seed: 2 });
  assert.deepEqual(r.info.action_mask, env.actionMaskOf(r.observation));
});

test("rainy (v4): veer left/right of the heading, a blocked move stays put in all outcomes", () => {
  const env = new TaxiEnv({ isRainy: true });
  assert.deepEqual(env.P[1][0], [
    [0.8, 101, -1, false],
    [(1 - 0.8) / 2, 21, -1, false],
    [(1 - 0.8) / 2, 1, -1, false],
  ]);
  assert.deepEqual(
    env.P[21][2].map((t) => t[1]),
    [21, 21, 21],
  );
  assert.deepEqual(env.P[1][4], [[1, 17, -1, false]], "pickup is not affected by rain");
  const p = new TaxiEnv({ isRainy: true, rainyProbability: 0.5 });
  assert.deepEqual(
    p.P[taxiEncode(2, 2, 0, 1)][1].map((t) => [t[0], taxiDecode(t[1]).slice(0, 2)]),
    [
      [0.5, [1, 2]],
      [0.25, [2, 1]],
      [0.25, [2, 3]],
    ],
  );
});

test("a known delivery, the ansi frame, and fickle passengers redraw the destination once", () => {
  const env = new TaxiEnv({ renderMode: "ansi" });
  env.reset({ seed: 0 });
  env.s = taxiEncode(0, 1, 0, 1); // taxi next to R, passenger at R going to G
  assert.equal(
    env.render(),
    [
      "+---------+",
      "|\x1b[34;1mR\x1b[0m:\x1b[43m \x1b[0m| : :\x1b[35mG\x1b[0m|",
      "| : | : : |",
      "| : : : : |",
      "| | : | : |",
      "|Y| : |B: |",
      "+---------+",
      "",
      "",
    ].join("\n"),
  );
  const plan = [3, 4, 0, 0, 2, 2, 2, 1, 1, 2, 5];
  let total = 0;
  let last = env.step(plan[0]);
  total += last.reward;
  for (const a of plan.slice(1)) {
    last = env.step(a);
    total += last.reward;
  }
  assert.equal(last.terminated, true);
  assert.equal(total, -10 + 20);
  assert.ok((env.render() as string).endsWith("  (Dropoff)\n"));

  let changed = 0;
  const fickle = new TaxiEnv({ ficklePassenger: true, fickleProbability: 1 });
  for (let seed = 0; seed < 40; seed++) {
    fickle.reset({ seed });
    fickle.s = taxiEncode(2, 2, 4, 3);
    assert.equal(fickle.fickleStep, true);
    const r = fickle.step(1);
    const [row, col, pass, dest] = taxiDecode(r.observation);
    assert.deepEqual([row, col, pass], [1, 2, 4]);
    assert.notEqual(dest, 3);
    if (dest !== 3) changed++;
    assert.equal(fickle.fickleStep, false);
    assert.equal(taxiDecode(fickle.step(0).observation)[3], dest, "only once per episode");
  }
  assert.equal(changed, 40);
  const calm = new TaxiEnv({ ficklePassenger: true, fickleProbability: 0 });
  calm.reset({ seed: 0 });
  assert.equal(calm.fickleStep, false);
});

test("options are checked", () => {
  assert.throws(
    () => new TaxiEnv({ rainyProbability: -0.1 }),
    /rainyProbability must be a number in \[0, 1\], got -0\.1/,
  );
  assert.throws(() => new TaxiEnv({ is_rainy: true } as never), /unknown option "is_rainy"/);
  const env = new TaxiEnv();
  env.reset();
  assert.throws(() => env.step(6), /TaxiEnv\.step: action must be an integer in \[0, 5\]/);
});
