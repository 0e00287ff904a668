/**
 * The ObjectLayer over pools and sets, opened with openObjectLayer on memory drives: names,
 * buckets and their MinIO metadata, placement across sets and pools, storage info.
 */
import {
  decodeBucketMetadata,
  encodeBucketMetadata,
  newBucketMetadata,
} from "../metadata/bucket_metadata.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../testing/assert.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { parseTopology } from "../topology/mod.ts";
import { bucketMetadataPath } from "./buckets.ts";
import { openObjectLayer, type ServerPools } from "./mod.ts";
import { ObjectError, type ObjectErrorCode } from "./object_layer.ts";
import { encodeDirObject, setIndexForKey } from "./placement.ts";
import { validateObjectKey } from "./pools.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function body(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(text));
      controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

let uuidCounter = 0;
/** Deterministic but valid v4-shaped UUIDs for the test run. */
function testUuid(): string {
  const hex = (++uuidCounter).toString(16).padStart(12, "0");
  return `5e1d${hex.slice(0, 4)}-0000-4000-8000-${hex}`;
}

async function open(
  args: string[],
  options: { setDriveCount?: string; capacityBytes?: (endpoint: string) => number } = {},
) {
  const topology = parseTopology(args, { setDriveCount: options.setDriveCount });
  const drives = new Map<string, MemoryDrive>();
  let nowNs = 1_763_000_000_000_000_000n;
  const opened = await openObjectLayer({
    topology,
    makeDrive: (endpoint) => {
      const capacityBytes = options.capacityBytes?.(endpoint);
      const drive = new MemoryDrive(endpoint, capacityBytes === undefined ? {} : { capacityBytes });
      drives.set(endpoint, drive);
      return drive;
    },
    clock: { nowNs: () => (nowNs += 1_000_000n) },
    randomUuid: testUuid,
  });
  return { ...opened, drives, topology };
}

async function put(
  layer: Awaited<ReturnType<typeof open>>["layer"],
  bucket: string,
  key: string,
  text: string,
) {
  return await layer.putObject(bucket, key, body(text), {
    sizeBytes: encoder.encode(text).length,
    metadata: {},
  });
}

async function rejectsWith(code: ObjectErrorCode, fn: () => Promise<unknown>): Promise<void> {
  const error = await assertRejects(fn, ObjectError);
  assertEquals((error as ObjectError).code, code, error.message);
}

Deno.test("validateObjectKey() refuses the keys S3 and the drive layout cannot hold", () => {
  const bad = [
    "",
    "/abs",
    "a//b",
    "a/../b",
    "./a",
    "a/.",
    "a\0b",
    "x".repeat(1025),
    "a/" + "s".repeat(256),
    "a__XLDIR__",
    "a__XLDIR__/b",
    "\ud800",
  ];
  for (const key of bad) {
    const error = assertThrows(() => validateObjectKey(key), ObjectError);
    assertEquals(
      (error as ObjectError).code,
      "InvalidObjectName",
      JSON.stringify(key.slice(0, 30)),
    );
  }
  assertEquals(validateObjectKey("photos/"), "photos__XLDIR__");
  assertEquals(validateObjectKey("a/b c/ü.txt"), "a/b c/ü.txt");
  assertEquals(validateObjectKey("x".repeat(255) + "/y"), "x".repeat(255) + "/y");
  assertEquals(validateObjectKey("..a/b.."), "..a/b..");
});

