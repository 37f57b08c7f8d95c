// docs/mujoco.md's custom MuJoCo env, verbatim apart from the imports and assertions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkEnv, make, register, type StepResult } from "../../../src/index.js";
import { initMujoco, MujocoEnv, type MujocoEnvOptions, registerModelFile } from "../../../src/mujoco.js";

test("docs/mujoco.md: a custom MujocoEnv is a short class that passes checkEnv and runs through make", async () => {
  await initMujoco();
  registerModelFile(
    "slider.xml",
    `<mujoco>
  <worldbody>
    <geom type="plane" size="5 5 0.1"/>
    <body name="cart" pos="0 0 0.1">
      <joint name="x" type="slide" axis="1 0 0"/>
      <geom type="box" size="0.1 0.1 0.1" mass="1"/>
    </body>
  </worldbody>
  <actuator><motor joint="x" ctrllimited="true" ctrlrange="-1 1" gear="5"/></actuator>
</mujoco>`,
  );

  /** Slide a cart to x = 1: reward -|x - 1|, terminated within 5 cm of it. */
  class SliderEnv extends MujocoEnv {
    constructor(opts: MujocoEnvOptions = {}) {
      super("Slider", opts, {
        optionKeys: [],
        xmlFile: "slider.xml",
        frameSkip: 5,
        resetNoiseScale: 0.1,
        observationSize: (model) => model.nq + model.nv,
      });
    }
    protected resetModel(): void {
      this.uniformNoise(this.qpos, this.initQpos);
      this.uniformNoise(this.qvel, this.initQvel);
    }
    protected writeObservation(out: Float64Array): void {
      out[0] = this.qpos[0];
      out[1] = this.qvel[0];
    }
    protected afterStep(_action: ArrayLike<number>, r: StepResult<Float32Array>): void {
      const distance = Math.abs(this.qpos[0] - 1);
      r.reward = -distance;
      r.terminated = distance < 0.05;
    }
  }

  register("Slider-v0", (kwargs) => new SliderEnv(kwargs), { maxEpisodeSteps: 200 });
  checkEnv(new SliderEnv());
  const env = make<Float32Array, Float32Array>("Slider-v0");
  env.reset({ seed: 0 });
  let steps = 0;
  let done = false;
  while (!done) {
    const r = env.step(new Float32Array([1]));
    steps++;
    done = r.terminated || r.truncated;
    if (r.terminated) assert.ok(Math.abs(r.observation[0] - 1) < 0.05);
  }
  assert.ok(steps < 200, `pushing right reaches x = 1 before the time limit (${steps} steps)`);
  env.close();
});
