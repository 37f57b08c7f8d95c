import assert from "node:assert/strict";
import { before, test } from "node:test";
import { checkEnv } from "../../src/envs/checker.js";
import { CartPoleEnv } from "../../src/envs/classic-control/cartpole.js";
import { EMPTY_INFO, Env, type ResetOptions, type ResetResult, type StepResult } from "../../src/envs/env.js";
import { make, registeredIds } from "../../src/envs/index.js";
import { EnvError } from "../../src/errors.js";
import { initMujoco } from "../../src/mujoco.js";
import { Box } from "../../src/spaces/box.js";
import { Discrete } from "../../src/spaces/discrete.js";

// the MuJoCo ids are registered envs like the others once MuJoCo is loaded
before(async () => {
  await initMujoco();
});

test("checkEnv passes every registered environment, through make and unwrapped", () => {
  const ids = registeredIds();
  assert.ok(ids.length >= 6);
  for (const id of ids) {
    assert.deepEqual(checkEnv(make(id)), [], id);
    assert.deepEqual(checkEnv(make(id).unwrapped), [], `${id} unwrapped`);
  }
});

/** A minimal env whose flaws each test switches on. */
class Toy extends Env<Float32Array, number> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  private readonly obs = new Float32Array(2);
  private t = 0;
  static episodes = 0;
  constructor(readonly flaw?: "unseeded" | "outside" | "nan-reward" | "leaky-step" | "accepts-bad-seed") {
    super();
  }
  reset(opts: ResetOptions = {}): ResetResult<Float32Array> {
    const seed = opts.seed;
    if (this.flaw !== "accepts-bad-seed") this.seedReset(seed);
    else this.seedReset(seed !== undefined && Number.isSafeInteger(seed) && seed >= 0 ? seed : undefined);
    this.t = 0;
    Toy.episodes++;
    this.obs[0] = this.flaw === "unseeded" ? Math.sin(performance.now()) * 0.5 : this.rng.uniformRange(-0.5, 0.5);
    this.obs[1] = this.flaw === "outside" ? 3 : 0;
    return { observation: this.obs, info: {} };
  }
  step(action: number): StepResult<Float32Array> {
    this.t++;
    this.obs[1] = action - 0.5;
    // a step that depends on something outside the seeded state (here: how many episodes ran before)
    if (this.flaw === "leaky-step") this.obs[0] = (Toy.episodes % 7) * 0.1;
    const reward = this.flaw === "nan-reward" ? Number.NaN : 1;
    return { observation: this.obs, reward, terminated: this.t >= 5, truncated: false, info: EMPTY_INFO };
  }
}

test("checkEnv accepts a correct custom env", () => {
  assert.deepEqual(checkEnv(new Toy()), []);
});

test("checkEnv reports each flaw with a clear message", () => {
  assert.throws(
    () => checkEnv(new Toy("unseeded")),
    (e: unknown) => e instanceof EnvError && /reset\(\{ seed: 123 \}\) is not deterministic/.test(e.message),
  );
  assert.throws(() => checkEnv(new Toy("leaky-step")), /step\(\) is not deterministic/);
  assert.throws(() => checkEnv(new Toy("nan-reward")), /Toy: step\(\) reward must be a finite number, got NaN/);
  assert.throws(() => checkEnv(new Toy("accepts-bad-seed")), /seed: -1.*must be rejected/);
  const warnings = checkEnv(new Toy("outside"));
  assert.ok(
    warnings.some((w) =>
      /observation returned by reset\(\) is not in the observation space Box\(-1, 1, \(2,\), float32\)/.test(w),
    ),
  );
  class Float64Obs extends Toy {
    override reset(opts?: ResetOptions): ResetResult<Float32Array> {
      const r = super.reset(opts);
      return { observation: Float64Array.from(r.observation) as unknown as Float32Array, info: r.info };
    }
  }
  assert.ok(checkEnv(new Float64Obs()).some((w) => /reset\(\) is Float64Array\[.*expected a Float32Array/.test(w)));
  class BadRender extends CartPoleEnv {
    override render() {
      return { width: 2, height: 2, data: new Uint8ClampedArray(3) };
    }
  }
  assert.throws(() => checkEnv(new BadRender({ renderMode: "rgb_array" })), /"rgb_array" mode must return/);
});
