/**
 * The lifecycle scanner over a real object layer on memory drives, with the clock moved by
 * hand: it expires what its rules say is due, and nothing else, and never what Object Lock
 * protects.
 */
import { randomUuid } from "../platform/crypto.ts";
import { assertEquals } from "../testing/assert.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { parseTopology } from "../topology/mod.ts";
import { openObjectLayer } from "./mod.ts";

const encoder = new TextEncoder();
const dayMs = 86_400_000;
const startMs = Date.parse("2026-03-01T10:00:00Z");

async function open() {
  const clock = { ms: startMs };
  const { layer } = await openObjectLayer({
    topology: parseTopology(["mem{1...4}"], {}),
    makeDrive: (endpoint) => new MemoryDrive(endpoint),
    clock: { nowNs: () => BigInt(clock.ms++) * 1_000_000n },
    randomUuid,
    lifecycleIntervalMs: 0,
  });
  const scanner = layer.startLifecycleScanner({ intervalMs: 0 });
  return { layer, clock, scanner };
}

type Layer = Awaited<ReturnType<typeof open>>["layer"];

function put(layer: Layer, bucket: string, key: string, metadata: Record<string, string> = {}) {
  const bytes = encoder.encode(`body of ${key}`);
  return layer.putObject(bucket, key, new Blob([bytes]).stream(), {
    sizeBytes: bytes.length,
    metadata,
  });
}

function rules(...bodies: string[]): string {
  return `<LifecycleConfiguration>${
    bodies.map((body, i) => `<Rule><ID>r${i}</ID><Status>Enabled</Status>${body}</Rule>`).join("")
  }</LifecycleConfiguration>`;
}

async function versionsOf(layer: Layer, bucket: string): Promise<string[]> {
  const page = await layer.listObjectVersions(bucket, {
    prefix: "",
    delimiter: "",
    keyMarker: "",
    versionIdMarker: "",
    maxKeys: 1000,
  });
  return page.versions.map((v) => `${v.key}:${v.deleteMarker ? "marker" : "object"}`);
}

Deno.test("scanner: in an unversioned bucket, expired objects under the prefix are deleted, others kept", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("plain", { versioning: false, objectLock: false });
  await layer.updateBucketConfig("plain", {
    lifecycleXml: rules(
      `<Filter><Prefix>logs/</Prefix></Filter><Expiration><Days>1</Days></Expiration>`,
    ),
  });
  await put(layer, "plain", "logs/a");
  await put(layer, "plain", "data/b");
  clock.ms = Date.parse("2026-03-02T23:00:00Z"); // not yet: expiry is 03-03 00:00 UTC
  assertEquals((await scanner.runOnce()).currentExpired, 0);
  clock.ms = Date.parse("2026-03-03T00:00:01Z");
  const report = await scanner.runOnce();
  assertEquals(report.currentExpired, 1);
  assertEquals(await versionsOf(layer, "plain"), ["data/b:object"]);
  await layer.close();
});

Deno.test("scanner: in a versioned bucket, expiry adds a delete marker and noncurrent versions go later", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("vers", { versioning: true, objectLock: false });
  await layer.updateBucketConfig("vers", {
    lifecycleXml: rules(
      `<Filter/><Expiration><Days>1</Days></Expiration>`,
      `<Filter/><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration>`,
    ),
  });
  await put(layer, "vers", "k");
  clock.ms = startMs + 2 * dayMs;
  const first = await scanner.runOnce();
  assertEquals(first.currentExpired, 1);
  assertEquals(await versionsOf(layer, "vers"), ["k:marker", "k:object"]);
  // The object became noncurrent when the marker was written; two days later it is removed,
  // and the marker, now alone and older than the Days rule, goes too (S3: "When you specify
  // the Days tag, Amazon S3 automatically performs ExpiredObjectDeleteMarker cleanup").
  clock.ms += 1 * dayMs;
  assertEquals((await scanner.runOnce()).versionsRemoved, 0);
  clock.ms += 2 * dayMs;
  const second = await scanner.runOnce();
  assertEquals(second.versionsRemoved, 2);
  assertEquals(await versionsOf(layer, "vers"), []);
  await layer.close();
});

Deno.test("scanner: ExpiredObjectDeleteMarker removes a lone marker, not one hiding versions", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("markers", { versioning: true, objectLock: false });
  await put(layer, "markers", "has-versions");
  await layer.deleteObject("markers", "has-versions", {});
  await layer.deleteObject("markers", "alone", {});
  await layer.updateBucketConfig("markers", {
    lifecycleXml: rules(
      `<Filter/><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`,
    ),
  });
  clock.ms += dayMs;
  const report = await scanner.runOnce();
  assertEquals(report.versionsRemoved, 1);
  assertEquals(await versionsOf(layer, "markers"), ["has-versions:marker", "has-versions:object"]);
  await layer.close();
});

Deno.test("scanner: noncurrent versions under Object Lock are kept and counted as skipped", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("vault", { versioning: true, objectLock: true });
  await put(layer, "vault", "doc", {
    "x-amz-object-lock-mode": "COMPLIANCE",
    "x-amz-object-lock-retain-until-date": new Date(startMs + 30 * dayMs).toISOString(),
  });
  await put(layer, "vault", "doc");
  await layer.updateBucketConfig("vault", {
    lifecycleXml: rules(
      `<Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>`,
    ),
  });
  clock.ms += 5 * dayMs;
  const report = await scanner.runOnce();
  assertEquals(report.lockedSkipped, 1);
  assertEquals(report.versionsRemoved, 0);
  assertEquals(await versionsOf(layer, "vault"), ["doc:object", "doc:object"]);
  // Once the retention has passed the next run removes it.
  clock.ms = startMs + 31 * dayMs;
  assertEquals((await scanner.runOnce()).versionsRemoved, 1);
  await layer.close();
});

Deno.test("scanner: incomplete multipart uploads older than DaysAfterInitiation are aborted", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("uploads", { versioning: false, objectLock: false });
  await layer.updateBucketConfig("uploads", {
    lifecycleXml: rules(
      `<Filter><Prefix>tmp/</Prefix></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`,
    ),
  });
  await layer.newMultipartUpload("uploads", "tmp/big", { metadata: {} });
  await layer.newMultipartUpload("uploads", "keep/big", { metadata: {} });
  clock.ms += 3 * dayMs;
  const report = await scanner.runOnce();
  assertEquals(report.uploadsAborted, 1);
  const left = await layer.listMultipartUploads("uploads", {
    prefix: "",
    delimiter: "",
    keyMarker: "",
    uploadIdMarker: "",
    maxUploads: 100,
  });
  assertEquals(left.uploads.map((u) => u.key), ["keep/big"]);
  await layer.close();
});

Deno.test("scanner: buckets without a lifecycle configuration are not touched", async () => {
  const { layer, clock, scanner } = await open();
  await layer.makeBucket("untouched", { versioning: false, objectLock: false });
  await put(layer, "untouched", "old");
  clock.ms += 1000 * dayMs;
  const report = await scanner.runOnce();
  assertEquals(report.bucketsScanned, 0);
  assertEquals(await versionsOf(layer, "untouched"), ["old:object"]);
  await layer.close();
});
