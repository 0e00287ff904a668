import assert from "node:assert/strict";
import { ObjectError, type ObjectErrorCode } from "./object_layer.ts";
import { bodyOf, makeSet, memoryDrives, seededBytes, seededRandom } from "./_support_test.ts";
import { FaultyDrive } from "../testing/faulty_drive.ts";

const MiB = 1024 * 1024;
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`namespace_conflict_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);
const random = seededRandom(seed);

type TestSet = ReturnType<typeof makeSet>;

function put(set: TestSet, key: string, sizeBytes: number) {
  const bytes = seededBytes(random, sizeBytes);
  return set.putObject("bucket", key, bodyOf(bytes, random), {
    sizeBytes,
    metadata: {},
    versioning: "Unversioned",
  });
}

async function assertObjectError(promise: Promise<unknown>, code: ObjectErrorCode) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ObjectError, `expected ObjectError ${code}, got ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

for (const sizeBytes of [10, 2 * MiB]) {
  const kind = sizeBytes < MiB ? "inline" : "part-file";
  Deno.test(`putObject() of a/x fails with ParentIsObject when a is an object (${kind} bodies)`, async () => {
    const set = makeSet(await memoryDrives(4));
    await put(set, "a", sizeBytes);
    await assertObjectError(put(set, "a/x", sizeBytes), "ParentIsObject");
    await assertObjectError(put(set, "a/x/y/z", sizeBytes), "ParentIsObject");
    await set.getObjectInfo("bucket", "a", { versioning: "Unversioned" });
    await assertObjectError(
      set.getObjectInfo("bucket", "a/x", { versioning: "Unversioned" }),
      "NoSuchKey",
    );
    await set.close();
  });

  Deno.test(`putObject() of a fails with ObjectExistsAsDirectory when a/x exists (${kind} bodies)`, async () => {
    const set = makeSet(await memoryDrives(4));
    await put(set, "a/x", sizeBytes);
    await assertObjectError(put(set, "a", sizeBytes), "ObjectExistsAsDirectory");
    await assertObjectError(
      set.getObjectInfo("bucket", "a", { versioning: "Unversioned" }),
      "NoSuchKey",
    );
    await put(set, "a/", 0); // "a/" is a directory object (a__XLDIR__), not "a"
    await put(set, "ab", sizeBytes);
    await set.close();
  });
}

Deno.test("putObject() still answers ParentIsObject with one of 4 drives offline (write quorum of refusals)", async () => {
  const drives = await memoryDrives(4);
  const faulty = new FaultyDrive(drives[0], { seed });
  const set = makeSet([faulty, ...drives.slice(1)]);
  await put(set, "a", 10);
  faulty.setOffline(true);
  await assertObjectError(put(set, "a/x", 10), "ParentIsObject");
  await set.close();
});

Deno.test("completeMultipartUpload() follows the same rule, and the upload stays for a retry", async () => {
  const set = makeSet(await memoryDrives(4));
  await put(set, "a", 10);
  const uploadId = await set.newMultipartUpload("bucket", "a/big", { metadata: {} });
  const part = await set.putObjectPart("bucket", "a/big", uploadId, 1, bodyOf(new Uint8Array(7)), {
    sizeBytes: 7,
  });
  const parts = [{ partNumber: 1, etag: `"${part.etag}"` }];
  await assertObjectError(
    set.completeMultipartUpload("bucket", "a/big", uploadId, parts, { versioning: "Unversioned" }),
    "ParentIsObject",
  );
  const listed = await set.listObjectParts("bucket", "a/big", uploadId, {
    partNumberMarker: 0,
    maxParts: 10,
  });
  assert.deepEqual(listed.parts.map((p) => p.partNumber), [1]);
  await set.close();
});

Deno.test("deleteObject() in a versioned bucket of a key that cannot exist adds no marker and succeeds", async () => {
  const set = makeSet(await memoryDrives(4));
  await put(set, "a", 10);
  await put(set, "p/q", 10);
  assert.deepEqual(await set.deleteObject("bucket", "a/x", { versioning: "Enabled" }), {
    versionId: "",
    deleteMarker: false,
  });
  assert.deepEqual(await set.deleteObject("bucket", "p", { versioning: "Enabled" }), {
    versionId: "",
    deleteMarker: false,
  });
  await set.close();
});
