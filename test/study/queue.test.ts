// Studies on a BullMQ queue against a real redis-server (Debian package; .ci/run installs it), started here on a
// loopback port of this test's own and stopped after.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { LIBRARY_VERSION } from "../../src/algos/common/checkpoint.js";
import { runCli } from "../../src/cli/program.js";
import type { PackedRun } from "../../src/study/pack-folder.js";
import { connectRedis, QueueError, startWorker } from "../../src/study/queue.js";
import { runStudy } from "../../src/study/run-study.js";
import { runResults } from "./same-results.js";

const hasRedis = spawnSync("redis-server", ["--version"]).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      (await connectRedis(url, 500)).disconnect();
      break;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => proc.kill("SIGTERM") };
}

/** A `tsrl worker` process (the CLI from source), its log collected. */
function workerProcess(
  url: string,
  queueName: string,
  workDir: string,
  extra: string[] = [],
): { proc: ChildProcess; log: string[] } {
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "worker",
      "--queue",
      url,
      "--queue-name",
      queueName,
      "--work-dir",
      workDir,
      "--lock-duration",
      "2000",
      ...extra,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const log: string[] = [];
  proc.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
  return { proc, log };
}

/**
 * A redis-server of the test's own, a temporary folder and two `tsrl worker` processes (A and B, with `args` given the
 * folder), all stopped after the test.
 */
async function twoWorkers(t: TestContext, queueName: string, args: (tmp: string) => string[] = () => []) {
  const redis = await startRedis();
  const tmp = mkdtempSync(join(tmpdir(), "tsrl-q-"));
  const a = workerProcess(redis.url, queueName, join(tmp, "wa"), args(tmp));
  const b = workerProcess(redis.url, queueName, join(tmp, "wb"), args(tmp));
  t.after(() => {
    a.proc.kill("SIGKILL");
    b.proc.kill("SIGKILL");
    redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  });
  return { redis, tmp, a, b };
}

const study = {
  name: "queued",
  envs: ["CartPole-v1"],
  seeds: 3,
  budget: 3072,
  evalCount: 2,
  evalEpisodes: 2,
  finalEvalEpisodes: 3,
  checkpointCount: 6,
  variants: [
    { name: "PPO", algo: "ppo", nEnvs: 1, hp: { nSteps: 128, batchSize: 64, nEpochs: 4 } },
    { name: "A2C", algo: "a2c", nEnvs: 1, hp: { nSteps: 8 } },
  ],
};

test("an unreachable Redis is a clear error within seconds, for the study and for a worker", async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const t0 = performance.now();
  await assert.rejects(
    runStudy(study, { out: mkdtempSync(join(tmpdir(), "tsrl-q-")), queue: url, progress: "none", log: () => {} }),
    (e: unknown) =>
      e instanceof QueueError && /cannot reach Redis at redis:\/\/127.0.0.1:\d+ .*start redis-server/.test(e.message),
  );
  const out: string[] = [];
  const code = await runCli(["worker", "--queue", url], { out: () => {}, err: (s) => out.push(s) });
  assert.equal(code, 1);
  assert.match(out.join(""), /error: cannot reach Redis at/);
  assert.ok(performance.now() - t0 < 10_000, "within seconds");
  await assert.rejects(
    startWorker("http://x", { workDir: "." }),
    /--queue must be a URL redis:\/\/HOST:PORT, got "http:\/\/x"/,
  );
});

test("through Redis with 2 workers, one killed mid-run: every run once, the same results bit for bit as locally", {
  skip: hasRedis ? false : "redis-server is not installed (.ci/run installs it)",
}, async (t) => {
  const queueName = "test-queue";
  const { redis, tmp, a, b } = await twoWorkers(t, queueName);
  // kill worker A (SIGKILL: no goodbye) once it has reported a checkpoint of a run to the queue
  let killedAt: string | null = null;
  const watch = setInterval(async () => {
    if (killedAt !== null) return;
    const r = await connectRedis(redis.url);
    const keys = await r.keys(`tsrl:${queueName}:ckpt:*`);
    r.disconnect();
    const aDir = join(tmp, "wa");
    const aJobs = existsSync(aDir) ? readdirSync(aDir) : [];
    const hit = aJobs.find((j) => keys.some((k) => k.endsWith(j)));
    if (hit && killedAt === null) {
      killedAt = hit;
      a.proc.kill("SIGKILL");
    }
  }, 50);
  const queued = await runStudy(study, {
    out: join(tmp, "queued"),
    queue: redis.url,
    queueName,
    progress: "none",
    log: () => {},
  });
  clearInterval(watch);
  assert.ok(killedAt !== null, `worker A was killed mid-run (its log: ${a.log.join("")})`);
  assert.match(b.log.join(""), /resuming from the checkpoint its last worker reported/);

  const local = await runStudy(study, { out: join(tmp, "local"), workers: 2, progress: "none", log: () => {} });
  assert.deepEqual(
    queued.runs.map((r) => r.run.key),
    local.runs.map((r) => r.run.key),
  );
  assert.deepEqual(readdirSync(join(tmp, "queued", "runs")).sort(), readdirSync(join(tmp, "local", "runs")).sort());
  for (let i = 0; i < local.runs.length; i++) {
    const q = queued.runs[i];
    assert.equal(q.summary.numTimesteps, 3072);
    assert.equal(q.runDir, join(tmp, "queued", "runs", q.run.folder));
    assert.deepEqual(runResults(q.runDir), runResults(local.runs[i].runDir), q.run.key);
  }

  // the queue now belongs to tsrl LIBRARY_VERSION: a worker of another version is refused, both versions named
  await assert.rejects(
    startWorker(redis.url, { queueName, workDir: tmp, version: "0.0.1-other" }),
    new RegExp(
      `refused: the study on queue "${queueName}" .* runs tsrl ${LIBRARY_VERSION.replaceAll(".", "\\.")}, this worker is tsrl 0\\.0\\.1-other`,
    ),
  );
});

