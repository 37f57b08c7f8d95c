import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { MissingArtifactError, packRun, pruneArtifacts, unpackRun } from "../../src/study/pack-folder.js";

test("packRun with an artifacts folder carries model files there and the rest inline; unpackRun joins them", () => {
  const tmp = mkdtempSync(join(tmpdir(), "tsrl-pack-"));
  try {
    const run = join(tmp, "run");
    mkdirSync(join(run, "checkpoints"), { recursive: true });
    writeFileSync(join(run, "metrics.jsonl"), "{}\n");
    writeFileSync(join(run, "model.safetensors"), "weights");
    writeFileSync(join(run, "checkpoints", "checkpoint_8_steps.safetensors"), "ckpt");
    const shared = join(tmp, "shared");
    const packed = packRun(run, () => false, shared);
    assert.deepEqual(Object.keys(packed.files), ["metrics.jsonl"]);
    assert.deepEqual(packed.artifacts.sort(), ["checkpoints/checkpoint_8_steps.safetensors", "model.safetensors"]);
    assert.deepEqual(Object.keys(packRun(run, () => false).files).sort(), [
      "checkpoints/checkpoint_8_steps.safetensors",
      "metrics.jsonl",
      "model.safetensors",
    ]);

    const back = join(tmp, "back");
    unpackRun(back, JSON.parse(JSON.stringify(packed)), shared);
    for (const f of ["metrics.jsonl", "model.safetensors", "checkpoints/checkpoint_8_steps.safetensors"])
      assert.deepEqual(readFileSync(join(back, f)), readFileSync(join(run, f)), f);

    assert.throws(
      () => unpackRun(join(tmp, "x"), packed),
      (e: unknown) => e instanceof MissingArtifactError && /no --artifacts folder was given here/.test(e.message),
    );
    pruneArtifacts(shared, ["model.safetensors"]);
    assert.deepEqual(readdirSync(join(shared, "checkpoints")), []);
    assert.throws(
      () => unpackRun(join(tmp, "y"), packed, shared),
      (e: unknown) =>
        e instanceof MissingArtifactError && /checkpoint_8_steps.safetensors is not in the shared/.test(e.message),
    );
    assert.throws(() => unpackRun(tmp, { files: {}, artifacts: ["../evil.safetensors"] }, shared), /outside its run/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
