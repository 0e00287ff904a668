import assert from "node:assert/strict";
import { ErasureWorkspacePool } from "../kernels/mod.ts";
import { decodeXlMeta } from "../metadata/xl_meta.ts";
import { ObjectError } from "./object_layer.ts";
import {
  bodyOf,
  makeSet,
  md5HexOf,
  memoryDrives,
  readBody,
  sameBytes,
  seededBytes,
  seededRandom,
} from "./_support_test.ts";

const MiB = 1024 * 1024;
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`erasure_set_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

async function roundTrip(driveCount: number, sizeBytes: number, random: () => number) {
  const drives = await memoryDrives(driveCount);
  const set = makeSet(drives);
  const bytes = seededBytes(random, sizeBytes);
  const info = await set.putObject("bucket", "dir/obj", bodyOf(bytes, random), {
    sizeBytes,
    metadata: { "x-amz-meta-color": "blue" },
    contentType: "text/plain",
    versioning: "Unversioned",
  });
  assert.equal(info.etag, await md5HexOf(bytes));
  assert.equal(info.sizeBytes, sizeBytes);
  const reader = await set.getObject("bucket", "dir/obj", { versioning: "Unversioned" });
  const back = await readBody(reader.body);
  assert.equal(back.length, sizeBytes);
  assert.ok(sameBytes(back, bytes), `bytes differ for size ${sizeBytes}`);
  assert.equal(reader.info.etag, info.etag);
  assert.equal(reader.info.contentType, "text/plain");
  assert.deepEqual(reader.info.metadata, { "x-amz-meta-color": "blue" });
  assert.equal(reader.info.versionId, "");
  await set.close();
  return { drives, set, bytes };
}

for (const sizeBytes of [0, 1, 11, 4097, 200_000, MiB - 1, MiB, MiB + 1, 3 * MiB + 12345]) {
  Deno.test(`putObject() then getObject() returns the same ${sizeBytes} bytes on 4 drives (2+2)`, async () => {
    await roundTrip(4, sizeBytes, seededRandom(seed + sizeBytes));
  });
}

Deno.test("objects round-trip on sets of 2, 5, 6 and 16 drives", async () => {
  const random = seededRandom(seed + 1);
  for (const n of [2, 5, 6, 16]) await roundTrip(n, 1_500_000 + n, random);
});

Deno.test("a small object is stored inline in xl.meta; a large one in part.1 files", async () => {
  const random = seededRandom(seed + 2);
  const { drives } = await roundTrip(4, 100_000, random);
  const meta = decodeXlMeta(await drives[0].readMetadata("bucket", "dir/obj"));
  assert.equal(meta.inlineData.has("null"), true);
  const big = await roundTrip(4, 300_000, random);
  const bigMeta = decodeXlMeta(await big.drives[0].readMetadata("bucket", "dir/obj"));
  assert.equal(bigMeta.inlineData.size, 0);
  const version = bigMeta.versions[0];
  assert.equal(version.kind, "object");
  if (version.kind !== "object") return;
  const stat = await big.drives[0].statFile("bucket", `dir/obj/${version.dataDir}/part.1`);
  // 300000 bytes on 2+2: one 150000-byte shard plus its 32-byte hash.
  assert.equal(stat.sizeBytes, 150_032);
});

Deno.test("ranges return exactly the requested bytes, across block boundaries", async () => {
  const random = seededRandom(seed + 3);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const bytes = seededBytes(random, 2 * MiB + 777);
  await set.putObject("bucket", "r", bodyOf(bytes, random), {
    sizeBytes: bytes.length,
    metadata: {},
    versioning: "Unversioned",
  });
  const ranges = [[0, 0], [0, 9], [MiB - 5, MiB + 5], [MiB, MiB], [
    bytes.length - 1,
    bytes.length - 1,
  ], [10, bytes.length - 1]];
  for (let i = 0; i < 20; i++) {
    const start = Math.floor(random() * bytes.length);
    ranges.push([start, start + Math.floor(random() * (bytes.length - start))]);
  }
  for (const [start, end] of ranges) {
    const reader = await set.getObject("bucket", "r", {
      versioning: "Unversioned",
      range: { start, end },
    });
    const back = await readBody(reader.body);
    assert.ok(sameBytes(back, bytes.subarray(start, end + 1)), `range ${start}-${end}`);
  }
});

Deno.test("a body shorter than declared fails with IncompleteBody, a longer one too, and nothing is stored", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const bytes = new Uint8Array(1000).fill(7);
  await assert.rejects(
    set.putObject("bucket", "short", bodyOf(bytes), {
      sizeBytes: 1001,
      metadata: {},
      versioning: "Unversioned",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "IncompleteBody",
  );
  await assert.rejects(
    set.putObject("bucket", "long", bodyOf(bytes), {
      sizeBytes: 999,
      metadata: {},
      versioning: "Unversioned",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "IncompleteBody",
  );
  await assert.rejects(
    set.getObjectInfo("bucket", "short", { versioning: "Unversioned" }),
    (e: unknown) => e instanceof ObjectError && e.code === "NoSuchKey",
  );
  for (const drive of drives) {
    const leftovers = (await drive.listDir(".minio.sys", "tmp")).filter((name) =>
      name !== ".trash/"
    );
    assert.deepEqual(leftovers, [], "the staging dir is removed after a failed PUT");
  }
});

Deno.test("a wrong Content-MD5 fails with BadDigest before anything is committed", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  await assert.rejects(
    set.putObject("bucket", "k", bodyOf(new Uint8Array(500_000)), {
      sizeBytes: 500_000,
      md5Hex: "00000000000000000000000000000000",
      metadata: {},
      versioning: "Unversioned",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "BadDigest",
  );
  await assert.rejects(set.getObjectInfo("bucket", "k", { versioning: "Unversioned" }));
});

Deno.test("overwriting an object replaces it and removes the old data dir", async () => {
  const random = seededRandom(seed + 4);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const first = seededBytes(random, 400_000);
  const second = seededBytes(random, 500_000);
  await set.putObject("bucket", "k", bodyOf(first), {
    sizeBytes: first.length,
    metadata: {},
    versioning: "Unversioned",
  });
  await set.putObject("bucket", "k", bodyOf(second), {
    sizeBytes: second.length,
    metadata: {},
    versioning: "Unversioned",
  });
  const back = await readBody(
    (await set.getObject("bucket", "k", { versioning: "Unversioned" })).body,
  );
  assert.ok(sameBytes(back, second));
  for (const drive of drives) {
    const entries = await drive.listDir("bucket", "k");
    assert.equal(entries.length, 2, `one xl.meta and one data dir, got ${entries}`);
  }
});

Deno.test("unversioned delete removes the object and its directory contents", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  await set.putObject("bucket", "a/b", bodyOf(new Uint8Array(300_000)), {
    sizeBytes: 300_000,
    metadata: {},
    versioning: "Unversioned",
  });
  const result = await set.deleteObject("bucket", "a/b", { versioning: "Unversioned" });
  assert.deepEqual(result, { versionId: "", deleteMarker: false });
  await assert.rejects(
    set.getObject("bucket", "a/b", { versioning: "Unversioned" }),
    (e: unknown) => e instanceof ObjectError && e.code === "NoSuchKey",
  );
  // Deleting again is not an error (S3 deletes are idempotent).
  assert.deepEqual(await set.deleteObject("bucket", "a/b", { versioning: "Unversioned" }), {
    versionId: "",
    deleteMarker: false,
  });
});

Deno.test("versioned bucket: versions, delete markers, NoSuchKey with deleteMarker, MethodNotAllowed", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const v1 = await set.putObject("bucket", "k", bodyOf(new Uint8Array([1])), {
    sizeBytes: 1,
    metadata: {},
    versioning: "Enabled",
  });
  const v2 = await set.putObject("bucket", "k", bodyOf(new Uint8Array([2, 2])), {
    sizeBytes: 2,
    metadata: {},
    versioning: "Enabled",
  });
  assert.notEqual(v1.versionId, v2.versionId);
  assert.match(v1.versionId, /^[0-9a-f-]{36}$/);
  const marker = await set.deleteObject("bucket", "k", { versioning: "Enabled" });
  assert.equal(marker.deleteMarker, true);
  await assert.rejects(
    set.getObject("bucket", "k", { versioning: "Enabled" }),
    (e: unknown) =>
      e instanceof ObjectError && e.code === "NoSuchKey" &&
      e.deleteMarker?.versionId === marker.versionId,
  );
  await assert.rejects(
    set.getObjectInfo("bucket", "k", { versioning: "Enabled", versionId: marker.versionId }),
    (e: unknown) => e instanceof ObjectError && e.code === "MethodNotAllowed",
  );
  const old = await set.getObject("bucket", "k", {
    versioning: "Enabled",
    versionId: v1.versionId,
  });
  assert.deepEqual([...await readBody(old.body)], [1]);
  assert.equal(old.info.isLatest, false);
  // Removing the marker by id makes v2 the latest again.
  const removed = await set.deleteObject("bucket", "k", {
    versioning: "Enabled",
    versionId: marker.versionId,
  });
  assert.deepEqual(removed, { versionId: marker.versionId, deleteMarker: true });
  const latest = await set.getObject("bucket", "k", { versioning: "Enabled" });
  assert.deepEqual([...await readBody(latest.body)], [2, 2]);
  assert.equal(latest.info.versionId, v2.versionId);
  await assert.rejects(
    set.getObjectInfo("bucket", "k", {
      versioning: "Enabled",
      versionId: "00000000-0000-4000-8000-000000000000",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "NoSuchVersion",
  );
});

Deno.test("suspended bucket: a null delete marker replaces the null version, other versions stay", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const kept = await set.putObject("bucket", "k", bodyOf(new Uint8Array([1])), {
    sizeBytes: 1,
    metadata: {},
    versioning: "Enabled",
  });
  const nullVersion = await set.putObject("bucket", "k", bodyOf(new Uint8Array(300_000)), {
    sizeBytes: 300_000,
    metadata: {},
    versioning: "Suspended",
  });
  assert.equal(nullVersion.versionId, "null");
  const marker = await set.deleteObject("bucket", "k", { versioning: "Suspended" });
  assert.deepEqual(marker, { versionId: "null", deleteMarker: true });
  const meta = decodeXlMeta(await drives[1].readMetadata("bucket", "k"));
  assert.deepEqual(meta.versions.map((v) => [v.kind, v.versionId]), [["deleteMarker", ""], [
    "object",
    kept.versionId,
  ]]);
  // The replaced null version's data dir is gone: only xl.meta remains.
  assert.deepEqual(await drives[1].listDir("bucket", "k"), ["xl.meta"]);
});

Deno.test("conditional writes: If-None-Match * refuses an existing key, If-Match needs the current ETag", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const first = await set.putObject("bucket", "k", bodyOf(new Uint8Array([1])), {
    sizeBytes: 1,
    metadata: {},
    versioning: "Unversioned",
    ifNoneMatch: "*",
  });
  await assert.rejects(
    set.putObject("bucket", "k", bodyOf(new Uint8Array([2])), {
      sizeBytes: 1,
      metadata: {},
      versioning: "Unversioned",
      ifNoneMatch: "*",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "PreconditionFailed",
  );
  await assert.rejects(
    set.putObject("bucket", "k", bodyOf(new Uint8Array([2])), {
      sizeBytes: 1,
      metadata: {},
      versioning: "Unversioned",
      ifMatchEtag: "abc",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "PreconditionFailed",
  );
  await set.putObject("bucket", "k", bodyOf(new Uint8Array([3])), {
    sizeBytes: 1,
    metadata: {},
    versioning: "Unversioned",
    ifMatchEtag: `"${first.etag}"`,
  });
  const back = await readBody(
    (await set.getObject("bucket", "k", { versioning: "Unversioned" })).body,
  );
  assert.deepEqual([...back], [3]);
});

Deno.test("updateObjectMetadata() replaces tags and keeps the data and ETag", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const put = await set.putObject("bucket", "k", bodyOf(new Uint8Array([9, 9])), {
    sizeBytes: 2,
    metadata: {},
    tags: { a: "1" },
    versioning: "Unversioned",
  });
  assert.deepEqual(put.tags, { a: "1" });
  const updated = await set.updateObjectMetadata("bucket", "k", {
    tags: { b: "two words" },
    versioning: "Unversioned",
  });
  assert.deepEqual(updated.tags, { b: "two words" });
  const reader = await set.getObject("bucket", "k", { versioning: "Unversioned" });
  assert.deepEqual(reader.info.tags, { b: "two words" });
  assert.equal(reader.info.etag, put.etag);
  assert.deepEqual([...await readBody(reader.body)], [9, 9]);
});

Deno.test("system objects: write, read back, delete, then NoSuchKey", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const bytes = new TextEncoder().encode("bucket metadata");
  await set.writeSystemObject("buckets/b1/.metadata.bin", bytes);
  assert.deepEqual(await set.readSystemObject("buckets/b1/.metadata.bin"), bytes);
  await set.deleteSystemObject("buckets/b1/.metadata.bin");
  await assert.rejects(
    set.readSystemObject("buckets/b1/.metadata.bin"),
    (e: unknown) => e instanceof ObjectError && e.code === "NoSuchKey",
  );
});

Deno.test("directory objects (key ending in /) are stored as __XLDIR__", async () => {
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  await set.putObject("bucket", "photos/", bodyOf(new Uint8Array()), {
    sizeBytes: 0,
    metadata: {},
    versioning: "Unversioned",
  });
  await drives[0].readMetadata("bucket", "photos__XLDIR__");
  const info = await set.getObjectInfo("bucket", "photos/", { versioning: "Unversioned" });
  assert.equal(info.key, "photos/");
  assert.equal(info.etag, "d41d8cd98f00b204e9800998ecf8427e");
});

Deno.test("on LocalDrives in a temp dir: put, overwrite, versioned put, get, delete", async () => {
  const { LocalDrive } = await import("../drive/local_drive.ts");
  const random = seededRandom(seed + 5);
  const root = await Deno.makeTempDir({ prefix: "aistor-set-" });
  try {
    const drives = [];
    for (let i = 1; i <= 4; i++) {
      await Deno.mkdir(`${root}/d${i}`);
      const drive = await LocalDrive.open(`${root}/d${i}`);
      await drive.makeVolume("bucket");
      drives.push(drive);
    }
    const set = makeSet(drives);
    for (const sizeBytes of [0, 10, 130_000, MiB + 1, 2 * MiB + 3]) {
      const bytes = seededBytes(random, sizeBytes);
      const info = await set.putObject("bucket", "a/b/c", bodyOf(bytes, random), {
        sizeBytes,
        metadata: {},
        versioning: "Unversioned",
      });
      assert.equal(info.etag, await md5HexOf(bytes));
      const back = await readBody(
        (await set.getObject("bucket", "a/b/c", { versioning: "Unversioned" })).body,
      );
      assert.ok(sameBytes(back, bytes), `size ${sizeBytes}`);
    }
    const v1 = await set.putObject("bucket", "v", bodyOf(new Uint8Array(400_000).fill(1)), {
      sizeBytes: 400_000,
      metadata: {},
      versioning: "Enabled",
    });
    await set.putObject("bucket", "v", bodyOf(new Uint8Array(10).fill(2)), {
      sizeBytes: 10,
      metadata: {},
      versioning: "Enabled",
    });
    const old = await readBody(
      (await set.getObject("bucket", "v", { versioning: "Enabled", versionId: v1.versionId })).body,
    );
    assert.ok(sameBytes(old, new Uint8Array(400_000).fill(1)));
    await set.deleteObject("bucket", "a/b/c", { versioning: "Unversioned" });
    await assert.rejects(
      set.getObjectInfo("bucket", "a/b/c", { versioning: "Unversioned" }),
      (e: unknown) => e instanceof ObjectError && e.code === "NoSuchKey",
    );
    await set.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a body of unknown size (-1) is stored in part files and reads back", async () => {
  const random = seededRandom(seed + 6);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  for (const sizeBytes of [0, 5, 1_500_000]) {
    const bytes = seededBytes(random, sizeBytes);
    const info = await set.putObject("bucket", "u", bodyOf(bytes, random), {
      sizeBytes: -1,
      metadata: {},
      versioning: "Unversioned",
    });
    assert.equal(info.sizeBytes, sizeBytes);
    const back = await readBody(
      (await set.getObject("bucket", "u", { versioning: "Unversioned" })).body,
    );
    assert.ok(sameBytes(back, bytes));
  }
});

Deno.test("concurrent overwrites and reads of one key: every read sees one whole version", async () => {
  const random = seededRandom(seed + 7);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const versions = Array.from({ length: 6 }, (_, i) => seededBytes(random, 200_000 + i * 150_000));
  const sums = new Set(await Promise.all(versions.map(md5HexOf)));
  await set.putObject("bucket", "hot", bodyOf(versions[0]), {
    sizeBytes: versions[0].length,
    metadata: {},
    versioning: "Unversioned",
  });
  const writers = versions.map((bytes) =>
    set.putObject("bucket", "hot", bodyOf(bytes, random), {
      sizeBytes: bytes.length,
      metadata: {},
      versioning: "Unversioned",
    })
  );
  const readers = Array.from({ length: 12 }, async () => {
    try {
      const reader = await set.getObject("bucket", "hot", { versioning: "Unversioned" });
      const sum = await md5HexOf(await readBody(reader.body));
      assert.ok(sums.has(sum), "a whole version");
      assert.equal(sum, reader.info.etag);
    } catch (error) {
      // A read racing an overwrite may lose its data dir mid-stream; it must fail, not mix.
      assert.ok(error instanceof ObjectError && error.code === "ReadQuorum", String(error));
    }
  });
  await Promise.all([...writers, ...readers]);
  const last = await readBody(
    (await set.getObject("bucket", "hot", { versioning: "Unversioned" })).body,
  );
  assert.ok(sums.has(await md5HexOf(last)));
  for (const drive of drives) assert.equal((await drive.listDir("bucket", "hot")).length, 2);
});

Deno.test("healObject() rebuilds every part of a multipart object on a wiped drive", async () => {
  const random = seededRandom(seed + 8);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const parts = [seededBytes(random, 5 * MiB), seededBytes(random, 1000)];
  const uploadId = await set.newMultipartUpload("bucket", "mp", { metadata: {} });
  const infos = [];
  for (const [i, bytes] of parts.entries()) {
    infos.push(
      await set.putObjectPart("bucket", "mp", uploadId, i + 1, bodyOf(bytes), {
        sizeBytes: bytes.length,
      }),
    );
  }
  await set.completeMultipartUpload(
    "bucket",
    "mp",
    uploadId,
    infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
    { versioning: "Unversioned" },
  );
  await drives[2].deleteVolume("bucket", { force: true });
  await drives[2].makeVolume("bucket");
  const result = await set.healObject("bucket", "mp", { deep: true });
  assert.deepEqual([result.state, result.drivesHealed, result.shardsHealed], ["healed", 1, 2]);
  // Lose two other drives: the healed one must carry its shards of both parts.
  for (const i of [0, 3]) {
    await drives[i].deleteVolume("bucket", { force: true });
    await drives[i].makeVolume("bucket");
  }
  const back = await readBody(
    (await set.getObject("bucket", "mp", { versioning: "Unversioned" })).body,
  );
  const whole = new Uint8Array(parts[0].length + parts[1].length);
  whole.set(parts[0]);
  whole.set(parts[1], parts[0].length);
  assert.ok(sameBytes(back, whole));
  await set.close();
});

Deno.test("putObject() into a bucket that no drive has fails with NoSuchBucket", async () => {
  const drives = await memoryDrives(4, []);
  const set = makeSet(drives);
  await assert.rejects(
    set.putObject("nobucket", "k", bodyOf(new Uint8Array(10)), {
      sizeBytes: 10,
      metadata: {},
      versioning: "Unversioned",
    }),
    (e: unknown) => e instanceof ObjectError && e.code === "NoSuchBucket",
  );
});

Deno.test("deleteObject() asks the guard under the key's lock and keeps the version it refuses", async () => {
  const set = makeSet(await memoryDrives(4));
  const body = new TextEncoder().encode("guarded");
  const put = await set.putObject("bucket", "held", bodyOf(body), {
    sizeBytes: body.length,
    metadata: { "x-amz-meta-hold": "yes" },
    versioning: "Enabled",
  });
  const seen: string[] = [];
  await assert.rejects(
    () =>
      set.deleteObject("bucket", "held", {
        versionId: put.versionId,
        versioning: "Enabled",
        guard: (version) => {
          seen.push(version.versionId);
          throw new ObjectError("ObjectLocked", "held for the test");
        },
      }),
    (error) => error instanceof ObjectError && error.code === "ObjectLocked",
  );
  assert.deepEqual(seen, [put.versionId]);
  const info = await set.getObjectInfo("bucket", "held", {
    versionId: put.versionId,
    versioning: "Enabled",
  });
  assert.equal(info.etag, put.etag);
  // Adding a delete marker removes nothing: the guard is not asked.
  const marker = await set.deleteObject("bucket", "held", {
    versioning: "Enabled",
    guard: () => assert.fail("no version is removed by a delete marker"),
  });
  assert.equal(marker.deleteMarker, true);
  await set.close();
});

Deno.test("PUTs of a set with a workspace pool borrow its workspaces, give them back, and read back", async () => {
  const random = seededRandom(seed + 40);
  const pool = new ErasureWorkspacePool();
  const set = makeSet(await memoryDrives(6), { workspacePool: pool });
  const sizes = [3 * MiB + 777, MiB + 1, 2 * MiB, 5 * MiB - 3];
  for (const [index, sizeBytes] of sizes.entries()) {
    const bytes = seededBytes(random, sizeBytes);
    const info = await set.putObject("bucket", `obj${index}`, bodyOf(bytes, random), {
      sizeBytes,
      metadata: {},
      versioning: "Unversioned",
    });
    assert.equal(info.etag, await md5HexOf(bytes), `ETag of the ${sizeBytes}-byte object`);
    // Two workspaces per multi-block PUT, the same two every time: the pool never grows.
    assert.equal(pool.idleCount, 2, `idle workspaces after the ${sizeBytes}-byte PUT`);
  }
  for (const [index, sizeBytes] of sizes.entries()) {
    const reader = await set.getObject("bucket", `obj${index}`, { versioning: "Unversioned" });
    const back = await readBody(reader.body);
    assert.equal(back.length, sizeBytes);
    assert.equal(await md5HexOf(back), reader.info.etag);
  }
  await set.close();
});

Deno.test("getObject() on MemoryDrives leaves no shard reader open after a full read or a cancel", async () => {
  const random = seededRandom(seed + 41);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const sizeBytes = 3 * MiB + 99;
  const bytes = seededBytes(random, sizeBytes);
  await set.putObject("bucket", "obj", bodyOf(bytes, random), {
    sizeBytes,
    metadata: {},
    versioning: "Unversioned",
  });
  const openReaders = () => drives.reduce((sum, drive) => sum + drive.openShardReaders, 0);
  const full = await set.getObject("bucket", "obj", { versioning: "Unversioned" });
  assert.ok(sameBytes(await readBody(full.body), bytes));
  assert.equal(openReaders(), 0, "after a full read");
  const partial = await set.getObject("bucket", "obj", { versioning: "Unversioned" });
  const reader = partial.body.getReader();
  await reader.read();
  assert.equal(openReaders(), 2, "the two data shard files are open while the body is read");
  await reader.cancel();
  assert.equal(openReaders(), 0, "after a cancel");
  await set.close();
});
