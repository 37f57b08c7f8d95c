import { describe, EnvError } from "../errors.js";
import { Box } from "../spaces/box.js";
import { Space } from "../spaces/space.js";
import type { Env, ResetResult, StepResult } from "./env.js";
import { envName } from "./env.js";

// Structural checks shared by PassiveEnvChecker (first reset/step only) and checkEnv (everything).
// Violations of the Env contract throw EnvError; observations outside the space are returned as warnings,
// because Gymnasium allows them (e.g. custom reset bounds) and only warns.

export function checkEnvSpaces(env: Env<unknown, unknown>): void {
  const name = envName(env);
  if (!(env.observationSpace instanceof Space)) {
    throw new EnvError(`${name}: observationSpace must be a Space, got ${describe(env.observationSpace)}`);
  }
  if (!(env.actionSpace instanceof Space)) {
    throw new EnvError(`${name}: actionSpace must be a Space, got ${describe(env.actionSpace)}`);
  }
}

function isPlainInfo(info: unknown): boolean {
  return typeof info === "object" && info !== null && !Array.isArray(info);
}

function observationWarnings(env: Env<unknown, unknown>, where: string, observation: unknown): string[] {
  const name = envName(env);
  const warnings: string[] = [];
  if (env.observationSpace instanceof Box && !(observation instanceof Float32Array)) {
    warnings.push(
      `${name}: the observation returned by ${where} is ${describe(observation)}, expected a Float32Array for ${env.observationSpace}`,
    );
  }
  if (!env.observationSpace.contains(observation)) {
    warnings.push(
      `${name}: the observation returned by ${where} is not in the observation space ${env.observationSpace}: ${describe(observation)}`,
    );
  }
  return warnings;
}

/** Check what `reset` returned; returns warnings. */
export function checkResetResult(env: Env<unknown, unknown>, result: ResetResult<unknown>): string[] {
  const name = envName(env);
  if (typeof result !== "object" || result === null || !("observation" in result) || !("info" in result)) {
    throw new EnvError(`${name}: reset() must return { observation, info }, got ${describe(result)}`);
  }
  if (!isPlainInfo(result.info)) {
    throw new EnvError(`${name}: reset() info must be an object, got ${describe(result.info)}`);
  }
  return observationWarnings(env, "reset()", result.observation);
}

/** Check what `step` returned; returns warnings. */
export function checkStepResult(env: Env<unknown, unknown>, result: StepResult<unknown>): string[] {
  const name = envName(env);
  if (typeof result !== "object" || result === null) {
    throw new EnvError(
      `${name}: step() must return { observation, reward, terminated, truncated, info }, got ${describe(result)}`,
    );
  }
  for (const key of ["observation", "reward", "terminated", "truncated", "info"]) {
    if (!(key in result)) throw new EnvError(`${name}: step() result is missing "${key}"`);
  }
  if (typeof result.reward !== "number" || !Number.isFinite(result.reward)) {
    throw new EnvError(`${name}: step() reward must be a finite number, got ${describe(result.reward)}`);
  }
  if (typeof result.terminated !== "boolean") {
    throw new EnvError(`${name}: step() terminated must be a boolean, got ${describe(result.terminated)}`);
  }
  if (typeof result.truncated !== "boolean") {
    throw new EnvError(`${name}: step() truncated must be a boolean, got ${describe(result.truncated)}`);
  }
  if (!isPlainInfo(result.info)) {
    throw new EnvError(`${name}: step() info must be an object, got ${describe(result.info)}`);
  }
  return observationWarnings(env, "step()", result.observation);
}

/** Check a render() result against the render mode. */
export function checkRenderResult(env: Env<unknown, unknown>, frame: unknown): void {
  const name = envName(env);
  const mode = env.renderMode;
  if (mode === "rgb_array") {
    const f = frame as { width?: unknown; height?: unknown; data?: unknown } | null;
    if (
      f === null ||
      typeof f !== "object" ||
      !Number.isInteger(f.width) ||
      !Number.isInteger(f.height) ||
      (f.width as number) <= 0 ||
      (f.height as number) <= 0 ||
      !(f.data instanceof Uint8ClampedArray) ||
      f.data.length !== (f.width as number) * (f.height as number) * 4
    ) {
      throw new EnvError(
        `${name}: render() in "rgb_array" mode must return { width, height, data: Uint8ClampedArray of width*height*4 }, got ${describe(frame)}`,
      );
    }
  } else if (mode === "ansi") {
    if (typeof frame !== "string") {
      throw new EnvError(`${name}: render() in "ansi" mode must return a string, got ${describe(frame)}`);
    }
  } else if (mode === undefined && frame !== null && frame !== undefined) {
    throw new EnvError(`${name}: render() without a render mode must return null, got ${describe(frame)}`);
  }
}
