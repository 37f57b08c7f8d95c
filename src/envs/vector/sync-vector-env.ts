import { describe, EnvError, InvalidArgumentError } from "../../errors.js";
import type { Space } from "../../spaces/space.js";
import { spacesEqual } from "../../spaces/utils.js";
import type { Env, Info } from "../env.js";
import type { EnvSnapshot } from "../snapshot.js";
import {
  AutoresetSubEnv,
  allocateBatch,
  type BatchBuffers,
  checkActions,
  checkAutoresetMode,
  initialSeed,
  resetMask,
  subEnvError,
  subEnvSeeds,
} from "./autoreset.js";
import type {
  AutoresetMode,
  VectorEnv,
  VectorResetOptions,
  VectorResetResult,
  VectorStepResult,
} from "./vector-env.js";
import { readVectorSnapshot, type VectorFrame, vectorSnapshot } from "./vector-snapshot.js";

/**
 * Gymnasium's SyncVectorEnv: steps its sub-envs one after the other in this thread and batches the results into
 * typed arrays (see {@link VectorEnv}). Sub-envs must have equal spaces. Stepping allocates nothing beyond what the
 * sub-envs do, except the infos of episodes that end.
 */
export class SyncVectorEnv implements VectorEnv {
  readonly envs: readonly Env<unknown, unknown>[];
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly obsDim: number;
  readonly actDim: number;
  readonly autoresetMode: AutoresetMode;
  private readonly subEnvs: AutoresetSubEnv[];
  private readonly buffers: BatchBuffers;
  private readonly infos: Info[];
  private readonly stepResult: VectorStepResult;
  private initialSeed: number | undefined;
  private started = false;
  private closed = false;

  /**
   * @param opts.seed used by the first `reset` that is given no seed (so a seeded `makeVec` is reproducible), and
   *   to seed `singleActionSpace`.
   */
  constructor(
    envFns: readonly (() => Env<unknown, unknown>)[],
    opts: { autoresetMode?: AutoresetMode; seed?: number } = {},
  ) {
    if (!Array.isArray(envFns) || envFns.length === 0 || !envFns.every((f) => typeof f === "function")) {
      throw new InvalidArgumentError(
        `SyncVectorEnv: envFns must be a non-empty array of functions returning an Env, got ${describe(envFns)}`,
      );
    }
    this.autoresetMode = checkAutoresetMode("SyncVectorEnv", opts.autoresetMode ?? "next-step");
    this.envs = envFns.map((f) => f());
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    this.envs.forEach((env, i) => {
      if (
        !spacesEqual(env.observationSpace, this.singleObservationSpace) ||
        !spacesEqual(env.actionSpace, this.singleActionSpace)
      ) {
        throw new InvalidArgumentError(
          `SyncVectorEnv: sub-env ${i} has spaces ${env.observationSpace} / ${env.actionSpace}, sub-env 0 has ${this.singleObservationSpace} / ${this.singleActionSpace}; all must be equal`,
        );
      }
    });
    const probe = new AutoresetSubEnv(this.envs[0], 0, this.autoresetMode, allocateBatch(1, 1, false));
    this.obsDim = probe.obsDim;
    this.actDim = probe.actDim;
    this.buffers = allocateBatch(this.numEnvs, this.obsDim, false);
    this.subEnvs = this.envs.map((env, i) => new AutoresetSubEnv(env, i, this.autoresetMode, this.buffers));
    this.infos = new Array(this.numEnvs).fill(undefined).map(() => ({}));
    this.stepResult = { ...this.buffers, infos: this.infos };
    this.initialSeed = initialSeed("SyncVectorEnv", opts.seed, this.singleActionSpace);
  }

  reset(opts: VectorResetOptions = {}): VectorResetResult {
    this.checkOpen();
    const { mask, options } = resetMask("SyncVectorEnv", this.numEnvs, opts.options);
    if (mask !== null && !this.started) {
      throw new EnvError("SyncVectorEnv.reset: options.reset_mask needs a first reset of every sub-env; call reset()");
    }
    const seeds = subEnvSeeds("SyncVectorEnv", this.numEnvs, opts.seed ?? (mask ? undefined : this.initialSeed));
    if (mask === null) this.initialSeed = undefined;
    for (let i = 0; i < this.numEnvs; i++) {
      if (mask !== null && !mask[i]) continue;
      try {
        this.infos[i] = this.subEnvs[i].reset(seeds[i], options);
      } catch (e) {
        throw subEnvError("SyncVectorEnv.reset", i, e);
      }
    }
    this.started = true;
    return { observations: this.buffers.observations, infos: this.infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    this.checkOpen();
    if (!this.started) throw new EnvError("SyncVectorEnv.step was called before reset(); call reset() first");
    checkActions("SyncVectorEnv", actions, this.numEnvs, this.actDim);
    for (let i = 0; i < this.numEnvs; i++) {
      try {
        this.infos[i] = this.subEnvs[i].step(actions);
      } catch (e) {
        throw subEnvError("SyncVectorEnv.step", i, e);
      }
    }
    return this.stepResult;
  }

  /**
   * Every sub-env's complete state, autoreset flags and the batch of observations, for exact resume; undefined
   * when a sub-env cannot snapshot (see src/envs/snapshot.ts).
   */
  get snapshot(): (() => EnvSnapshot) | undefined {
    if (!this.subEnvs.every((s) => s.canSnapshot)) return undefined;
    return () => {
      this.checkOpen();
      return vectorSnapshot(
        this.frame(),
        this.subEnvs.map((s) => s.snapshot()),
      );
    };
  }

  /** Restore a {@link snapshot}: everything is checked (every sub-env included) before anything changes. */
  get restore(): ((s: EnvSnapshot) => void) | undefined {
    if (!this.subEnvs.every((s) => s.canSnapshot)) return undefined;
    return (snap) => {
      this.checkOpen();
      const v = readVectorSnapshot(this.frame(), snap);
      const apply = this.subEnvs.map((sub, i) => sub.prepareRestore(v.subs[i], "SyncVectorEnv"));
      for (const f of apply) f();
      v.applySpaces();
      this.buffers.observations.set(v.observations);
      this.started = v.started;
      this.initialSeed = v.initialSeed;
    };
  }

  private frame(): VectorFrame {
    return {
      kind: "SyncVectorEnv",
      numEnvs: this.numEnvs,
      obsDim: this.obsDim,
      autoresetMode: this.autoresetMode,
      started: this.started,
      initialSeed: this.initialSeed,
      spaces: [this.singleActionSpace, this.singleObservationSpace],
      observations: this.buffers.observations,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const env of this.envs) env.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new EnvError("SyncVectorEnv was closed; make a new one");
  }
}
