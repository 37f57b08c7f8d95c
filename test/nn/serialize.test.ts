import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../src/core/engine.js";
import { mean, square } from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/core/safetensors.js";
import type { Tensor } from "../../src/core/tensor.js";
import { CheckpointError, InvalidArgumentError } from "../../src/errors.js";
import { MLP } from "../../src/nn/mlp.js";
import { Adam } from "../../src/nn/optim/adam.js";
import type { Optimizer } from "../../src/nn/optim/optimizer.js";
import { RMSprop } from "../../src/nn/optim/rmsprop.js";
import { SGD } from "../../src/nn/optim/sgd.js";
import { loadParameters, type SavedParameters, saveParameters } from "../../src/nn/serialize.js";

const X = [0.1, -0.5, 0.9, 0.3, -1.2, 0.4, 0.7, 0.0]; // [4, 2]

function makeNet(engine: Engine, seed: number, hidden = 5): MLP {
  return new MLP(engine, new Rng(seed), { inputSize: 2, hiddenSizes: [hidden], outputSize: 3 });
}

function trainStep(engine: Engine, net: MLP, opt: Optimizer): void {
  engine.scope(() => {
    opt.zeroGrad();
    engine.backward(mean(square(net.forward(engine.tensor(X, [4, 2])))));
    opt.step();
  });
}

const snapshot = (ts: readonly Tensor[]): number[][] => ts.map((t) => t.toArray());
const optSnapshot = (o: Optimizer) => Object.entries(o.stateTensors()).map(([k, t]) => [k, t.toArray()]);

test("parameters and Adam state round-trip through bytes + JSON and training resumes bit for bit", () => {
  const engine = new Engine();
  const net = makeNet(engine, 1);
  const opt = new Adam(net.parameters(), { lr: 0.01, eps: 1e-5 });
  for (let i = 0; i < 3; i++) trainStep(engine, net, opt);
  const saved = saveParameters(net, { optimizer: opt, metadata: { run: "test" } });
  // the sidecar is plain JSON
  const sidecar = JSON.parse(JSON.stringify(saved.sidecar));
  assert.deepEqual(sidecar.parameters, [[5, 2], [5], [3, 5], [3]]);
  assert.equal(sidecar.optimizer.type, "Adam");
  assert.equal(sidecar.optimizer.stepCount, 3);
  assert.equal(decodeSafetensors(saved.safetensors).metadata.run, "test");

  const net2 = makeNet(engine, 99);
  const opt2 = new Adam(net2.parameters(), { lr: 0.5, eps: 1e-5 });
  assert.notDeepEqual(snapshot(net2.parameters()), snapshot(net.parameters()));
  loadParameters(net2, { safetensors: saved.safetensors, sidecar }, { optimizer: opt2 });
  assert.deepEqual(snapshot(net2.parameters()), snapshot(net.parameters()));
  assert.deepEqual(optSnapshot(opt2), optSnapshot(opt));
  assert.equal(opt2.stepCount, 3);
  assert.equal(opt2.lr, 0.01);
  for (let i = 0; i < 2; i++) {
    trainStep(engine, net, opt);
    trainStep(engine, net2, opt2);
  }
  assert.deepEqual(snapshot(net2.parameters()), snapshot(net.parameters()));
});

test("SGD momentum and centered RMSprop state round-trip; parameters alone load without an optimizer", () => {
  const engine = new Engine({ dtype: "float64", kernels: "ts" });
  for (const make of [
    (n: MLP) => new SGD(n.parameters(), { lr: 0.1, momentum: 0.9 }),
    (n: MLP) => new RMSprop(n.parameters(), { lr: 0.01, centered: true, momentum: 0.5 }),
  ]) {
    const net = makeNet(engine, 2);
    const opt = make(net);
    trainStep(engine, net, opt);
    const saved = saveParameters(net, { optimizer: opt });
    const net2 = makeNet(engine, 3);
    const opt2 = make(net2);
    loadParameters(net2, saved, { optimizer: opt2 });
    assert.deepEqual(optSnapshot(opt2), optSnapshot(opt));
    const net3 = makeNet(engine, 4);
    loadParameters(net3, saved);
    assert.deepEqual(snapshot(net3.parameters()), snapshot(net.parameters()));
  }
});

test("an F32 file loads into a float64 engine", () => {
  const net = makeNet(new Engine(), 1);
  const net64 = makeNet(new Engine({ dtype: "float64", kernels: "ts" }), 2);
  const saved = saveParameters(net);
  assert.equal(saved.sidecar.dtype, "F32");
  loadParameters(net64, saved);
  assert.deepEqual(snapshot(net64.parameters()), snapshot(net.parameters()));
});

