import { describe, InvalidArgumentError, TsrlError } from "../errors.js";
import type { Env, EnvSpec } from "./env.js";
import { OrderEnforcing } from "./wrappers/order-enforcing.js";
import { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
import { TimeLimit } from "./wrappers/time-limit.js";

export type EntryPoint = (kwargs: Record<string, unknown>) => Env<unknown, unknown>;

/** The spec's options besides id and entry point; `kwargs` are overridden by those given to `make`. */
export interface RegisterOptions extends Omit<EnvSpec, "id" | "entryPoint"> {
  /** Replace an existing registration with the same id instead of throwing. */
  override?: boolean;
}

/** Options of `make` itself; every other key (renderMode included) goes to the environment's constructor. */
export interface MakeOptions {
  /** Overrides the registered time limit; null removes it. */
  maxEpisodeSteps?: number | null;
  /** Skip the PassiveEnvChecker. */
  disableEnvChecker?: boolean;
  /** Skip OrderEnforcing. */
  orderEnforce?: boolean;
  renderMode?: "rgb_array" | "ansi";
  [envOption: string]: unknown;
}

/**
 * The type of each registered id's environment, so that `make("CartPole-v1")` is an `Env<Float32Array, number>`
 * and what flows from it (an algorithm's `predict`) is typed too. The built-in ids are declared where they are
 * registered; declare your own by declaration merging next to your `register` call:
 *
 *   declare module "tsrl" { interface EnvRegistry { "Corridor-v0": Env<Float32Array, number> } }
 *
 * An id not declared here still works with `make<O, A>(id)` or as `Env<unknown, unknown>`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface EnvRegistry {}

/** Ids declared in {@link EnvRegistry}. */
export type RegisteredEnvId = keyof EnvRegistry & string;

const specs = new Map<string, EnvSpec>();
const ID_PATTERN = /^(?:[\w:.-]+\/)?[\w:.-]+?(?:-v\d+)?$/;

/** Register an environment id (Gymnasium's `register`), e.g. `register("CartPole-v1", (kw) => new CartPoleEnv(kw), { maxEpisodeSteps: 500 })`. */
export function register(id: string, entryPoint: EntryPoint, opts: RegisterOptions = {}): void {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    throw new InvalidArgumentError(`register: id must look like "[namespace/]Name-vN", got ${describe(id)}`);
  }
  if (typeof entryPoint !== "function") {
    throw new InvalidArgumentError(
      `register(${id}): entryPoint must be a function returning an Env, got ${describe(entryPoint)}`,
    );
  }
  if (specs.has(id) && !opts.override) {
    throw new InvalidArgumentError(
      `register: id ${JSON.stringify(id)} is already registered (pass override: true to replace it)`,
    );
  }
  if (opts.maxEpisodeSteps !== undefined && !(Number.isSafeInteger(opts.maxEpisodeSteps) && opts.maxEpisodeSteps > 0)) {
    throw new InvalidArgumentError(
      `register(${id}): maxEpisodeSteps must be a positive integer, got ${describe(opts.maxEpisodeSteps)}`,
    );
  }
  specs.set(
    id,
    Object.freeze({
      id,
      entryPoint,
      maxEpisodeSteps: opts.maxEpisodeSteps,
      rewardThreshold: opts.rewardThreshold,
      nondeterministic: opts.nondeterministic ?? false,
      orderEnforce: opts.orderEnforce ?? true,
      disableEnvChecker: opts.disableEnvChecker ?? false,
      kwargs: Object.freeze({ ...(opts.kwargs ?? {}) }),
      workerSetup: opts.workerSetup,
    }),
  );
}

/** The registered spec of an id; unknown ids throw, naming close registered ids. */
export function spec(id: string): EnvSpec {
  const s = specs.get(id);
  if (s === undefined) throw unknownId(id);
  return s;
}

/** Every registered id, sorted. */
export function registeredIds(): string[] {
  return [...specs.keys()].sort();
}

/**
 * Build a registered environment (Gymnasium's `make`): the raw env from its entry point, then, as Gymnasium
 * stacks them, PassiveEnvChecker, OrderEnforcing, and TimeLimit (outermost) when the spec has a time limit.
 * `env.spec` carries the id, time limit, reward threshold and the keyword options used.
 */
export function make<K extends RegisteredEnvId>(id: K, options?: MakeOptions): EnvRegistry[K];
export function make<O = unknown, A = unknown>(id: string, options?: MakeOptions): Env<O, A>;
export function make(id: string, options: MakeOptions = {}): Env<unknown, unknown> {
  const base = spec(id);
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`make(${id}): options must be an object, got ${describe(options)}`);
  }
  const { maxEpisodeSteps, disableEnvChecker, orderEnforce, ...envOptions } = options;
  const kwargs = { ...base.kwargs, ...envOptions };
  for (const key of Object.keys(kwargs)) if (kwargs[key] === undefined) delete kwargs[key];
  const limit = maxEpisodeSteps === undefined ? base.maxEpisodeSteps : (maxEpisodeSteps ?? undefined);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidArgumentError(
      `make(${id}): maxEpisodeSteps must be a positive integer or null, got ${describe(maxEpisodeSteps)}`,
    );
  }
  const entryPoint = base.entryPoint as EntryPoint;
  let env: Env<unknown, unknown>;
  try {
    env = entryPoint(kwargs);
  } catch (e) {
    // name the id the user asked for in option errors raised by the constructor
    if (e instanceof TsrlError && !e.message.startsWith("make(")) e.message = `make(${id}): ${e.message}`;
    throw e;
  }
  env.unwrapped.spec = Object.freeze({
    ...base,
    maxEpisodeSteps: limit,
    disableEnvChecker: disableEnvChecker ?? base.disableEnvChecker,
    orderEnforce: orderEnforce ?? base.orderEnforce,
    kwargs: Object.freeze(kwargs),
  });
  if (!(disableEnvChecker ?? base.disableEnvChecker)) env = new PassiveEnvChecker(env);
  if (orderEnforce ?? base.orderEnforce) env = new OrderEnforcing(env);
  if (limit !== undefined) env = new TimeLimit(env, limit);
  return env;
}

function unknownId(id: unknown): InvalidArgumentError {
  if (typeof id !== "string") return new InvalidArgumentError(`make: id must be a string, got ${describe(id)}`);
  const name = id.replace(/-v\d+$/, "");
  const versions = registeredIds().filter((k) => k.replace(/-v\d+$/, "") === name);
  const hint =
    versions.length > 0
      ? `registered versions: ${versions.join(", ")}`
      : `registered ids: ${registeredIds().join(", ") || "(none: import the package entry point to register the built-in environments)"}`;
  return new InvalidArgumentError(`No environment registered with id ${JSON.stringify(id)}; ${hint}`);
}