test("with a shared --artifacts folder, model files go through it, not Redis; a killed worker's run resumes from it", {
  skip: hasRedis ? false : "redis-server is not installed (.ci/run installs it)",
}, async (t) => {
  const queueName = "artifacts-queue";
  // both workers see the shared folder (here at the same path; on other machines, at their own mount)
  const { redis, tmp, a, b } = await twoWorkers(t, queueName, (dir) => {
    mkdirSync(join(dir, "shared"), { recursive: true });
    return ["--artifacts", join(dir, "shared")];
  });
  const shared = join(tmp, "shared");
  const small = { ...study, name: "artifacts", seeds: 2, variants: [study.variants[0]] };
  const payloads: PackedRun[] = [];
  let killedAt: string | null = null;
  const watch = setInterval(async () => {
    const r = await connectRedis(redis.url);
    for (const key of await r.keys(`tsrl:${queueName}:ckpt:*`)) {
      const text = await r.get(key);
      if (text !== null) payloads.push(JSON.parse(text) as PackedRun);
      const job = key.slice(`tsrl:${queueName}:ckpt:`.length);
      if (killedAt === null && existsSync(join(tmp, "wa", job))) {
        killedAt = job;
        a.proc.kill("SIGKILL");
      }
    }
    r.disconnect();
  }, 50);
  const queued = await runStudy(small, {
    out: join(tmp, "queued"),
    queue: redis.url,
    queueName,
    artifacts: shared,
    progress: "none",
    log: () => {},
  });
  clearInterval(watch);
  assert.ok(killedAt !== null, `worker A was killed mid-run (its log: ${a.log.join("")})`);
  assert.match(b.log.join(""), /resuming from the checkpoint its last worker reported/);
  assert.ok(payloads.length > 0);
  for (const p of payloads) {
    assert.deepEqual(
      Object.keys(p.files).filter((f) => f.endsWith(".safetensors")),
      [],
      "no model file inside Redis",
    );
    assert.equal(p.artifacts.filter((f) => f.startsWith("checkpoints/")).length, 1, "the newest checkpoint, by name");
  }
  assert.deepEqual(readdirSync(shared), [], "the study moved every model file into its run folder");

  const local = await runStudy(small, { out: join(tmp, "local"), workers: 1, progress: "none", log: () => {} });
  for (let i = 0; i < local.runs.length; i++) {
    const q = queued.runs[i];
    assert.deepEqual(runResults(q.runDir), runResults(local.runs[i].runDir), q.run.key);
    const files = (d: string) =>
      readdirSync(d)
        .filter((f) => f !== "checkpoints")
        .sort();
    assert.deepEqual(files(q.runDir), files(local.runs[i].runDir), "model and best model are in the run folder");
  }
});

test("--artifacts: a study must be on a queue, the folder must exist, and an unpacked run needs its files", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tsrl-q-"));
  try {
    await assert.rejects(
      runStudy(study, { out: join(tmp, "s"), artifacts: tmp, progress: "none", log: () => {} }),
      /artifacts \(".*"\) is for studies on a queue: pass queue too/,
    );
    await assert.rejects(
      runStudy(study, { out: join(tmp, "s"), queue: "redis://127.0.0.1:1", artifacts: join(tmp, "nope") }),
      /artifacts must be an existing folder shared by the study and its workers, got ".*nope"/,
    );
    await assert.rejects(
      startWorker("redis://127.0.0.1:1", { workDir: tmp, artifacts: join(tmp, "nope") }),
      /artifacts must be an existing folder/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