Deno.test("a bucket on one set: create, refuse twice, list, hold objects, refuse to delete while not empty", async () => {
  const { layer, drives } = await open(["/d{1...4}"]);
  await layer.makeBucket("photos", { versioning: false, objectLock: false });
  await rejectsWith(
    "BucketExists",
    () => layer.makeBucket("photos", { versioning: false, objectLock: false }),
  );
  await rejectsWith(
    "InvalidBucketName",
    () => layer.makeBucket("Photos", { versioning: false, objectLock: false }),
  );
  for (const drive of drives.values()) {
    assertEquals((await drive.statVolume("photos")).name, "photos");
  }
  assertEquals((await layer.listBuckets()).map((b) => b.name), ["photos"]);
  await put(layer, "photos", "cat.jpg", "meow");
  const reader = await layer.getObject("photos", "cat.jpg", {});
  assertEquals(await readAll(reader.body), "meow");
  await rejectsWith("BucketNotEmpty", () => layer.deleteBucket("photos", { force: false }));
  await layer.deleteObject("photos", "cat.jpg", {});
  await layer.deleteBucket("photos", { force: false });
  assertEquals(await layer.listBuckets(), []);
  await rejectsWith("NoSuchBucket", () => layer.getBucketInfo("photos"));
  await rejectsWith("NoSuchBucket", () => put(layer, "photos", "cat.jpg", "meow"));
  await layer.close();
});

Deno.test("a versioned bucket with only a delete marker left is not empty", async () => {
  const { layer } = await open(["/d{1...4}"]);
  await layer.makeBucket("vers", { versioning: true, objectLock: false });
  const info = await put(layer, "vers", "a", "1");
  await layer.deleteObject("vers", "a", { versionId: info.versionId });
  await layer.deleteObject("vers", "b", {}); // a delete marker for a key that never existed
  await rejectsWith("BucketNotEmpty", () => layer.deleteBucket("vers", { force: false }));
  await layer.deleteBucket("vers", { force: true });
  await layer.close();
});

Deno.test("makeBucket() stores MinIO's .metadata.bin with the versioning and object-lock documents", async () => {
  const { layer, deploymentId } = await open(["/d{1...4}"]);
  await layer.makeBucket("locked", { versioning: false, objectLock: true });
  const config = await layer.getBucketConfig("locked");
  assertEquals(config.versioning, "Enabled");
  assertEquals(config.objectLockEnabled, true);
  // Read the stored object back through a fresh layer-independent path: the set that owns it.
  const stored = await readStoredMetadata(layer, deploymentId, "locked");
  assertEquals(stored.name, "locked");
  assertEquals(
    stored.versioningConfigXml,
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
  );
  assertEquals(
    stored.objectLockConfigXml,
    '<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
  );
  await layer.close();
});

function metadataSet(layer: ServerPools, deploymentId: string, bucket: string) {
  const pools = layer.pools;
  const path = bucketMetadataPath(bucket);
  return { set: pools[0].sets[setIndexForKey(path, deploymentId, pools[0].sets.length)], path };
}

async function readStoredMetadata(layer: ServerPools, deploymentId: string, bucket: string) {
  const { set, path } = metadataSet(layer, deploymentId, bucket);
  return decodeBucketMetadata(await set.readSystemObject(path));
}

Deno.test("a bucket made by MinIO keeps its settings: Suspended versioning and a policy read from .metadata.bin", async () => {
  const { layer, deploymentId, drives } = await open(["/d{1...8}"], { setDriveCount: "4" });
  for (const drive of drives.values()) await drive.makeVolume("legacy");
  const metadata = newBucketMetadata("legacy", new Date("2024-03-05T06:07:08.000Z"));
  metadata.versioningConfigXml =
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>';
  metadata.policyConfigJson = '{"Version":"2012-10-17","Statement":[]}';
  const { set, path } = metadataSet(layer, deploymentId, "legacy");
  await set.writeSystemObject(path, encodeBucketMetadata(metadata));
  const config = await layer.getBucketConfig("legacy");
  assertEquals(config.versioning, "Suspended");
  assertEquals(config.policyJson, '{"Version":"2012-10-17","Statement":[]}');
  assertEquals(config.objectLockEnabled, false);
  assertEquals((await layer.getBucketInfo("legacy")).created, new Date("2024-03-05T06:07:08.000Z"));
  const info = await put(layer, "legacy", "k", "v");
  assertEquals(info.versionId, "null");
  await layer.close();
});

