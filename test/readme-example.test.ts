// The README's custom-environment example, verbatim apart from the assertions: keeps the user's door true.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Box, checkEnv, Discrete, Env, make, register } from "../src/index.js";

class Corridor extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 10, [1]);
  readonly actionSpace = new Discrete(2);
  private pos = 0;
  private readonly obs = new Float32Array(1);
  override reset(opts: { seed?: number } = {}) {
    this.seedReset(opts.seed); // Gymnasium seeding: a seed reseeds this.rng, none continues it
    this.pos = this.rng.int(3);
    this.obs[0] = this.pos;
    return { observation: this.obs, info: {} };
  }
  override step(action: number) {
    this.pos = Math.max(0, Math.min(10, this.pos + (action === 1 ? 1 : -1)));
    this.obs[0] = this.pos;
    const terminated = this.pos === 10;
    return { observation: this.obs, reward: terminated ? 1 : -0.01, terminated, truncated: false, info: {} };
  }
}

test("README custom environment passes checkEnv and runs through make", () => {
  checkEnv(new Corridor());
  register("Corridor-v0", () => new Corridor(), { maxEpisodeSteps: 200 });
  const env = make<Float32Array, number>("Corridor-v0");
  const first = env.reset({ seed: 3 }).observation[0];
  let steps = 0;
  let done = false;
  while (!done) {
    const r = env.step(1);
    steps++;
    done = r.terminated || r.truncated;
  }
  assert.equal(steps, 10 - first);
  assert.throws(() => env.step(0), /reset/);
});
