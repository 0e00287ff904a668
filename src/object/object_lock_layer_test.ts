/**
 * Object Lock enforced by the object layer (ServerPools over memory drives): locked versions
 * cannot be removed, retention changes follow the rules, the bucket default applies to new
 * versions, and the lock is stored in xl.meta under MinIO's keys.
 */
import { decodeXlMeta } from "../metadata/xl_meta.ts";
import type { ObjectVersion } from "../metadata/types.ts";
import { randomUuid } from "../platform/crypto.ts";
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { parseTopology } from "../topology/mod.ts";
import { openObjectLayer } from "./mod.ts";
import { ObjectError, type ObjectErrorCode } from "./object_layer.ts";

const encoder = new TextEncoder();
const dayMs = 24 * 60 * 60 * 1000;
const startMs = Date.parse("2026-03-01T10:00:00Z");

async function open() {
  const clock = { ms: startMs, nowNs: () => BigInt(clock.ms) * 1_000_000n };
  const drives: MemoryDrive[] = [];
  const { layer } = await openObjectLayer({
    topology: parseTopology(["mem{1...4}"], {}),
    makeDrive: (endpoint) => {
      const drive = new MemoryDrive(endpoint);
      drives.push(drive);
      return drive;
    },
    clock: {
      nowNs: () => {
        clock.ms += 1; // distinct mod times
        return clock.nowNs();
      },
    },
    randomUuid,
    lifecycleIntervalMs: 0,
  });
  await layer.makeBucket("locked", { versioning: true, objectLock: true });
  await layer.makeBucket("plain", { versioning: true, objectLock: false });
  return { layer, clock, drives };
}

function put(
  layer: Awaited<ReturnType<typeof open>>["layer"],
  bucket: string,
  key: string,
  metadata: Record<string, string> = {},
) {
  const bytes = encoder.encode(`body of ${key}`);
  return layer.putObject(bucket, key, new Blob([bytes]).stream(), {
    sizeBytes: bytes.length,
    metadata,
  });
}

function lockedFor(mode: string, untilMs: number): Record<string, string> {
  return {
    "x-amz-object-lock-mode": mode,
    "x-amz-object-lock-retain-until-date": new Date(untilMs).toISOString(),
  };
}

async function rejectsWith(code: ObjectErrorCode, fn: () => Promise<unknown>): Promise<void> {
  const error = await assertRejects(fn, ObjectError);
  assertEquals((error as ObjectError).code, code, error.message);
}

Deno.test("a GOVERNANCE-locked version cannot be deleted, unless governance is bypassed", async () => {
  const { layer } = await open();
  const info = await put(layer, "locked", "a", lockedFor("GOVERNANCE", startMs + dayMs));
  await rejectsWith(
    "ObjectLocked",
    () => layer.deleteObject("locked", "a", { versionId: info.versionId }),
  );
  const removed = await layer.deleteObject("locked", "a", {
    versionId: info.versionId,
    bypassGovernance: true,
  });
  assertEquals(removed.versionId, info.versionId);
  await layer.close();
});

Deno.test("a COMPLIANCE-locked version stays until its date, then can be deleted", async () => {
  const { layer, clock } = await open();
  const info = await put(layer, "locked", "c", lockedFor("COMPLIANCE", startMs + dayMs));
  await rejectsWith(
    "ObjectLocked",
    () => layer.deleteObject("locked", "c", { versionId: info.versionId, bypassGovernance: true }),
  );
  clock.ms = startMs + 2 * dayMs;
  await layer.deleteObject("locked", "c", { versionId: info.versionId });
  await rejectsWith("NoSuchKey", () => layer.getObjectInfo("locked", "c", {}));
  await layer.close();
});

Deno.test("a delete without version id adds a delete marker even over a locked version", async () => {
  const { layer } = await open();
  const info = await put(layer, "locked", "m", lockedFor("COMPLIANCE", startMs + dayMs));
  const marker = await layer.deleteObject("locked", "m", {});
  assertEquals(marker.deleteMarker, true);
  const kept = await layer.getObjectInfo("locked", "m", { versionId: info.versionId });
  assertEquals(kept.versionId, info.versionId);
  await layer.close();
});

Deno.test("a legal hold refuses the delete until it is switched off", async () => {
  const { layer } = await open();
  const info = await put(layer, "locked", "h");
  await layer.putObjectLegalHold("locked", "h", { versionId: info.versionId, legalHold: true });
  await rejectsWith(
    "ObjectLocked",
    () => layer.deleteObject("locked", "h", { versionId: info.versionId, bypassGovernance: true }),
  );
  await layer.putObjectLegalHold("locked", "h", { versionId: info.versionId, legalHold: false });
  await layer.deleteObject("locked", "h", { versionId: info.versionId });
  await layer.close();
});

