import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "@aws-crypto/crc32";
import { decodeXlMeta } from "../metadata/xl_meta.ts";
import { encodeUploadId, uploadsDir, uploadUuidOf } from "./multipart.ts";
import { type CompleteOptions, ObjectError } from "./object_layer.ts";
import {
  bodyOf,
  makeSet,
  md5HexOf,
  memoryDrives,
  readBody,
  sameBytes,
  seededBytes,
  seededRandom,
  testDeploymentId,
} from "./_support_test.ts";

const MiB = 1024 * 1024;
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`multipart_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

const isCode = (code: string) => (e: unknown) => e instanceof ObjectError && e.code === code;

Deno.test("upload ids are base64url of '<deploymentId>.<uuid>x<nanos>' and decode back", () => {
  const uuid = "0b5a9d1e-3c47-4b0e-9a51-0f3e6c7d8e9fx1700000000000000000";
  const id = encodeUploadId(testDeploymentId, uuid);
  assert.equal(atob(id.replace(/-/g, "+").replace(/_/g, "/")), `${testDeploymentId}.${uuid}`);
  assert.doesNotMatch(id, /[+/=]/);
  assert.equal(uploadUuidOf(id), uuid);
  assert.throws(() => uploadUuidOf("../../etc"), isCode("NoSuchUpload"));
  const sha = createHash("sha256").update("bucket/a/b").digest("hex");
  assert.equal(uploadsDir("bucket", "a/b"), `multipart/${sha}`);
});

Deno.test("a 3-part upload completes with the multipart ETag and reads back in order", async () => {
  const random = seededRandom(seed);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const parts = [
    seededBytes(random, 5 * MiB),
    seededBytes(random, 5 * MiB + 3),
    seededBytes(random, 1234),
  ];
  const uploadId = await set.newMultipartUpload("bucket", "big", {
    metadata: { "x-amz-meta-k": "v" },
    contentType: "video/mp4",
  });
  // Upload out of order; part 2 twice (the second replaces the first).
  const etags: string[] = [];
  for (const n of [3, 1, 2]) {
    const info = await set.putObjectPart(
      "bucket",
      "big",
      uploadId,
      n,
      bodyOf(parts[n - 1], random),
      {
        sizeBytes: parts[n - 1].length,
      },
    );
    etags[n - 1] = info.etag;
    assert.equal(info.etag, await md5HexOf(parts[n - 1]));
  }
  await set.putObjectPart("bucket", "big", uploadId, 2, bodyOf(parts[1], random), {
    sizeBytes: parts[1].length,
  });
  const listed = await set.listObjectParts("bucket", "big", uploadId, {
    partNumberMarker: 0,
    maxParts: 2,
  });
  assert.deepEqual(listed.parts.map((p) => p.partNumber), [1, 2]);
  assert.equal(listed.isTruncated, true);
  const rest = await set.listObjectParts("bucket", "big", uploadId, {
    partNumberMarker: 2,
    maxParts: 10,
  });
  assert.deepEqual(rest.parts.map((p) => [p.partNumber, p.sizeBytes]), [[3, 1234]]);
  const uploads = await set.listMultipartUploads("bucket", "b");
  assert.deepEqual(uploads.map((u) => [u.key, u.uploadId]), [["big", uploadId]]);

  const info = await set.completeMultipartUpload(
    "bucket",
    "big",
    uploadId,
    [1, 2, 3].map((n) => ({ partNumber: n, etag: `"${etags[n - 1]}"` })),
    { versioning: "Unversioned" },
  );
  const oracle = createHash("md5").update(concat(etags.map(hexBytes))).digest("hex");
  assert.equal(info.etag, `${oracle}-3`);
  const whole = concat(parts);
  const reader = await set.getObject("bucket", "big", { versioning: "Unversioned" });
  assert.ok(sameBytes(await readBody(reader.body), whole));
  assert.equal(reader.info.contentType, "video/mp4");
  assert.deepEqual(reader.info.parts.map((p) => p.sizeBytes), parts.map((p) => p.length));
  const part2 = await set.getObject("bucket", "big", { versioning: "Unversioned", partNumber: 2 });
  assert.ok(sameBytes(await readBody(part2.body), parts[1]));
  const ranged = await set.getObject("bucket", "big", {
    versioning: "Unversioned",
    range: { start: 5 * MiB - 10, end: 5 * MiB + 10 },
  });
  assert.ok(sameBytes(await readBody(ranged.body), whole.subarray(5 * MiB - 10, 5 * MiB + 11)));
  // The upload is gone; the stored version has no part ETags and no part.N.meta files.
  assert.deepEqual(await set.listMultipartUploads("bucket", ""), []);
  const meta = decodeXlMeta(await drives[0].readMetadata("bucket", "big"));
  const version = meta.versions[0];
  assert.ok(version.kind === "object");
  assert.deepEqual((await drives[0].listDir("bucket", `big/${version.dataDir}`)).sort(), [
    "part.1",
    "part.2",
    "part.3",
  ]);
});

Deno.test("complete refuses wrong ETags, bad order and small parts; abort removes the upload", async () => {
  const random = seededRandom(seed + 1);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const uploadId = await set.newMultipartUpload("bucket", "k", { metadata: {} });
  const small = seededBytes(random, 1000);
  const p1 = await set.putObjectPart("bucket", "k", uploadId, 1, bodyOf(small), {
    sizeBytes: 1000,
  });
  const p2 = await set.putObjectPart("bucket", "k", uploadId, 2, bodyOf(small), {
    sizeBytes: 1000,
  });
  const complete = (parts: { partNumber: number; etag: string }[]) =>
    set.completeMultipartUpload("bucket", "k", uploadId, parts, { versioning: "Unversioned" });
  await assert.rejects(
    complete([{ partNumber: 2, etag: p2.etag }, { partNumber: 1, etag: p1.etag }]),
    isCode("InvalidPartOrder"),
  );
  await assert.rejects(complete([{ partNumber: 1, etag: "0".repeat(32) }]), isCode("InvalidPart"));
  await assert.rejects(complete([{ partNumber: 7, etag: p1.etag }]), isCode("InvalidPart"));
  await assert.rejects(
    complete([{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]),
    isCode("EntityTooSmall"),
  );
  await assert.rejects(
    set.putObjectPart("bucket", "k", uploadId, 10_001, bodyOf(small), { sizeBytes: 1000 }),
    isCode("InvalidPartNumber"),
  );
  await set.abortMultipartUpload("bucket", "k", uploadId);
  await assert.rejects(
    set.listObjectParts("bucket", "k", uploadId, { partNumberMarker: 0, maxParts: 10 }),
    isCode("NoSuchUpload"),
  );
  await assert.rejects(set.abortMultipartUpload("bucket", "k", uploadId), isCode("NoSuchUpload"));
  await assert.rejects(complete([{ partNumber: 1, etag: p1.etag }]), isCode("NoSuchUpload"));
});

Deno.test("a single small part completes (the last part may be small) in a versioned bucket", async () => {
  const drives = await memoryDrives(6);
  const set = makeSet(drives, { standardParity: 2 });
  const uploadId = await set.newMultipartUpload("bucket", "v", { metadata: {} });
  const bytes = new TextEncoder().encode("hello multipart");
  const p1 = await set.putObjectPart("bucket", "v", uploadId, 1, bodyOf(bytes), {
    sizeBytes: bytes.length,
  });
  const info = await set.completeMultipartUpload("bucket", "v", uploadId, [{
    partNumber: 1,
    etag: p1.etag,
  }], {
    versioning: "Enabled",
  });
  assert.match(info.versionId, /^[0-9a-f-]{36}$/);
  assert.match(info.etag, /-1$/);
  const back = await readBody((await set.getObject("bucket", "v", { versioning: "Enabled" })).body);
  assert.equal(new TextDecoder().decode(back), "hello multipart");
});

Deno.test("cleanupStaleUploads() removes uploads older than the limit and keeps fresh ones", async () => {
  const drives = await memoryDrives(4);
  let nowNs = 1_700_000_000_000_000_000n;
  const set = makeSet(drives, { clock: { nowNs: () => (nowNs += 1_000n) } });
  const old = await set.newMultipartUpload("bucket", "old", { metadata: {} });
  nowNs += 25n * 3600n * 1_000_000_000n;
  const fresh = await set.newMultipartUpload("bucket", "fresh", { metadata: {} });
  assert.equal(await set.cleanupStaleUploads(), 1);
  await assert.rejects(
    set.listObjectParts("bucket", "old", old, { partNumberMarker: 0, maxParts: 10 }),
    isCode("NoSuchUpload"),
  );
  assert.deepEqual((await set.listMultipartUploads("bucket", "")).map((u) => u.uploadId), [fresh]);
});

Deno.test("a part racing an abort never resurrects the upload's directory", async () => {
  const random = seededRandom(seed + 2);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const uploadId = await set.newMultipartUpload("bucket", "race", { metadata: {} });
  const bytes = seededBytes(random, 3 * MiB);
  const part = set.putObjectPart("bucket", "race", uploadId, 1, bodyOf(bytes, random), {
    sizeBytes: bytes.length,
  });
  await set.abortMultipartUpload("bucket", "race", uploadId);
  await assert.rejects(part, isCode("NoSuchUpload"));
  for (const drive of drives) {
    const hashDirs = await drive.listDir(".minio.sys", "multipart").catch(() => []);
    assert.deepEqual(hashDirs, [], "nothing left under .minio.sys/multipart");
  }
});

Deno.test("an upload created with a checksum algorithm stores MinIO's keys and completes with the object checksum", async () => {
  const random = seededRandom(seed + 1);
  const drives = await memoryDrives(4);
  const set = makeSet(drives);
  const parts = [seededBytes(random, 5 * MiB), seededBytes(random, 777)];
  const crcOf = (bytes: Uint8Array) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, crc32(bytes) >>> 0);
    return btoa(String.fromCharCode(...out));
  };
  const uploadId = await set.newMultipartUpload("bucket", "sum", {
    metadata: {},
    checksumAlgorithm: "CRC32",
    checksumType: "COMPOSITE",
  });
  const uploadPath = `${uploadsDir("bucket", "sum")}/${uploadUuidOf(uploadId)}`;
  const uploadMeta = decodeXlMeta(await drives[1].readMetadata(".minio.sys", uploadPath));
  const upload = uploadMeta.versions[0];
  assert.equal(upload.kind, "object");
  if (upload.kind !== "object") return;
  const text = (key: string) => new TextDecoder().decode(upload.metaSys.get(key));
  assert.equal(text("x-minio-multipart-checksum"), "CRC32");
  assert.equal(text("x-minio-multipart-checksum-type"), "COMPOSITE");
  const listed = await set.listObjectParts("bucket", "sum", uploadId, {
    partNumberMarker: 0,
    maxParts: 10,
  });
  assert.equal(listed.checksumAlgorithm, "CRC32");
  assert.equal(listed.checksumType, "COMPOSITE");

  const etags: string[] = [];
  for (const [i, bytes] of parts.entries()) {
    const info = await set.putObjectPart("bucket", "sum", uploadId, i + 1, bodyOf(bytes, random), {
      sizeBytes: bytes.length,
      checksums: { CRC32: crcOf(bytes) },
    });
    etags.push(info.etag);
  }
  const requested = etags.map((etag, i) => ({ partNumber: i + 1, etag }));
  const calls: unknown[] = [];
  // (A variable, not a literal: ErasureSet's signature still names only the older options.)
  const options: CompleteOptions & { versioning: "Unversioned" } = {
    versioning: "Unversioned",
    objectChecksumOf: (...args) => {
      calls.push(args);
      return "combined-2";
    },
  };
  const complete = (wanted: typeof requested & { checksums?: Record<string, string> }[]) =>
    set.completeMultipartUpload("bucket", "sum", uploadId, wanted, options);
  // A listed checksum that differs from the stored one: InvalidPart, nothing combined.
  await assert.rejects(
    complete([requested[0], { ...requested[1], checksums: { CRC32: crcOf(parts[0]) } }]),
    isCode("InvalidPart"),
  );
  assert.deepEqual(calls, []);

  const info = await complete([requested[0], {
    ...requested[1],
    checksums: { CRC32: crcOf(parts[1]) },
  }]);
  // The combiner sees the stored part checksums in order with each part's size.
  assert.deepEqual(calls, [[
    "CRC32",
    "COMPOSITE",
    parts.map((bytes) => ({ checksum: crcOf(bytes), sizeBytes: bytes.length })),
  ]]);
  assert.deepEqual(info.checksums, { CRC32: "combined-2" });
  assert.equal(info.checksumType, "COMPOSITE");
  const head = await set.getObjectInfo("bucket", "sum", { versioning: "Unversioned" });
  assert.deepEqual(head.checksums, { CRC32: "combined-2" });
  assert.deepEqual(head.parts.map((p) => p.checksums), parts.map((b) => ({ CRC32: crcOf(b) })));
  const stored = decodeXlMeta(await drives[0].readMetadata("bucket", "sum")).versions[0];
  assert.equal(stored.kind === "object" && stored.metaSys.has("x-minio-multipart-checksum"), false);
});

Deno.test("Complete of a checksum upload refuses a part stored without that checksum", async () => {
  const random = seededRandom(seed + 2);
  const set = makeSet(await memoryDrives(4));
  const bytes = seededBytes(random, 100);
  const uploadId = await set.newMultipartUpload("bucket", "bare", {
    metadata: {},
    checksumAlgorithm: "SHA256",
  });
  const part = await set.putObjectPart("bucket", "bare", uploadId, 1, bodyOf(bytes, random), {
    sizeBytes: bytes.length,
  });
  const options: CompleteOptions & { versioning: "Unversioned" } = {
    versioning: "Unversioned",
    objectChecksumOf: () => "unused",
  };
  await assert.rejects(
    set.completeMultipartUpload(
      "bucket",
      "bare",
      uploadId,
      [{ partNumber: 1, etag: part.etag }],
      options,
    ),
    isCode("InvalidPart"),
  );
});
