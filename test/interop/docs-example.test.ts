// docs/interop.md's TypeScript example, with the fixture's path and file names in a temporary folder.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { exportOnnx, importSb3, make } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-interop-doc-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("docs/interop.md example: import an SB3 model, predict, continue training, save, export", async () => {
  const zip = new URL("../fixtures/sb3/ppo-CartPole-v1.zip", import.meta.url);
  const model = await importSb3(new Uint8Array(readFileSync(zip)), { env: make("CartPole-v1") });
  const action = model.predict(new Float32Array([0, 0.1, 0, -0.1]), { deterministic: true });
  assert.ok(action === 0 || action === 1 || (action as Int32Array)[0] >= 0);
  await model.learn(256);
  await model.save(join(dir, "ppo-cartpole.safetensors"));
  writeFileSync(join(dir, "policy.onnx"), exportOnnx(model));
  assert.ok(readFileSync(join(dir, "policy.onnx")).length > 1000);
});
