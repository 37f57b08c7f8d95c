// Study scaling: the same study of short runs on 1 local worker process, on 2, and (when redis-server is installed)
// through Redis with 2 `tsrl worker` processes, measured alternately in each round. Prints the wall times, the
// 1-vs-2 ratio (target >= 1.8 on 2 free cores) and the Redis-vs-local ratio (target <= 1.1), and checks that the
// Redis study's results equal the local one's bit for bit. Meaningful only on a quiet machine.
//   npm run bench:study -- [--runs 40] [--steps 4096] [--rounds 2] [--no-redis]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedis } from "../src/study/queue.js";
import { runStudy } from "../src/study/run-study.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const nRuns = opt("--runs", 40);
const steps = opt("--steps", 4096);
const rounds = opt("--rounds", 2);
const useRedis = !args.includes("--no-redis") && spawnSync("redis-server", ["--version"]).status === 0;

const study = {
  name: "bench-study",
  envs: ["CartPole-v1"],
  seeds: nRuns,
  budget: steps,
  evalCount: 0,
  finalEvalEpisodes: 5,
  checkpointCount: 2,
  variants: [{ name: "A2C", algo: "a2c", nEnvs: 1, hp: { nSteps: 8 } }],
};

const tmp = mkdtempSync(join(tmpdir(), "tsrl-bench-study-"));
const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

async function local(workers: number, out: string): Promise<number> {
  const t0 = performance.now();
  await runStudy(study, { out, workers, progress: "none", log: () => {} });
  return (performance.now() - t0) / 1000;
}

let redisUrl = "";
if (useRedis) {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  children.push(
    spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", ""], { stdio: "ignore" }),
  );
  redisUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      (await connectRedis(redisUrl, 500)).disconnect();
      break;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const w of ["a", "b"]) {
    const args = [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "worker",
      "--queue",
      redisUrl,
      "--work-dir",
      join(tmp, `w${w}`),
    ];
    children.push(spawn(process.execPath, args, { stdio: "ignore" }));
  }
}

const rows: string[] = [];
for (let r = 0; r < rounds; r++) {
  const one = await local(1, join(tmp, `one-${r}`));
  const two = await local(2, join(tmp, `two-${r}`));
  let line = `| ${r + 1} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(one / two).toFixed(2)} |`;
  if (useRedis) {
    const t0 = performance.now();
    const q = await runStudy(study, { out: join(tmp, `redis-${r}`), queue: redisUrl, progress: "none", log: () => {} });
    const wall = (performance.now() - t0) / 1000;
    let same = true;
    for (const run of q.runs) {
      const mine = readFileSync(join(run.runDir, "episodes.csv"), "utf8");
      const theirs = readFileSync(join(tmp, `two-${r}`, "runs", run.run.folder, "episodes.csv"), "utf8");
      same &&= mine === theirs;
    }
    line += ` ${wall.toFixed(1)} | ${(wall / two).toFixed(2)} | ${same ? "yes" : "NO"} |`;
  }
  rows.push(line);
  console.log(line);
}
console.log(`\n${nRuns} runs of A2C CartPole-v1, ${steps} steps each (one process per run slot; wall seconds)\n`);
console.log(
  `| round | 1 worker | 2 workers | ratio (>= 1.8) |${useRedis ? " Redis, 2 tsrl workers | Redis / local 2 (<= 1.1) | same episodes |" : ""}`,
);
console.log(`|---:|---:|---:|---:|${useRedis ? "---:|---:|---|" : ""}`);
for (const row of rows) console.log(row);
process.exit(0);
