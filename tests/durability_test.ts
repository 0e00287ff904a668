/**
 * Durability of one erasure set under seeded faults: offline drives up to the parity still
 * read and write, one more gives a quorum error without damage, flipped bits and lost files
 * are served correctly and then healed, dangling remnants are removed, and SIGKILL during a
 * PUT or an overwrite leaves the old or the new object, never a torn one.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { LocalDrive } from "../src/drive/local_drive.ts";
import { decodeXlMeta } from "../src/metadata/xl_meta.ts";
import type { ObjectVersion } from "../src/metadata/types.ts";
import { ObjectError } from "../src/object/object_layer.ts";
import { FaultyDrive } from "../src/testing/faulty_drive.ts";
import { expectedMd5s, generationBytes, generations } from "./durability_child.ts";
import {
  bodyOf,
  makeSet,
  memoryDrives,
  readBody,
  sameBytes,
  seededBytes,
  seededRandom,
} from "../src/object/_support_test.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`durability_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

const isCode = (code: string) => (e: unknown) => e instanceof ObjectError && e.code === code;
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

async function faultySet(driveCount: number, parity: number) {
  const inner = await memoryDrives(driveCount);
  const drives = inner.map((drive, i) => new FaultyDrive(drive, { seed: seed + i }));
  return { inner, drives, set: makeSet(drives, { standardParity: parity }) };
}

async function putBytes(set: ReturnType<typeof makeSet>, key: string, bytes: Uint8Array) {
  return await set.putObject("bucket", key, bodyOf(bytes, seededRandom(seed)), {
    sizeBytes: bytes.length,
    metadata: {},
    versioning: "Unversioned",
  });
}

async function getBytes(set: ReturnType<typeof makeSet>, key: string) {
  return await readBody((await set.getObject("bucket", key, { versioning: "Unversioned" })).body);
}

for (const [driveCount, parity] of [[4, 2], [6, 2], [8, 4], [5, 2]]) {
  Deno.test(`${driveCount} drives with parity ${parity}: reads survive ${parity} offline drives, not ${parity + 1}`, async () => {
    const random = seededRandom(seed + driveCount);
    const { drives, set } = await faultySet(driveCount, parity);
    const objects = [seededBytes(random, 100), seededBytes(random, 2_500_000)];
    await putBytes(set, "small", objects[0]);
    await putBytes(set, "large", objects[1]);
    const order = drives.map((_, i) => i).sort(() => random() - 0.5);
    for (const i of order.slice(0, parity)) drives[i].setOffline(true);
    assert.ok(sameBytes(await getBytes(set, "small"), objects[0]));
    assert.ok(sameBytes(await getBytes(set, "large"), objects[1]));
    drives[order[parity]].setOffline(true);
    await assert.rejects(getBytes(set, "large"), isCode("ReadQuorum"));
    await assert.rejects(putBytes(set, "new", objects[0]), isCode("WriteQuorum"));
    // Back online: nothing was damaged by the failed attempts.
    for (const drive of drives) drive.setOffline(false);
    assert.ok(sameBytes(await getBytes(set, "large"), objects[1]));
    await assert.rejects(
      set.getObjectInfo("bucket", "new", { versioning: "Unversioned" }),
      isCode("NoSuchKey"),
    );
    await set.close();
  });
}

Deno.test("writes succeed with fewer than half the drives offline, with parity raised and recorded", async () => {
  const random = seededRandom(seed + 10);
  const { drives, inner, set } = await faultySet(6, 2);
  drives[1].setOffline(true);
  drives[4].setOffline(true);
  const bytes = seededBytes(random, 1_200_000);
  await putBytes(set, "k", bytes);
  const meta = decodeXlMeta(await inner[0].readMetadata("bucket", "k"));
  const version = meta.versions[0] as ObjectVersion;
  assert.equal(version.erasure.parityShards, 3, "parity 2 + 2 offline, capped at N/2 = 3");
  assert.equal(
    new TextDecoder().decode(version.metaSys.get("x-minio-internal-erasure-upgraded")),
    "2->3",
  );
  for (const drive of drives) drive.setOffline(false);
  assert.ok(sameBytes(await getBytes(set, "k"), bytes));
  await set.close();
});

Deno.test("a write that loses quorum during the commit is undone on the drives that took it", async () => {
  const random = seededRandom(seed + 11);
  const { drives, inner, set } = await faultySet(4, 2);
  const old = seededBytes(random, 300_000);
  await putBytes(set, "k", old);
  drives[0].addFault({ operation: "renameData", error: "DriveOffline" });
  drives[1].addFault({ operation: "renameData", error: "DriveOffline" });
  await assert.rejects(putBytes(set, "k", seededBytes(random, 400_000)), isCode("WriteQuorum"));
  for (const drive of drives) drive.clearFaults();
  assert.ok(sameBytes(await getBytes(set, "k"), old));
  for (const drive of inner) {
    const meta = decodeXlMeta(await drive.readMetadata("bucket", "k"));
    assert.equal(meta.versions.length, 1);
    assert.equal((meta.versions[0] as ObjectVersion).sizeBytes, 300_000);
  }
  await set.close();
});

/** Flip one bit of a drive's stored part file (not only of what a read returns). */
async function corruptPartFile(
  drive: {
    readFile: LocalDrive["readFile"];
    writeAll: LocalDrive["writeAll"];
    statFile: LocalDrive["statFile"];
  },
  path: string,
  random: () => number,
) {
  const { sizeBytes } = await drive.statFile("bucket", path);
  const bytes = await drive.readFile("bucket", path, 0, sizeBytes);
  const copy = bytes.slice();
  const at = Math.floor(random() * copy.length);
  copy[at] ^= 1 << Math.floor(random() * 8);
  await drive.writeAll("bucket", path, copy);
  return bytes;
}