/** Expect a CheckpointError matching `pattern`, and that nothing in the target model/optimizer changed. */
function rejectsUntouched(net: MLP, saved: SavedParameters, pattern: RegExp, opt?: Optimizer): void {
  const before = snapshot(net.parameters());
  const optBefore = opt === undefined ? null : [optSnapshot(opt), opt.stepCount, opt.lr];
  assert.throws(
    () => loadParameters(net, saved, { optimizer: opt }),
    (e: unknown) => e instanceof CheckpointError && pattern.test(e.message),
  );
  assert.deepEqual(snapshot(net.parameters()), before);
  if (opt !== undefined) assert.deepEqual([optSnapshot(opt), opt.stepCount, opt.lr], optBefore);
}

test("mismatches and corruption throw CheckpointError and load nothing", () => {
  const engine = new Engine();
  const net = makeNet(engine, 1);
  const opt = new Adam(net.parameters());
  trainStep(engine, net, opt);
  const saved = saveParameters(net, { optimizer: opt });
  const target = makeNet(engine, 7);
  const targetOpt = new Adam(target.parameters());
  trainStep(engine, target, targetOpt);

  rejectsUntouched(makeNet(engine, 1, 6), saved, /shape \[5, 2\] but the sidecar says \[6, 2\]|model expects \[6, 2\]/);
  rejectsUntouched(target, saved, /optimizer is Adam, expected SGD/, new SGD(target.parameters(), { lr: 0.1 }));
  const noOpt = saveParameters(net);
  rejectsUntouched(target, noOpt, /holds no optimizer state/, targetOpt);
  const sgd = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const sgdSaved = saveParameters(net, { optimizer: sgd });
  rejectsUntouched(
    target,
    sgdSaved,
    /buffers \[.*\] in the checkpoint, expected/,
    new SGD(target.parameters(), { lr: 0.1 }),
  );

  // corrupt or inconsistent bytes
  rejectsUntouched(target, { ...saved, safetensors: saved.safetensors.subarray(0, 100) }, /safetensors:/, targetOpt);
  const tensors = decodeSafetensors(saved.safetensors).tensors;
  const withNaN = {
    ...tensors,
    "params.1": { dtype: "F32" as const, shape: [5], data: new Float32Array(5).fill(Number.NaN) },
  };
  rejectsUntouched(target, { ...saved, safetensors: encodeSafetensors(withNaN) }, /"params.1" holds NaN/, targetOpt);
  const extra = { ...tensors, bonus: { dtype: "U8" as const, shape: [1], data: new Uint8Array(1) } };
  rejectsUntouched(target, { ...saved, safetensors: encodeSafetensors(extra) }, /unexpected tensor "bonus"/, targetOpt);
  const { "optim.0.exp_avg": _dropped, ...missing } = tensors;
  rejectsUntouched(
    target,
    { ...saved, safetensors: encodeSafetensors(missing) },
    /"optim.0.exp_avg" is missing/,
    targetOpt,
  );
  const f64 = { ...tensors, "params.0": { dtype: "F64" as const, shape: [5, 2], data: new Float64Array(10) } };
  rejectsUntouched(
    target,
    { ...saved, safetensors: encodeSafetensors(f64) },
    /is F64, the sidecar says F32/,
    targetOpt,
  );

  // malformed sidecars
  const side = (patch: Record<string, unknown>) =>
    ({ safetensors: saved.safetensors, sidecar: { ...saved.sidecar, ...patch } }) as SavedParameters;
  rejectsUntouched(target, side({ format: "other" }), /format must be "tsrl.parameters"/);
  rejectsUntouched(target, side({ version: 2 }), /version 2 is not supported/);
  rejectsUntouched(target, side({ dtype: "F16" }), /dtype must be "F32" or "F64"/);
  rejectsUntouched(target, side({ parameters: [[5, 2], [5], [3, -5], [3]] }), /array of shapes/);
  rejectsUntouched(target, side({ parameters: [[5, 2]] }), /has 1 parameter tensors, the model has 4/);
  rejectsUntouched(
    target,
    side({ optimizer: { type: "Adam", stepCount: -1, lr: 0.1, tensors: [] } }),
    /stepCount/,
    targetOpt,
  );
  rejectsUntouched(
    target,
    side({ optimizer: { type: "Adam", stepCount: 1, lr: "x", tensors: [] } }),
    /lr must be/,
    targetOpt,
  );
  rejectsUntouched(target, side({ optimizer: "Adam" }), /optimizer must be an object or null/);
  rejectsUntouched(
    target,
    { safetensors: saved.safetensors, sidecar: null } as unknown as SavedParameters,
    /must be an object/,
  );
});

test("bad arguments are InvalidArgumentErrors", () => {
  const engine = new Engine();
  const net = makeNet(engine, 1);
  const other = makeNet(engine, 2);
  assert.throws(() => saveParameters({ parameters: () => [] }), InvalidArgumentError);
  assert.throws(() => saveParameters(null as unknown as MLP), InvalidArgumentError);
  assert.throws(
    () => saveParameters(net, { optimizer: new Adam(other.parameters()) }),
    /exactly module.parameters\(\)/,
  );
  assert.throws(() => loadParameters(net, { safetensors: [1, 2] } as unknown as SavedParameters), InvalidArgumentError);
});
