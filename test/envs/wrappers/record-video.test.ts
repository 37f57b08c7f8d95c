import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cappedCubicVideoSchedule, RecordVideo, type VideoInfo } from "../../../src/envs/wrappers/record-video.js";
import { gifFolderSink } from "../../../src/platform/gif-folder.js";
import { CounterEnv } from "./helpers.js";

/** Frames in a GIF: one graphic control extension (0x21 0xF9 0x04) precedes each image. */
function countFrames(gif: Uint8Array): number {
  let n = 0;
  for (let i = 0; i + 2 < gif.length; i++) if (gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 0x04) n++;
  return n;
}

const zeros = new Float32Array(2);

function runEpisodes(env: RecordVideo<Float32Array, Float32Array>, episodes: number): void {
  for (let e = 0; e < episodes; e++) {
    env.reset({ seed: e });
    let done = false;
    while (!done) done = env.step(zeros).terminated;
  }
}

test("Gymnasium's capped cubic schedule", () => {
  const picked = [];
  for (let i = 0; i < 2001; i++) if (cappedCubicVideoSchedule(i)) picked.push(i);
  assert.deepEqual(picked, [0, 1, 8, 27, 64, 125, 216, 343, 512, 729, 1000, 2000]);
});

test("whole episodes become GIFs handed to the sink, one frame per reset and step", () => {
  const videos: [Uint8Array, VideoInfo][] = [];
  const env = new RecordVideo(new CounterEnv(4, "rgb_array"), { sink: (gif, info) => videos.push([gif, info]) });
  runEpisodes(env, 3);
  assert.deepEqual(
    videos.map(([, i]) => [i.name, i.episodeId, i.frames, i.width, i.height]),
    [
      ["rl-video-episode-0.gif", 0, 5, 8, 6],
      ["rl-video-episode-1.gif", 1, 5, 8, 6],
    ],
  );
  for (const [gif] of videos) {
    assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
    assert.equal(gif[gif.length - 1], 0x3b, "GIF trailer");
    assert.equal(countFrames(gif), 5);
    // logical screen descriptor: width and height, little-endian
    assert.deepEqual([gif[6] | (gif[7] << 8), gif[8] | (gif[9] << 8)], [8, 6]);
  }
});

test("step trigger with a fixed video length; close hands over an unfinished recording", () => {
  const videos: VideoInfo[] = [];
  const env = new RecordVideo(new CounterEnv(4, "rgb_array"), {
    sink: (_gif, info) => videos.push(info),
    stepTrigger: (s) => s === 2,
    videoLength: 3,
    namePrefix: "cp",
  });
  runEpisodes(env, 2);
  assert.deepEqual(
    videos.map((v) => [v.name, v.stepId, v.frames]),
    [["cp-step-2.gif", 2, 3]],
  );
  const partial: VideoInfo[] = [];
  const env2 = new RecordVideo(new CounterEnv(10, "rgb_array"), { sink: (_g, i) => partial.push(i) });
  env2.reset();
  env2.step(zeros);
  env2.close();
  assert.deepEqual(
    partial.map((v) => v.frames),
    [2],
  );
});

test("bad setup is rejected; gifFolderSink writes files in Node", async () => {
  assert.throws(() => new RecordVideo(new CounterEnv(4), { sink: () => {} }), /renderMode "rgb_array", got null/);
  assert.throws(() => new RecordVideo(new CounterEnv(4, "rgb_array"), {} as never), /sink must be a function/);
  const dir = mkdtempSync(join(tmpdir(), "tsrl-video-"));
  try {
    const folder = join(dir, "videos");
    const env = new RecordVideo(new CounterEnv(2, "rgb_array"), { sink: await gifFolderSink(folder) });
    runEpisodes(env, 2);
    for (const name of ["rl-video-episode-0.gif", "rl-video-episode-1.gif"]) {
      assert.ok(existsSync(join(folder, name)));
      assert.equal(countFrames(readFileSync(join(folder, name))), 3);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