Deno.test("flipped bits in shards: the GET returns the right bytes, then heal-on-read rewrites the shards", async () => {
  const random = seededRandom(seed + 12);
  const { inner, set } = await faultySet(4, 2);
  const bytes = seededBytes(random, 2_200_000);
  await putBytes(set, "k", bytes);
  const version = decodeXlMeta(await inner[0].readMetadata("bucket", "k"))
    .versions[0] as ObjectVersion;
  const path = `k/${version.dataDir}/part.1`;
  const originals = [];
  for (const i of [0, 2]) originals[i] = await corruptPartFile(inner[i], path, random);
  assert.ok(sameBytes(await getBytes(set, "k"), bytes), "two corrupt shards of 2+2 still decode");
  await set.healsIdle();
  assert.ok(set.healStats.healed >= 1, "a heal ran");
  for (const i of [0, 2]) {
    const healed = await inner[i].readFile("bucket", path, 0, originals[i].length);
    assert.ok(sameBytes(healed, originals[i]), `drive ${i} has its original shard back`);
  }
  await set.close();
});

Deno.test("healObject() restores a wiped drive: xl.meta, part files and inline data", async () => {
  const random = seededRandom(seed + 13);
  const { inner, set } = await faultySet(4, 2);
  const large = seededBytes(random, 1_100_000);
  const small = seededBytes(random, 5000);
  await putBytes(set, "large", large);
  await putBytes(set, "small", small);
  const before = await inner[3].readMetadata("bucket", "small");
  await inner[3].deleteVolume("bucket", { force: true });
  await inner[3].makeVolume("bucket");
  const resultLarge = await set.healObject("bucket", "large", { deep: true });
  assert.equal(resultLarge.state, "healed");
  assert.equal(resultLarge.drivesHealed, 1);
  const resultSmall = await set.healObject("bucket", "small", { deep: false });
  assert.equal(resultSmall.state, "healed");
  const after = decodeXlMeta(await inner[3].readMetadata("bucket", "small"));
  assert.deepEqual(after.inlineData.get("null"), decodeXlMeta(before).inlineData.get("null"));
  // Now the other drives can go: the healed drive carries its share.
  for (const i of [0, 1]) await inner[i].deleteVolume("bucket", { force: true });
  for (const i of [0, 1]) await inner[i].makeVolume("bucket");
  assert.ok(sameBytes(await getBytes(set, "large"), large));
  assert.ok(sameBytes(await getBytes(set, "small"), small));
  // Those reads saw missing xl.meta and queued heals in the background.
  await set.healsIdle();
  assert.equal((await set.healObject("bucket", "large", { deep: true })).state, "ok");
  assert.equal((await set.healObject("bucket", "small", { deep: true })).state, "ok");
  for (const i of [0, 1]) await inner[i].readMetadata("bucket", "large");
  await set.close();
});

Deno.test("a dangling object (xl.meta on fewer than D drives, absent elsewhere) is removed by heal", async () => {
  const { inner, set } = await faultySet(4, 2);
  await putBytes(set, "k", new Uint8Array(300_000).fill(5));
  for (const i of [0, 1, 2]) await inner[i].deletePath("bucket", "k", { recursive: true });
  await assert.rejects(
    set.getObjectInfo("bucket", "k", { versioning: "Unversioned" }),
    isCode("NoSuchKey"),
  );
  const result = await set.healObject("bucket", "k", { deep: false });
  assert.equal(result.state, "dangling-removed");
  await assert.rejects(inner[3].readMetadata("bucket", "k"));
  await set.close();
});

