// Issue 16.2/16.4: types flow through every way of building a model. `new PPO("CartPole-v1")` is a model over
// CartPole's observation and action types (the EnvRegistry map `make` uses), so `predict` returns a number with no
// cast; an env or `make(id)` types it as before. The snippet below is type-checked strictly here (an expected error
// is marked @ts-expect-error, so an error that disappears fails too).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "tsrl-model-types-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SNIPPET = `
import {
  A2C, Algorithm, DDPG, DQN, ExpectedSarsa, make, makeVec, PPO, QLearning, REINFORCE, SAC, Sarsa, TD3, TRPO,
} from ${JSON.stringify(join(ROOT, "src/index.js"))};

const cartObs: Float32Array = make("CartPole-v1").reset().observation;
const pendObs: Float32Array = make("Pendulum-v1").reset().observation;

// an env id alone types the model
const ppo = new PPO("CartPole-v1", { nEnvs: 2 });
const a1: number = ppo.predict(cartObs);
const p1: PPO<Float32Array, number> = ppo;
const a2: number = new A2C("CartPole-v1").predict(cartObs);
const a3: number = new TRPO("Acrobot-v1").predict(cartObs);
const a4: number = new REINFORCE("CartPole-v1").predict(cartObs);
const a5: number = new DQN("CartPole-v1").predict(cartObs);
const a6: Float32Array = new SAC("Pendulum-v1").predict(pendObs);
const a7: Float32Array = new TD3("Pendulum-v1").predict(pendObs);
const a8: Float32Array = new DDPG("MountainCarContinuous-v0").predict(pendObs);
const a9: number = new QLearning("FrozenLake-v1").predict(3);
const a10: number = new Sarsa("Taxi-v4").predict(3);
const a11: number = new ExpectedSarsa("CliffWalking-v1").predict(3);
// @ts-expect-error Pendulum's actions are Float32Array
const wrong: number = new SAC("Pendulum-v1").predict(pendObs);

// an env types it as before; a vector env or an undeclared id gives the general types
const b1: number = new PPO(make("CartPole-v1")).predict(cartObs);
const b2 = new PPO(makeVec("CartPole-v1", 2)).predict(cartObs);
// @ts-expect-error a vector env does not say its action type
const b3: number = b2;
// @ts-expect-error nor does an id missing from EnvRegistry
const b4: number = new PPO("Custom-v0").predict(cartObs);

// the classes still work as values: in arrays, as base classes, with their static side
for (const Algo of [PPO, A2C, TRPO, REINFORCE]) new Algo("CartPole-v1", { seed: 1 });
class MyPPO extends PPO {}
const c1: Algorithm = new MyPPO("CartPole-v1");
const c2: PPO = PPO.fromZoo("CartPole-v1");
const c3: Promise<PPO> = PPO.load("model.safetensors");
const c4: string = PPO.algorithmName;
const c5: boolean = (c1 as unknown) instanceof PPO;
console.log(a1, p1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, wrong, b1, b3, b4, c2, c3, c4, c5);
`;

test("models built on an env id are typed by the id's env: predict returns its action type", () => {
  const file = join(dir, "snippet.mts");
  writeFileSync(file, `${SNIPPET}\nexport {};\n`);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    typeRoots: [join(ROOT, "node_modules", "@types")],
    types: ["node"],
  });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
  assert.deepEqual(errors, []);
});