Deno.test("updateBucketConfig() replaces and removes documents, keeps the others, and survives a restart", async () => {
  const { layer, deploymentId, drives, topology } = await open(["/d{1...4}"]);
  await layer.makeBucket("cfg", { versioning: false, objectLock: false });
  await layer.updateBucketConfig("cfg", {
    versioning: "Enabled",
    taggingXml: "<Tagging/>",
    corsXml: "<CORSConfiguration/>",
  });
  await layer.updateBucketConfig("cfg", { taggingXml: undefined });
  let config = await layer.getBucketConfig("cfg");
  assertEquals(config, {
    versioning: "Enabled",
    objectLockEnabled: false,
    corsXml: "<CORSConfiguration/>",
  });
  const stored = await readStoredMetadata(layer, deploymentId, "cfg");
  assertEquals(stored.taggingConfigXml, "");
  assert(stored.taggingConfigUpdatedAt.getTime() > 0);
  await layer.close();
  // A second process over the same drives reads the same configuration from disk.
  const again = await openObjectLayer({
    topology,
    makeDrive: (endpoint) => drives.get(endpoint)!,
    clock: { nowNs: () => 1n },
    randomUuid: testUuid,
  });
  assertEquals(again.deploymentId, deploymentId);
  config = await again.layer.getBucketConfig("cfg");
  assertEquals(config, {
    versioning: "Enabled",
    objectLockEnabled: false,
    corsXml: "<CORSConfiguration/>",
  });
  await again.layer.close();
});

Deno.test("objects of 2 pools × 2 sets land in the set their key hashes to, and every one reads back", async () => {
  const { layer, deploymentId, drives } = await open(["/p1/d{1...8}", "/p2/d{1...8}"], {
    setDriveCount: "4",
  });
  await layer.makeBucket("spread", { versioning: false, objectLock: false });
  const keys = Array.from({ length: 60 }, (_, i) => `dir${i % 3}/object-${i}`).concat([
    "dir0/",
    "dir1/sub/",
  ]);
  for (const key of keys) await put(layer, "spread", key, `body of ${key}`);
  for (const key of keys) {
    const encoded = encodeDirObject(key);
    const setIndex = setIndexForKey(encoded, deploymentId, 2);
    const inSet = await Promise.all([0, 1].map(async (pool) => {
      const setDrives = [1, 2, 3, 4].map((d) => drives.get(`/p${pool + 1}/d${setIndex * 4 + d}`)!);
      return (await Promise.all(
        setDrives.map((drive) => drive.readMetadata("spread", encoded).then(() => 1, () => 0)),
      ))
        .reduce((a: number, b: number) => a + b, 0);
    }));
    assertEquals(
      inSet.reduce((a, b) => a + b),
      4,
      `${key} is on the 4 drives of set ${setIndex} of one pool`,
    );
    assertEquals(await readAll((await layer.getObject("spread", key, {})).body), `body of ${key}`);
  }
  const listed = await layer.listObjects("spread", {
    prefix: "",
    delimiter: "",
    after: "",
    maxKeys: 1000,
  });
  assertEquals(listed.objects.map((o) => o.key), [...keys].sort());
  await layer.close();
});