// SIGKILL during PUT and overwrite: a child process writes through LocalDrive in a loop.

const childUrl = new URL("./durability_child.ts", import.meta.url);

async function runChildAndKill(root: string, mode: "put" | "overwrite", killAfterMs: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", childUrl.pathname, root, mode, String(seed)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  // Wait for the child to report its first committed write, then kill at a random moment.
  const { value } = await reader.read();
  assert.ok(value && new TextDecoder().decode(value).includes("ready"), "child started");
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  child.kill("SIGKILL");
  reader.releaseLock();
  await child.status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
}

for (const mode of ["put", "overwrite"] as const) {
  Deno.test(`SIGKILL during ${mode === "put" ? "a PUT" : "an overwrite"} leaves the old or the new object, never a torn one`, async () => {
    const random = seededRandom(seed + (mode === "put" ? 20 : 21));
    const root = await Deno.makeTempDir({ prefix: "aistor-durability-" });
    try {
      for (let round = 0; round < 2; round++) {
        await runChildAndKill(root, mode, 50 + Math.floor(random() * 400));
        const drives = await Promise.all([1, 2, 3, 4].map((i) => LocalDrive.open(`${root}/d${i}`)));
        for (const drive of drives) await drive.cleanupTmp();
        const set = makeSet(drives);
        const keys = mode === "put"
          ? Array.from({ length: generations }, (_, g) => `obj-${g}`)
          : ["obj-a", "obj-b"];
        const allowed = expectedMd5s(seed);
        for (const [g, key] of keys.entries()) {
          try {
            const reader = await set.getObject("bucket", key, { versioning: "Unversioned" });
            const sum = md5(await readBody(reader.body));
            assert.equal(sum, reader.info.etag, `${key}: bytes match the stored ETag`);
            if (mode === "put") {
              assert.equal(sum, md5(generationBytes(seed, g)), `${key}: generation ${g}`);
            } else assert.ok(allowed.has(sum), `${key}: content is one whole generation`);
          } catch (error) {
            // Only a key whose first PUT was interrupted may be absent.
            assert.ok(isCode("NoSuchKey")(error), `${key}: ${error}`);
          }
        }
        for (const drive of drives) {
          const tmp = (await drive.listDir(".minio.sys", "tmp")).filter((name) =>
            name !== ".trash/"
          );
          assert.deepEqual(tmp, [], "tmp is clean after cleanupTmp at start");
        }
        await set.close();
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("a drive that missed an overwrite is brought up to date by heal-on-read, its stale data dir removed", async () => {
  const random = seededRandom(seed + 14);
  const { drives, inner, set } = await faultySet(4, 2);
  await putBytes(set, "k", seededBytes(random, 600_000));
  const stale = decodeXlMeta(await inner[1].readMetadata("bucket", "k"))
    .versions[0] as ObjectVersion;
  drives[1].setOffline(true);
  const fresh = seededBytes(random, 700_000);
  await putBytes(set, "k", fresh);
  await set.healsIdle();
  drives[1].setOffline(false);
  assert.ok(sameBytes(await getBytes(set, "k"), fresh));
  await set.healsIdle();
  const healed = decodeXlMeta(await inner[1].readMetadata("bucket", "k"))
    .versions[0] as ObjectVersion;
  const reference = decodeXlMeta(await inner[0].readMetadata("bucket", "k"))
    .versions[0] as ObjectVersion;
  assert.equal(healed.dataDir, reference.dataDir);
  assert.equal(healed.modTimeNs, reference.modTimeNs);
  const entries = await inner[1].listDir("bucket", "k");
  assert.ok(!entries.includes(`${stale.dataDir}/`), "the stale data dir is gone");
  assert.deepEqual(entries.sort(), [`${reference.dataDir}/`, "xl.meta"]);
  await set.close();
});

Deno.test("a torn shard write on one drive still commits by quorum, and the drive is healed afterwards", async () => {
  const random = seededRandom(seed + 15);
  const { drives, inner, set } = await faultySet(4, 2);
  drives[2].addFault({ operation: "shardWrite", tornWrite: true, times: 1 });
  const bytes = seededBytes(random, 2_100_000);
  await putBytes(set, "torn", bytes);
  await set.healsIdle();
  assert.ok(set.healStats.queued >= 1, "the partial write queued a heal");
  const version = decodeXlMeta(await inner[2].readMetadata("bucket", "torn"))
    .versions[0] as ObjectVersion;
  const { sizeBytes } = await inner[2].statFile("bucket", `torn/${version.dataDir}/part.1`);
  assert.equal(sizeBytes, 1_050_000 + 3 * 32, "drive 2 has its full shard after the heal");
  for (const i of [0, 1]) drives[i].setOffline(true);
  assert.ok(sameBytes(await getBytes(set, "torn"), bytes));
  await set.close();
});

Deno.test("concurrent PUTs with If-None-Match: * — exactly one wins", async () => {
  const random = seededRandom(seed + 16);
  const { set } = await faultySet(4, 2);
  const bodies = Array.from({ length: 5 }, () => seededBytes(random, 150_000));
  const results = await Promise.allSettled(
    bodies.map((bytes) =>
      set.putObject("bucket", "once", bodyOf(bytes, random), {
        sizeBytes: bytes.length,
        metadata: {},
        versioning: "Unversioned",
        ifNoneMatch: "*",
      })
    ),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.ok(isCode("PreconditionFailed")(r.reason));
  }
  const stored = md5(await getBytes(set, "once"));
  assert.equal(stored, (won[0] as PromiseFulfilledResult<{ etag: string }>).value.etag);
  await set.close();
});

Deno.test("a delete marker missing on a drive is healed; a multipart upload survives a drive offline", async () => {
  const random = seededRandom(seed + 17);
  const { drives, inner, set } = await faultySet(4, 2);
  await set.putObject("bucket", "m", bodyOf(new Uint8Array(10)), {
    sizeBytes: 10,
    metadata: {},
    versioning: "Enabled",
  });
  drives[3].setOffline(true);
  const marker = await set.deleteObject("bucket", "m", { versioning: "Enabled" });
  await set.healsIdle(); // the queued heal finds drive 3 still offline
  drives[3].setOffline(false);
  const result = await set.healObject("bucket", "m", { deep: false });
  assert.equal(result.state, "healed");
  const versions = decodeXlMeta(await inner[3].readMetadata("bucket", "m")).versions;
  assert.equal(versions[0].kind, "deleteMarker");
  assert.equal(versions[0].versionId, marker.versionId);

  const uploadId = await set.newMultipartUpload("bucket", "mp", { metadata: {} });
  const part1 = seededBytes(random, 5 * 1024 * 1024);
  const p1 = await set.putObjectPart("bucket", "mp", uploadId, 1, bodyOf(part1, random), {
    sizeBytes: part1.length,
  });
  drives[1].setOffline(true);
  const part2 = seededBytes(random, 777);
  const p2 = await set.putObjectPart("bucket", "mp", uploadId, 2, bodyOf(part2, random), {
    sizeBytes: part2.length,
  });
  const info = await set.completeMultipartUpload("bucket", "mp", uploadId, [
    { partNumber: 1, etag: p1.etag },
    { partNumber: 2, etag: p2.etag },
  ], { versioning: "Unversioned" });
  await set.healsIdle();
  drives[1].setOffline(false);
  assert.match(info.etag, /-2$/);
  const healed = await set.healObject("bucket", "mp", { deep: true });
  assert.equal(healed.state, "healed");
  for (const i of [0, 2]) drives[i].setOffline(true);
  const back = await getBytes(set, "mp");
  assert.equal(md5(back), md5(new Uint8Array([...part1, ...part2])));
  await set.close();
});

Deno.test("a new key whose commit loses quorum leaves no xl.meta, data dir or tmp on any drive", async () => {
  const random = seededRandom(seed + 18);
  const { drives, inner, set } = await faultySet(4, 2);
  drives[1].addFault({ operation: "renameData", error: "DriveFull" });
  drives[3].addFault({ operation: "renameData", error: "DriveOffline" });
  await assert.rejects(
    putBytes(set, "new", seededBytes(random, 300_000)),
    (e: unknown) =>
      e instanceof ObjectError && (e.code === "WriteQuorum" || e.code === "DriveFull"),
  );
  for (const drive of inner) {
    await assert.rejects(drive.readMetadata("bucket", "new"));
    await assert.rejects(drive.listDir("bucket", "new"), "the object dir is pruned");
    const tmp = (await drive.listDir(".minio.sys", "tmp")).filter((name) => name !== ".trash/");
    assert.deepEqual(tmp, []);
  }
  await set.close();
});
