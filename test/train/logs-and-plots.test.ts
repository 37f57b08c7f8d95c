import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { crc32c, maskedCrc32c } from "../../src/algos/common/crc32c.js";
import { Logger } from "../../src/algos/common/logger.js";
import { formatMetricsTable } from "../../src/algos/common/table-sink.js";
import { CheckpointError } from "../../src/errors.js";
import { CsvSink, JsonlSink, parseJsonl } from "../../src/train/metrics-files.js";
import { aggregateRuns, learningCurveSvg, niceTicks, smooth } from "../../src/train/plot.js";
import {
  decodeEvent,
  encodeEvent,
  readEventFile,
  readTfRecords,
  TensorBoardSink,
  tfRecord,
} from "../../src/train/tensorboard.js";

const dir = mkdtempSync(join(tmpdir(), "tsrl-logs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("crc32c matches the standard check values", () => {
  const enc = new TextEncoder();
  assert.equal(crc32c(enc.encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const a = enc.encode("split anywhere, same checksum");
  assert.equal(crc32c(a.subarray(7), crc32c(a.subarray(0, 7))), crc32c(a));
  // masking: rotate right 15, add 0xa282ead8
  const c = crc32c(a);
  assert.equal(maskedCrc32c(a), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test("Logger: record overwrites, recordMean averages, dump sends sorted rows and clears", () => {
  const rows: [number, Record<string, number>][] = [];
  const log = new Logger([{ write: (s, r) => rows.push([s, { ...r }]) }]);
  log.record("b", 1);
  log.record("b", 2);
  log.recordMean("a", 1);
  log.recordMean("a", 4);
  assert.ok(log.pending);
  assert.deepEqual(log.dump(10), { a: 2.5, b: 2 });
  assert.deepEqual(Object.keys(rows[0][1]), ["a", "b"]);
  assert.equal(log.pending, false);
  assert.deepEqual(log.dump(20), {});
  assert.throws(() => log.record("", 1), /non-empty/);
});

test("JSONL and CSV sinks: one row per dump; CSV widens its header when new metrics appear", () => {
  const jsonl = new JsonlSink(join(dir, "m", "metrics.jsonl"));
  const csv = new CsvSink(join(dir, "m", "metrics.csv"));
  for (const s of [jsonl, csv]) {
    s.write(100, { "rollout/ep_rew_mean": 10.5 });
    s.write(200, { "rollout/ep_rew_mean": 12, "train/loss": 0.25 });
    s.write(300, { "train/loss": Number.NaN });
  }
  const rows = parseJsonl(readFileSync(join(dir, "m", "metrics.jsonl"), "utf8"));
  assert.deepEqual(rows, [
    { step: 100, "rollout/ep_rew_mean": 10.5 },
    { step: 200, "rollout/ep_rew_mean": 12, "train/loss": 0.25 },
    { step: 300, "train/loss": null },
  ]);
  assert.equal(
    readFileSync(join(dir, "m", "metrics.csv"), "utf8"),
    "step,rollout/ep_rew_mean,train/loss\n100,10.5,\n200,12,0.25\n300,,NaN\n",
  );
});

test("TensorBoard: event file decodes back with valid CRCs, file_version first, float32 values", () => {
  let t = 1700000000.25;
  const sink = new TensorBoardSink(join(dir, "tb"), () => t);
  t += 1;
  sink.write(2048, { "rollout/ep_rew_mean": 21.5, "train/loss": 0.1, bad: Number.NaN });
  t += 1;
  sink.write(4096, { "rollout/ep_rew_mean": 99.75 });
  assert.deepEqual(readdirSync(join(dir, "tb")).length, 1);
  assert.match(sink.path, /events\.out\.tfevents\.1700000000\./);
  const events = readEventFile(sink.path);
  assert.equal(events.length, 3);
  assert.equal(events[0].fileVersion, "brain.Event:2");
  assert.equal(events[0].wallTime, 1700000000.25);
  assert.deepEqual(events[1], {
    wallTime: 1700000001.25,
    step: 2048,
    scalars: { "rollout/ep_rew_mean": 21.5, "train/loss": Math.fround(0.1) },
  });
  assert.deepEqual(events[2].scalars, { "rollout/ep_rew_mean": 99.75 });
  assert.equal(events[2].step, 4096);
  // framing by hand: u64 length, masked crc of the 8 length bytes, data, masked crc of data
  const bytes = new Uint8Array(readFileSync(sink.path));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const len = Number(view.getBigUint64(0, true));
  assert.equal(view.getUint32(8, true), maskedCrc32c(bytes.subarray(0, 8)));
  assert.equal(view.getUint32(12 + len, true), maskedCrc32c(bytes.subarray(12, 12 + len)));
  // every single-byte corruption is caught
  for (let i = 0; i < bytes.length; i += 7) {
    const bad = new Uint8Array(bytes);
    bad[i] ^= 0x10;
    assert.throws(() => readTfRecords(bad).map(decodeEvent), CheckpointError, `byte ${i}`);
  }
});

test("Event protobuf bytes are the ones TensorFlow writes", () => {
  // Event{wall_time: 1.0, step: 3, summary{value{tag:"a", simple_value: 2.0}}}, encoded by hand from event.proto
  const expected = [
    0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x03, 0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x61, 0x15, 0, 0, 0, 0x40,
  ];
  assert.deepEqual([...encodeEvent({ wallTime: 1, step: 3, scalars: { a: 2 } })], expected);
  const rec = tfRecord(Uint8Array.from(expected));
  assert.equal(rec.length, 8 + 4 + expected.length + 4);
  assert.deepEqual(decodeEvent(readTfRecords(rec)[0]), { wallTime: 1, step: 3, scalars: { a: 2 } });
});

test("smoothing, aggregation across runs and ticks", () => {
  assert.deepEqual(smooth([0, 3, 6, 9], 3), [1.5, 3, 6, 7.5]);
  const a = aggregateRuns(
    [
      { steps: [0, 10], values: [0, 10] },
      { steps: [0, 10], values: [2, 2] },
    ],
    0,
    3,
  );
  assert.deepEqual(a.steps, [0, 5, 10]);
  assert.deepEqual(a.mean, [1, 3.5, 6]);
  assert.deepEqual(a.min, [0, 2, 2]);
  assert.deepEqual(a.max, [2, 5, 10]);
  assert.deepEqual(niceTicks(0, 500), [0, 100, 200, 300, 400, 500]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test("learningCurveSvg: single run has raw + smoothed lines, several runs a mean line and a band", () => {
  const steps = Array.from({ length: 50 }, (_, i) => i * 100);
  const one = learningCurveSvg([{ label: "PPO", runs: [{ steps, values: steps.map((s) => s / 10) }] }], {
    title: "CartPole-v1 <PPO>",
  });
  assert.match(one, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(one, /CartPole-v1 &lt;PPO&gt;/);
  assert.equal((one.match(/class="series-0 raw"/g) ?? []).length, 1);
  assert.equal((one.match(/class="series-0 line"/g) ?? []).length, 1);
  assert.ok(!one.includes("band"));
  const runs = [1, 2, 3].map((k) => ({ steps, values: steps.map((s) => s / 10 + k) }));
  const many = learningCurveSvg([
    { label: "PPO", runs },
    { label: "A2C", runs: [{ steps, values: steps.map(() => 5) }] },
  ]);
  assert.equal((many.match(/class="series-0 band"/g) ?? []).length, 1);
  assert.match(many, /PPO \(3 runs\)/);
  assert.match(many, /class="series-1 line"/);
  // the band's points lie within the plotted area
  const poly = /class="series-0 band" points="([^"]+)"/.exec(many)?.[1] ?? "";
  for (const p of poly.split(" ")) {
    const [x, y] = p.split(",").map(Number);
    assert.ok(x >= 64 && x <= 704 && y >= 16 && y <= 372, p);
  }
  writeFileSync(join(dir, "curve.svg"), many);
  assert.throws(() => learningCurveSvg([]), /non-empty/);
  assert.throws(() => learningCurveSvg([{ label: "x", runs: [{ steps: [1, 0], values: [1, 2] }] }]), /non-decreasing/);
});

test("console table: grouped, aligned rows", () => {
  const t = formatMetricsTable(2048, { "rollout/ep_rew_mean": 21.456789, "time/fps": 3500, "train/loss": 0.00001234 });
  const lines = t.trimEnd().split("\n");
  assert.equal(new Set(lines.map((l) => l.length)).size, 1); // every line equally wide
  assert.deepEqual(
    lines.slice(1, -1).map((l) => l.split("|")[1].trim()),
    ["step", "rollout/", "ep_rew_mean", "time/", "fps", "train/", "loss"],
  );
  assert.deepEqual(
    lines.slice(1, -1).map((l) => l.split("|")[2].trim()),
    ["2048", "", "21.46", "", "3500", "", "1.234e-5"],
  );
});
