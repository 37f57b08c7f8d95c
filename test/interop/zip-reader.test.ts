import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ArchiveError } from "../../src/errors.js";
import { ZipArchive } from "../../src/interop/zip-reader.js";
import { writeZip } from "../support/zip-writer.js";

const enc = new TextEncoder();
const SB3 = new Uint8Array(readFileSync(new URL("../fixtures/sb3/ppo-CartPole-v1.zip", import.meta.url)));

test("reads stored and deflated members, CRC-checked", async () => {
  const text = enc.encode("hello zip ".repeat(100));
  const zip = ZipArchive.open(
    await writeZip([
      { name: "a.txt", data: text },
      { name: "b.txt", data: text, deflate: true },
    ]),
  );
  assert.deepEqual(zip.names(), ["a.txt", "b.txt"]);
  assert.ok((zip.entries.get("b.txt")?.compressedSize ?? Infinity) < text.length, "deflate made it smaller");
  assert.deepEqual(await zip.read("a.txt"), text);
  assert.deepEqual(await zip.read("b.txt"), text);
  const sb3 = ZipArchive.open(SB3);
  assert.ok(sb3.has("policy.pth") && sb3.has("data"));
  assert.equal(new TextDecoder().decode(await sb3.read("_stable_baselines3_version")), "2.4.1");
  await assert.rejects(
    () => zip.read("c.txt"),
    (e) => e instanceof ArchiveError && /no member "c.txt"/.test(e.message),
  );
});

test("a truncated or corrupt archive is refused with an ArchiveError", async () => {
  assert.throws(() => ZipArchive.open(SB3.subarray(0, SB3.length - 30)), ArchiveError);
  assert.throws(
    () => ZipArchive.open(SB3.subarray(0, 1000)),
    (e) => e instanceof ArchiveError && /truncated/.test(e.message),
  );
  assert.throws(() => ZipArchive.open(enc.encode("not a zip at all, just some text")), ArchiveError);
  // the end record survives but a member's bytes are gone: cut out the middle of the file
  const zip = await writeZip([
    { name: "a", data: new Uint8Array(5000).fill(7) },
    { name: "b", data: enc.encode("end") },
  ]);
  const cut = new Uint8Array(zip.length - 2000);
  cut.set(zip.subarray(0, 1000));
  cut.set(zip.subarray(3000), 1000);
  assert.throws(() => ZipArchive.open(cut), ArchiveError);
  // one flipped byte of stored data fails the CRC
  const bad = await writeZip([{ name: "a", data: enc.encode("payload") }]);
  bad[32] ^= 0xff;
  await assert.rejects(
    () => ZipArchive.open(bad).read("a"),
    (e) => e instanceof ArchiveError && /CRC-32/.test(e.message),
  );
});

test("zip bombs: a member declaring more than the limit is refused before inflating, one inflating past its declared size while inflating", async () => {
  const zeros = new Uint8Array(4 * 1024 * 1024); // deflates to a few kB
  const honest = await writeZip([{ name: "big", data: zeros, deflate: true }]);
  assert.ok(honest.length < 10_000, `${honest.length}`);
  const limited = ZipArchive.open(honest, { maxMemberBytes: 1024 * 1024 });
  await assert.rejects(
    () => limited.read("big"),
    (e) =>
      e instanceof ArchiveError &&
      /declares 4194304 uncompressed bytes, more than the limit of 1048576/.test(e.message),
  );
  const liar = ZipArchive.open(await writeZip([{ name: "big", data: zeros, deflate: true, declaredSize: 1000 }]));
  await assert.rejects(
    () => liar.read("big"),
    (e) => e instanceof ArchiveError && /inflates past its declared 1000 bytes/.test(e.message),
  );
  assert.deepEqual(await ZipArchive.open(honest).read("big"), zeros, "within the default limit it inflates");
});
