import assert from "node:assert/strict";
import type { ObjectVersion } from "../metadata/types.ts";
import {
  apiVersionId,
  buildMetaUser,
  canonicalHeaderKey,
  decodeTags,
  encodeTags,
  toObjectInfo,
} from "./object_info.ts";

Deno.test("user metadata keys are stored the way Go's net/http spells them, HTTP keys lowercase", () => {
  assert.equal(canonicalHeaderKey("x-amz-meta-mtime"), "X-Amz-Meta-Mtime");
  const metaUser = buildMetaUser({
    metadata: {
      "x-amz-meta-my-key": "v",
      "cache-control": "no-cache",
      "x-amz-storage-class": "STANDARD",
    },
    contentType: "image/png",
    tags: { b: "2", a: "1 2" },
  }, "abc");
  assert.deepEqual(Object.fromEntries(metaUser), {
    "X-Amz-Meta-My-Key": "v",
    "cache-control": "no-cache",
    etag: "abc",
    "content-type": "image/png",
    "X-Amz-Tagging": "a=1+2&b=2",
  });
});

Deno.test("tags round-trip through the URL-encoded form", () => {
  const tags = { "key with space": "välue&=", k: "" };
  assert.deepEqual(decodeTags(encodeTags(tags)), tags);
});

Deno.test("toObjectInfo() reports a MinIO-written version (MetaUsr as MinIO stores it)", () => {
  const version: ObjectVersion = {
    kind: "object",
    versionId: "",
    dataDir: "5e0ba5c1-d0a9-4b7a-9f3c-2d1e0f1a2b3c",
    erasure: {
      dataShards: 2,
      parityShards: 2,
      blockSizeBytes: 1048576,
      index: 1,
      distribution: [1, 2, 3, 4],
    },
    parts: [{ number: 1, etag: "", sizeBytes: 11, actualSizeBytes: 11 }],
    sizeBytes: 11,
    modTimeNs: 1700000000123456789n,
    metaSys: new Map(),
    metaUser: new Map([
      ["content-type", "text/plain"],
      ["etag", "5eb63bbbe01eeed093cb22bb8f5acdc3"],
      ["X-Amz-Meta-Mtime", "123"],
      ["x-amz-storage-class", "STANDARD"],
    ]),
  };
  const info = toObjectInfo("mybucket", "hello.txt", version, {
    versioning: "Suspended",
    isLatest: true,
  });
  assert.equal(info.versionId, "null");
  assert.equal(info.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  assert.equal(info.contentType, "text/plain");
  assert.deepEqual(info.metadata, { "x-amz-meta-mtime": "123" });
  assert.equal(info.modTime.toISOString(), "2023-11-14T22:13:20.123Z");
  assert.deepEqual(info.parts, []);
  assert.equal(apiVersionId("", "Unversioned"), "");
});
