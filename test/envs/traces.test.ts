// Replays Gymnasium's reference trajectories through make(id): every episode starts from
// its recorded internal state, then observations (1e-5 abs), rewards (1e-6 rel), terminated and truncated
// (exact) are compared at every step.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import "../../src/envs/builtin.js";
import { isStatefulEnv } from "../../src/envs/env.js";
import { make } from "../../src/envs/registry.js";
import type { SpaceJSON } from "../../src/spaces/space.js";

// recorded with Gymnasium 1.0.0 (see the README there)
const TRACE_DIR = new URL("../fixtures/traces/", import.meta.url);

interface TraceStep {
  action: number | number[];
  obs: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface TraceEpisode {
  reset_seed: number;
  initial_obs: number[];
  initial_state: number[];
  steps: TraceStep[];
  end: string;
}

interface TraceSpace {
  type: string;
  shape?: number[];
  low?: (number | string)[];
  high?: (number | string)[];
  n?: number;
  start?: number;
}

/** Our space (as JSON) equals Gymnasium's: same type, shape, float32 bounds, n and start. */
function assertSameSpace(ours: SpaceJSON, theirs: TraceSpace): void {
  assert.equal(ours.type, theirs.type);
  if (ours.type === "Box") {
    assert.deepEqual(ours.shape, theirs.shape);
    assert.deepEqual(ours.low.map(Number), (theirs.low ?? []).map(Number));
    assert.deepEqual(ours.high.map(Number), (theirs.high ?? []).map(Number));
  } else if (ours.type === "Discrete") {
    assert.equal(ours.n, theirs.n);
    assert.equal(ours.start, theirs.start);
  }
}

const IDS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"];

for (const id of IDS) {
  test(`${id} replays Gymnasium's reference trajectories`, () => {
    const trace = JSON.parse(readFileSync(new URL(`${id}.json`, TRACE_DIR), "utf8")) as {
      episodes: TraceEpisode[];
      observation_space: TraceSpace;
      action_space: TraceSpace;
      spec: { max_episode_steps: number; reward_threshold: number | null };
    };
    const probe = make(id);
    assert.equal(probe.spec?.maxEpisodeSteps, trace.spec.max_episode_steps);
    assert.equal(probe.spec?.rewardThreshold, trace.spec.reward_threshold ?? undefined);
    assertSameSpace(probe.observationSpace.toJSON(), trace.observation_space);
    assertSameSpace(probe.actionSpace.toJSON(), trace.action_space);
    assert.ok(trace.episodes.length >= 5);
    let steps = 0;
    for (const ep of trace.episodes) {
      const env = make<Float32Array, number | Float32Array>(id);
      env.reset({ seed: ep.reset_seed });
      const raw = env.unwrapped;
      assert.ok(isStatefulEnv(raw));
      raw.setState(ep.initial_state);
      const act = new Float32Array(1);
      for (let t = 0; t < ep.steps.length; t++) {
        const s = ep.steps[t];
        let action: number | Float32Array;
        if (typeof s.action === "number") action = s.action;
        else {
          act[0] = s.action[0];
          action = act;
        }
        const r = env.step(action);
        const where = `${id} episode ${ep.reset_seed} step ${t}`;
        for (let i = 0; i < s.obs.length; i++) {
          const d = Math.abs(r.observation[i] - s.obs[i]);
          assert.ok(d <= 1e-5, `${where}: obs[${i}] = ${r.observation[i]}, Gymnasium ${s.obs[i]}`);
        }
        const rel = Math.abs(r.reward - s.reward) / Math.max(Math.abs(s.reward), 1e-12);
        assert.ok(rel <= 1e-6 || r.reward === s.reward, `${where}: reward ${r.reward}, Gymnasium ${s.reward}`);
        assert.equal(r.terminated, s.terminated, `${where}: terminated`);
        assert.equal(r.truncated, s.truncated, `${where}: truncated`);
        steps++;
      }
      const last = ep.steps[ep.steps.length - 1];
      assert.equal(ep.end === "cap", !last.terminated && !last.truncated);
    }
    assert.ok(steps > 100);
  });
}