Deno.test("new objects go to the pool with more free space; an existing object stays in its pool", async () => {
  const small = 64 * 1024 * 1024;
  const { layer, drives } = await open(["/p1/d{1...4}", "/p2/d{1...4}"], {
    capacityBytes: (endpoint) => (endpoint.startsWith("/p1/") ? small : 1024 * small),
  });
  await layer.makeBucket("pick", { versioning: false, objectLock: false });
  // Seed pool 1 directly: the key exists there before the layer chooses.
  const poolDrive = (pool: number, d: number) => drives.get(`/p${pool}/d${d}`)!;
  await put(layer, "pick", "fresh", "new");
  assertEquals(
    await poolDrive(2, 1).readMetadata("pick", "fresh").then(() => "pool 2", () => "not pool 2"),
    "pool 2",
  );
  assertEquals(
    await poolDrive(1, 1).readMetadata("pick", "fresh").then(() => "pool 1", () => "not pool 1"),
    "not pool 1",
  );
  // An object already in pool 1 (written there by an earlier layout) is overwritten in place.
  const stranger = await openPoolOnly(drives, "/p1/d{1...4}");
  await stranger.makeBucket("pick", { versioning: false, objectLock: false }).catch(() => {});
  await stranger.putObject("pick", "old", body("v1"), { sizeBytes: 2, metadata: {} });
  await stranger.close();
  await put(layer, "pick", "old", "v2");
  assertEquals(await readAll((await layer.getObject("pick", "old", {})).body), "v2");
  assertEquals(
    await poolDrive(2, 1).readMetadata("pick", "old").then(() => "pool 2", () => "not pool 2"),
    "not pool 2",
  );
  await layer.close();
});

/** A layer over pool 1's drives alone (same deployment), as if the second pool were not added yet. */
async function openPoolOnly(
  drives: Map<string, MemoryDrive>,
  arg: string,
  nowNs = 1_763_000_000_000_000_000n,
) {
  const opened = await openObjectLayer({
    topology: parseTopology([arg], {}),
    makeDrive: (endpoint) => drives.get(endpoint)!,
    clock: { nowNs: () => nowNs },
    randomUuid: testUuid,
  });
  return opened.layer;
}

Deno.test("storageInfo() reports every pool, set and drive with capacity and the deployment id", async () => {
  const { layer, deploymentId } = await open(["/p1/d{1...8}", "/p2/d{1...4}"], {
    setDriveCount: "4",
    capacityBytes: () => 1000,
  });
  const info = await layer.storageInfo();
  assertEquals(info.deploymentId, deploymentId);
  assertEquals(info.pools.map((pool) => pool.sets.length), [2, 1]);
  assertEquals(info.onlineDrives, 12);
  assertEquals(info.offlineDrives, 0);
  assertEquals(info.totalBytes, 12_000);
  assertEquals(info.pools[0].sets[1].drives.map((drive) => drive.endpoint), [
    "/p1/d5",
    "/p1/d6",
    "/p1/d7",
    "/p1/d8",
  ]);
  assert(
    info.pools.every((pool) =>
      pool.sets.every((set) => set.drives.every((drive) => drive.id !== ""))
    ),
  );
  await layer.close();
});

Deno.test("listObjects() during concurrent PUTs and DELETEs never fails, keeps order and shows every untouched key", async () => {
  const { layer } = await open(["/d{1...8}"], { setDriveCount: "4" });
  await layer.makeBucket("busy", { versioning: false, objectLock: false });
  const stable = Array.from({ length: 40 }, (_, i) => `stable/${String(i).padStart(3, "0")}`);
  for (const key of stable) await put(layer, "busy", key, "s");
  let writing = true;
  const writer = (async () => {
    for (let round = 0; writing; round++) {
      const key = `stable/${String(round % 40).padStart(3, "0")}-churn`;
      await put(layer, "busy", key, "x".repeat(round % 300));
      if (round % 2 === 1) await layer.deleteObject("busy", key, {});
    }
  })();
  try {
    for (let i = 0; i < 15; i++) {
      const page = await layer.listObjects("busy", {
        prefix: "stable/",
        delimiter: "",
        after: "",
        maxKeys: 1000,
      });
      const keys = page.objects.map((o) => o.key);
      assertEquals(keys, [...new Set(keys)].sort(), "sorted without duplicates");
      for (const key of stable) assert(keys.includes(key), `${key} listed while others change`);
    }
  } finally {
    writing = false;
    await writer;
  }
  await layer.close();
});

