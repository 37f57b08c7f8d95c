// rgb_array frames of the MuJoCo envs: the software renderer draws the model's geoms from the tracking camera.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { make, RecordVideo, type RgbFrame, type VideoInfo } from "../../../src/index.js";
import { initMujoco } from "../../../src/mujoco.js";

before(async () => {
  await initMujoco();
});

/** Pixels of the hopper's colour (rgba 0.8 0.6 0.4, shaded): red > green > blue by a margin. */
function bodyPixels(f: RgbFrame): { count: number; meanX: number } {
  let count = 0;
  let sumX = 0;
  for (let i = 0; i < f.width * f.height; i++) {
    const [r, g, b] = [f.data[4 * i], f.data[4 * i + 1], f.data[4 * i + 2]];
    if (r > g + 20 && g > b + 20) {
      count++;
      sumX += i % f.width;
    }
  }
  return { count, meanX: sumX / Math.max(count, 1) };
}

test("Hopper-v5 rgb_array: the hopper is drawn, centred by the tracking camera, frames are deterministic", () => {
  const env = make<Float32Array, Float32Array>("Hopper-v5", { renderMode: "rgb_array", width: 96, height: 96 });
  env.reset({ seed: 0 });
  const f = env.render() as RgbFrame;
  assert.equal(f.data.length, 96 * 96 * 4);
  const body = bodyPixels(f);
  assert.ok(body.count > 50, `hopper pixels: ${body.count}`);
  assert.ok(Math.abs(body.meanX - 48) < 10, `hopper centred: mean x ${body.meanX}`);
  const again = env.render() as RgbFrame;
  assert.deepEqual(again.data, f.data);
  env.close();
  const off = make("Hopper-v5");
  off.reset({ seed: 0 });
  assert.equal(off.render(), null);
  off.close();
});

test("RecordVideo of Hopper-v5 (125 fps) keeps every 3rd step: a GIF plays at most 100 fps", () => {
  const infos: VideoInfo[] = [];
  const env = new RecordVideo(
    make<Float32Array, Float32Array>("Hopper-v5", { renderMode: "rgb_array", width: 32, height: 32 }),
    {
      episodeTrigger: () => true,
      sink: (_gif, info) => infos.push(info),
    },
  );
  assert.ok(Math.abs(env.fps - 125 / 3) < 1e-9);
  env.reset({ seed: 0 });
  for (let t = 0; t < 6; t++) env.step(new Float32Array(3));
  env.close();
  assert.equal(infos.length, 1);
  assert.equal(infos[0].frames, 3); // reset, steps 3 and 6
});