Deno.test("putObjectRetention extends COMPLIANCE but refuses to shorten it, even with bypass", async () => {
  const { layer } = await open();
  const info = await put(layer, "locked", "r", lockedFor("COMPLIANCE", startMs + dayMs));
  const extended = await layer.putObjectRetention("locked", "r", {
    versionId: info.versionId,
    retention: { mode: "COMPLIANCE", retainUntil: new Date(startMs + 3 * dayMs) },
    bypassGovernance: false,
  });
  assertEquals(
    extended.metadata["x-amz-object-lock-retain-until-date"],
    new Date(startMs + 3 * dayMs).toISOString(),
  );
  await rejectsWith("ObjectLocked", () =>
    layer.putObjectRetention("locked", "r", {
      versionId: info.versionId,
      retention: { mode: "COMPLIANCE", retainUntil: new Date(startMs + dayMs) },
      bypassGovernance: true,
    }));
  await rejectsWith("ObjectLocked", () =>
    layer.putObjectRetention("locked", "r", {
      versionId: info.versionId,
      bypassGovernance: true,
    }));
  await layer.close();
});

Deno.test("GOVERNANCE retention can be removed with bypass, and the version then deleted", async () => {
  const { layer } = await open();
  const info = await put(layer, "locked", "g", lockedFor("GOVERNANCE", startMs + dayMs));
  await rejectsWith(
    "ObjectLocked",
    () =>
      layer.putObjectRetention("locked", "g", {
        versionId: info.versionId,
        bypassGovernance: false,
      }),
  );
  const cleared = await layer.putObjectRetention("locked", "g", {
    versionId: info.versionId,
    bypassGovernance: true,
  });
  assertEquals(cleared.metadata["x-amz-object-lock-mode"], undefined);
  await layer.deleteObject("locked", "g", { versionId: info.versionId });
  await layer.close();
});

Deno.test("the bucket's default retention applies to versions written without their own", async () => {
  const { layer } = await open();
  await layer.updateBucketConfig("locked", {
    objectLockXml:
      "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>2</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
  });
  const info = await put(layer, "locked", "d");
  assertEquals(info.metadata["x-amz-object-lock-mode"], "COMPLIANCE");
  const untilMs = Date.parse(info.metadata["x-amz-object-lock-retain-until-date"]);
  assertEquals(untilMs - info.modTime.getTime() <= 2 * dayMs, true);
  assertEquals(untilMs - info.modTime.getTime() > 2 * dayMs - 1000, true);
  await rejectsWith(
    "ObjectLocked",
    () => layer.deleteObject("locked", "d", { versionId: info.versionId }),
  );
  // A request's own retention wins over the default.
  const own = await put(layer, "locked", "e", lockedFor("GOVERNANCE", startMs + 5 * dayMs));
  assertEquals(own.metadata["x-amz-object-lock-mode"], "GOVERNANCE");
  await layer.close();
});

Deno.test("the lock is stored in xl.meta MetaUsr under MinIO's lowercase keys", async () => {
  const { layer, drives } = await open();
  await put(layer, "locked", "x", lockedFor("GOVERNANCE", Date.parse("2030-01-02T03:04:05Z")));
  const info = await layer.getObjectInfo("locked", "x", {});
  await layer.putObjectLegalHold("locked", "x", { versionId: info.versionId, legalHold: true });
  const meta = decodeXlMeta(await drives[0].readMetadata("locked", "x"));
  const version = meta.versions[0] as ObjectVersion;
  assertEquals(version.metaUser.get("x-amz-object-lock-mode"), "GOVERNANCE");
  assertEquals(
    version.metaUser.get("x-amz-object-lock-retain-until-date"),
    "2030-01-02T03:04:05.000Z",
  );
  assertEquals(version.metaUser.get("x-amz-object-lock-legal-hold"), "ON");
  await layer.close();
});

Deno.test("retention and legal hold on a bucket without Object Lock: ObjectLockDisabled", async () => {
  const { layer } = await open();
  const info = await put(layer, "plain", "p");
  await rejectsWith(
    "ObjectLockDisabled",
    () => layer.putObjectLegalHold("plain", "p", { versionId: info.versionId, legalHold: true }),
  );
  await rejectsWith("ObjectLockDisabled", () =>
    layer.putObjectRetention("plain", "p", {
      retention: { mode: "GOVERNANCE", retainUntil: new Date(startMs + dayMs) },
      bypassGovernance: false,
    }));
  await layer.close();
});

Deno.test("a multipart upload keeps the retention it started with, through completion", async () => {
  const { layer } = await open();
  const uploadId = await layer.newMultipartUpload("locked", "big", {
    metadata: lockedFor("COMPLIANCE", startMs + dayMs),
  });
  const bytes = encoder.encode("one part is enough");
  const part = await layer.putObjectPart("locked", "big", uploadId, 1, new Blob([bytes]).stream(), {
    sizeBytes: bytes.length,
  });
  const info = await layer.completeMultipartUpload("locked", "big", uploadId, [
    { partNumber: 1, etag: part.etag },
  ], {});
  assertEquals(info.metadata["x-amz-object-lock-mode"], "COMPLIANCE");
  await rejectsWith(
    "ObjectLocked",
    () =>
      layer.deleteObject("locked", "big", { versionId: info.versionId, bypassGovernance: true }),
  );
  await layer.close();
});