Deno.test("listMultipartUploads() merges the uploads of every set and pool, paged by key and upload id", async () => {
  const { layer } = await open(["/p1/d{1...8}", "/p2/d{1...4}"], { setDriveCount: "4" });
  await layer.makeBucket("mpu", { versioning: false, objectLock: false });
  const started: { key: string; uploadId: string }[] = [];
  for (const key of ["docs/a", "docs/b", "img/x", "img/y", "top", "docs/a"]) {
    started.push({ key, uploadId: await layer.newMultipartUpload("mpu", key, { metadata: {} }) });
  }
  const all = await layer.listMultipartUploads("mpu", {
    prefix: "",
    delimiter: "",
    keyMarker: "",
    uploadIdMarker: "",
    maxUploads: 1000,
  });
  assertEquals(all.uploads.map((u) => u.key), [
    "docs/a",
    "docs/a",
    "docs/b",
    "img/x",
    "img/y",
    "top",
  ]);
  assertEquals(
    new Set(all.uploads.map((u) => u.uploadId)),
    new Set(started.map((s) => s.uploadId)),
  );
  const rolled = await layer.listMultipartUploads("mpu", {
    prefix: "",
    delimiter: "/",
    keyMarker: "",
    uploadIdMarker: "",
    maxUploads: 2,
  });
  assertEquals(rolled.prefixes, ["docs/", "img/"]);
  assertEquals(rolled.isTruncated, true);
  const rest = await layer.listMultipartUploads("mpu", {
    prefix: "",
    delimiter: "/",
    keyMarker: rolled.nextKeyMarker,
    uploadIdMarker: rolled.nextUploadIdMarker,
    maxUploads: 2,
  });
  assertEquals(rest.uploads.map((u) => u.key), ["top"]);
  assertEquals(rest.isTruncated, false);
  // An upload is found in whichever pool holds it.
  const { uploadId } = started.find((s) => s.key === "img/x")!;
  await layer.abortMultipartUpload("mpu", "img/x", uploadId);
  await rejectsWith("NoSuchUpload", () => layer.abortMultipartUpload("mpu", "img/x", uploadId));
  await layer.close();
});

Deno.test("a bucket's .metadata.bin written by MinIO into the second pool is found there", async () => {
  const { layer, deploymentId, drives } = await open(["/p1/d{1...4}", "/p2/d{1...4}"]);
  for (const drive of drives.values()) await drive.makeVolume("second");
  const metadata = newBucketMetadata("second", new Date("2023-01-02T03:04:05.000Z"));
  metadata.versioningConfigXml =
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
  const path = bucketMetadataPath("second");
  const set = layer.pools[1].sets[setIndexForKey(path, deploymentId, layer.pools[1].sets.length)];
  await set.writeSystemObject(path, encodeBucketMetadata(metadata));
  assertEquals((await layer.getBucketConfig("second")).versioning, "Enabled");
  await layer.close();
});

Deno.test("a key held by two pools is read from the pool with the newer version, and overwritten there", async () => {
  const { layer, drives } = await open(["/p1/d{1...4}", "/p2/d{1...4}"]);
  await layer.makeBucket("twice", { versioning: false, objectLock: false });
  // Each pool alone writes its own copy, pool 2 last (as after an interrupted move between pools).
  for (const [i, arg] of ["/p1/d{1...4}", "/p2/d{1...4}"].entries()) {
    const single = await openPoolOnly(
      drives,
      arg,
      1_763_000_000_000_000_000n + BigInt(i) * 1_000_000_000n,
    );
    await single.putObject("twice", "dup", body(`from ${arg}`), {
      sizeBytes: `from ${arg}`.length,
      metadata: {},
    });
    await single.close();
  }
  assertEquals(
    await readAll((await layer.getObject("twice", "dup", {})).body),
    "from /p2/d{1...4}",
  );
  await put(layer, "twice", "dup", "third");
  const fromPool = async (pool: number) => {
    const single = await openPoolOnly(drives, `/p${pool}/d{1...4}`);
    const text = await readAll((await single.getObject("twice", "dup", {})).body);
    await single.close();
    return text;
  };
  assertEquals(await fromPool(2), "third");
  assertEquals(await fromPool(1), "from /p1/d{1...4}");
  await layer.close();
});
