// initMujoco's browser options (wasmUrl, assetsUrl), exercised in Node with file: URLs; a browser loads them over
// HTTP (test-browser/mujoco.test.ts). Bad values are typed errors naming the option.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { make } from "../../../src/envs/registry.js";
import { EnvError, InvalidArgumentError } from "../../../src/errors.js";
import { initMujoco, isMujocoLoaded } from "../../../src/mujoco.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

test("initMujoco rejects a wasmUrl or assetsUrl that is neither a string nor a URL", async () => {
  await assert.rejects(initMujoco({ wasmUrl: 5 as unknown as string }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /wasmUrl must be a URL or a string, got 5/);
    return true;
  });
  await assert.rejects(initMujoco({ assetsUrl: {} as unknown as string }), /assetsUrl must be a URL or a string/);
});

test("a relative assetsUrl has nothing to resolve against in Node: an error naming it, and MuJoCo stays unloaded", async () => {
  await assert.rejects(initMujoco({ assetsUrl: "mujoco/" }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /"mujoco\/" is not a URL \(and there is no page to resolve it against\)/);
    return true;
  });
  assert.equal(isMujocoLoaded(), false);
});

test("a wasmUrl where there is no mujoco.wasm fails to load (the option is used)", async () => {
  const wasmUrl = pathToFileURL(join(ROOT, "no-such-dir", "mujoco.wasm"));
  await assert.rejects(initMujoco({ wasmUrl }), (e: Error) => {
    assert.ok(e instanceof EnvError);
    assert.ok(e.message.includes(`did not load from wasmUrl ${wasmUrl.href}`), e.message);
    return true;
  });
  assert.equal(isMujocoLoaded(), false);
});

test("wasmUrl and assetsUrl say where mujoco.wasm and the model files are (a folder URL without its slash too)", async () => {
  await initMujoco({
    wasmUrl: pathToFileURL(join(ROOT, "node_modules", "mujoco", "mujoco.wasm")),
    assetsUrl: pathToFileURL(join(ROOT, "assets", "mujoco")).href,
  });
  const env = make("Hopper-v5");
  assert.equal((env.reset({ seed: 0 }).observation as Float32Array).length, 11);
  env.close();
});
