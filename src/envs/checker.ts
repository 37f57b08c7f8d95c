import { describe, EnvError } from "../errors.js";
import { Box } from "../spaces/box.js";
import { checkEnvSpaces, checkRenderResult, checkResetResult, checkStepResult } from "./checks.js";
import { type Env, envName, type RenderMode } from "./env.js";

export interface CheckEnvOptions {
  /** Skip building the env in each of its render modes (needs `env.spec.entryPoint`). */
  skipRenderCheck?: boolean;
  /** Seed used for the determinism checks (default 123). */
  seed?: number;
  /** Steps compared in the step-determinism check (default 20). */
  determinismSteps?: number;
}

/**
 * Check that an environment follows the Env API, like Gymnasium's `check_env`: spaces, reset/step result types
 * and shapes, observations inside the observation space, reset determinism under the same seed, step
 * determinism under the same seed and actions, rejection of invalid seeds, and every declared render mode.
 * Throws EnvError naming the env and the problem; returns warnings for things Gymnasium only warns about.
 * The env is reset and stepped (use a fresh one, or reset it afterwards).
 */
export function checkEnv(env: Env<unknown, unknown>, opts: CheckEnvOptions = {}): string[] {
  const name = envName(env);
  const seed = opts.seed ?? 123;
  const nSteps = opts.determinismSteps ?? 20;
  const warnings: string[] = [];
  checkEnvSpaces(env);
  for (const [label, space] of [
    ["observation", env.observationSpace],
    ["action", env.actionSpace],
  ] as const) {
    if (space instanceof Box) {
      for (let i = 0; i < space.size; i++) {
        if (Number.isNaN(space.low[i]) || Number.isNaN(space.high[i])) {
          throw new EnvError(`${name}: ${label} space ${space} has NaN bounds`);
        }
      }
    }
  }
  if (env.actionSpace instanceof Box && env.actionSpace.isBounded() && !isSymmetric(env.actionSpace)) {
    warnings.push(
      `${name}: the Box action space ${env.actionSpace} is not symmetric; consider rescaling it to [-1, 1]`,
    );
  }
  if (!Array.isArray(env.metadata?.renderModes)) {
    throw new EnvError(`${name}: metadata.renderModes must be an array, got ${describe(env.metadata?.renderModes)}`);
  }

  // reset: result shape, observation in space, determinism under a seed
  const r1 = env.reset({ seed });
  warnings.push(...checkResetResult(env, r1));
  const obs1 = clone(r1.observation);
  const r2 = env.reset({ seed });
  if (!deepEqual(obs1, r2.observation)) {
    throw new EnvError(
      `${name}: reset({ seed: ${seed} }) is not deterministic: ${describe(obs1)} then ${describe(r2.observation)}`,
    );
  }
  const r3 = env.reset();
  warnings.push(...checkResetResult(env, r3));
  const r4 = env.reset({ seed, options: undefined });
  warnings.push(...checkResetResult(env, r4));
  for (const bad of [-1, 1.5, Number.NaN]) {
    let threw = false;
    try {
      env.reset({ seed: bad });
    } catch {
      threw = true;
    }
    if (!threw)
      throw new EnvError(`${name}: reset({ seed: ${bad} }) must be rejected (seeds are non-negative integers)`);
  }

  // step: result types, then the same seed and actions give the same trajectory
  const runs: unknown[][] = [];
  for (let run = 0; run < 2; run++) {
    env.reset({ seed });
    env.actionSpace.seed(seed);
    const trace: unknown[] = [];
    for (let t = 0; t < nSteps; t++) {
      const action = env.actionSpace.sample();
      if (!env.actionSpace.contains(action)) {
        throw new EnvError(
          `${name}: actionSpace.sample() gave ${describe(action)}, which actionSpace.contains() rejects`,
        );
      }
      const s = env.step(action);
      warnings.push(...checkStepResult(env, s));
      trace.push(clone(s.observation), s.reward, s.terminated, s.truncated);
      if (s.terminated || s.truncated) break;
    }
    runs.push(trace);
  }
  if (!deepEqual(runs[0], runs[1])) {
    throw new EnvError(`${name}: step() is not deterministic: the same seed and actions gave different trajectories`);
  }

  if (!opts.skipRenderCheck) checkRenderModes(env);
  return [...new Set(warnings)];
}

function checkRenderModes(env: Env<unknown, unknown>): void {
  const name = envName(env);
  if (env.renderMode !== undefined && !env.metadata.renderModes.includes(env.renderMode)) {
    throw new EnvError(`${name}: renderMode ${describe(env.renderMode)} is not in metadata.renderModes`);
  }
  checkRenderResult(env, env.render());
  const entryPoint = env.spec?.entryPoint;
  if (entryPoint === undefined) return;
  for (const mode of env.metadata.renderModes as RenderMode[]) {
    if (mode === "human") continue;
    const other = entryPoint({ ...(env.spec?.kwargs ?? {}), renderMode: mode });
    if (other.renderMode !== mode) {
      throw new EnvError(`${name}: built with renderMode ${describe(mode)} but reports ${describe(other.renderMode)}`);
    }
    other.reset({ seed: 0 });
    checkRenderResult(other, other.render());
    other.close();
  }
}

function isSymmetric(b: Box): boolean {
  for (let i = 0; i < b.size; i++) if (b.low[i] !== -b.high[i]) return false;
  return true;
}

/** Copy an observation: typed arrays are reused by envs, so compare against a snapshot. */
function clone(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return (x as unknown as { slice(): unknown }).slice();
  if (Array.isArray(x)) return x.map(clone);
  if (typeof x === "object" && x !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = clone(v);
    return out;
  }
  return x;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (a.constructor !== b.constructor || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
