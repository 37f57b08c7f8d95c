import assert from "node:assert/strict";
import { test } from "node:test";
import { BlackjackEnv } from "../../../src/envs/toy-text/blackjack.js";

function stickWith(env: BlackjackEnv, player: number[], dealer: number[]) {
  env.reset({ seed: 0 });
  env.player = player;
  env.dealer = dealer;
  return env.step(0);
}

test("scoring: naturals under sab, natural bonus, pushes, dealer draws to 17", () => {
  const sab = new BlackjackEnv({ sab: true });
  assert.equal(stickWith(sab, [1, 10], [10, 7]).reward, 1);
  assert.equal(stickWith(sab, [1, 10], [10, 1]).reward, 0, "both naturals push");
  const bonus = new BlackjackEnv({ natural: true });
  assert.equal(stickWith(bonus, [10, 1], [10, 7]).reward, 1.5);
  assert.equal(stickWith(bonus, [10, 5, 6], [10, 7]).reward, 1, "21 without a natural pays 1");
  const plain = new BlackjackEnv();
  assert.equal(stickWith(plain, [1, 10], [10, 7]).reward, 1);
  assert.equal(stickWith(plain, [10, 8], [10, 8]).reward, 0);
  const r = stickWith(plain, [10, 7], [10, 9]);
  assert.equal(r.reward, -1);
  assert.equal(r.terminated, true);
  for (let seed = 0; seed < 200; seed++) {
    plain.reset({ seed });
    plain.player = [10, 9];
    plain.dealer = [2, 3];
    plain.step(0);
    const dealerTotal = plain.dealer.reduce((a, b) => a + b, 0);
    const soft = plain.dealer.includes(1) && dealerTotal + 10 <= 21 ? dealerTotal + 10 : dealerTotal;
    assert.ok(soft >= 17, `dealer stopped at ${soft}`);
  }
});

test("observations: soft totals, dealer card, in the Tuple space; hits bust at 22+", () => {
  const env = new BlackjackEnv({ renderMode: "ansi" });
  for (let seed = 0; seed < 300; seed++) {
    const { observation } = env.reset({ seed });
    assert.ok(env.observationSpace.contains(observation));
    const hard = env.player[0] + env.player[1];
    assert.equal(observation[0], env.player.includes(1) ? hard + 10 : hard);
    assert.equal(observation[1], env.dealer[0]);
    let r = env.step(1);
    while (!r.terminated) r = env.step(1);
    const hand = env.player.reduce((a, b) => a + b, 0);
    assert.ok(hand > 21);
    assert.equal(r.reward, -1);
  }
  env.reset({ seed: 1 });
  env.player = [1, 5];
  env.dealer = [1, 9];
  const r = env.step(0);
  assert.deepEqual([...r.observation], [16, 1, 1]);
  assert.equal(env.render(), "Player: 1 5 (sum 16, usable ace)  Dealer shows: A\n");
});

test("same seed, same game; bad input is rejected", () => {
  const play = (seed: number) => {
    const env = new BlackjackEnv();
    const out = [[...env.reset({ seed }).observation]];
    for (let k = 0; k < 20; k++) {
      const r = env.step(k % 3 === 0 ? 0 : 1);
      out.push([...r.observation, r.reward]);
      if (r.terminated) out.push([...env.reset().observation]);
    }
    return out;
  };
  assert.deepEqual(play(5), play(5));
  const env = new BlackjackEnv();
  assert.throws(() => env.step(0), /before reset/);
  env.reset();
  assert.throws(() => env.step(2), /action must be 0 \(stick\) or 1 \(hit\) \(action space Discrete\(2\)\), got 2/);
  env.step(0);
  assert.throws(() => env.step(1), /after the episode terminated/);
  assert.throws(() => new BlackjackEnv({ sab: "yes" } as never), /sab must be true or false, got "yes"/);
});
