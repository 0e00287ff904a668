import { decode as oracleDecode, ExtensionCodec } from "@msgpack/msgpack";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  decodeBucketMetadata,
  encodeBucketMetadata,
  goZeroDate,
  newBucketMetadata,
} from "./bucket_metadata.ts";
import { MsgpackWriter } from "./msgpack.ts";
import { XlMetaError } from "./xl_meta_error.ts";

const versioningXml =
  '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';

function sample() {
  const metadata = newBucketMetadata("photos", new Date("2024-03-05T19:13:20.123Z"));
  metadata.versioningConfigXml = versioningXml;
  metadata.versioningConfigUpdatedAt = new Date("2024-03-05T19:13:21.000Z");
  metadata.policyConfigJson = '{"Version":"2012-10-17","Statement":[]}';
  return metadata;
}

Deno.test(".metadata.bin starts with format 1 and version 1 (LE) and a 25-entry map in Go field order", () => {
  const bytes = encodeBucketMetadata(sample());
  assertEquals(Array.from(bytes.subarray(0, 4)), [1, 0, 1, 0]);
  assertEquals(Array.from(bytes.subarray(4, 7)), [0xde, 0, 25]);
  // An independent decoder sees the keys in MinIO's order; ext 5 is msgp's time.
  const extensionCodec = new ExtensionCodec();
  extensionCodec.register({ type: 5, encode: () => null, decode: (data) => data });
  const decoded = oracleDecode(bytes.subarray(4), { extensionCodec }) as Record<string, unknown>;
  assertEquals(Object.keys(decoded), [
    "Name",
    "Created",
    "LockEnabled",
    "PolicyConfigJSON",
    "NotificationConfigXML",
    "LifecycleConfigXML",
    "ObjectLockConfigXML",
    "VersioningConfigXML",
    "EncryptionConfigXML",
    "TaggingConfigXML",
    "QuotaConfigJSON",
    "ReplicationConfigXML",
    "BucketTargetsConfigJSON",
    "BucketTargetsConfigMetaJSON",
    "PolicyConfigUpdatedAt",
    "ObjectLockConfigUpdatedAt",
    "EncryptionConfigUpdatedAt",
    "TaggingConfigUpdatedAt",
    "QuotaConfigUpdatedAt",
    "ReplicationConfigUpdatedAt",
    "VersioningConfigUpdatedAt",
    "LifecycleConfigUpdatedAt",
    "NotificationConfigUpdatedAt",
    "BucketTargetsConfigUpdatedAt",
    "BucketTargetsConfigMetaUpdatedAt",
  ]);
  assertEquals(decoded.Name, "photos");
  assertEquals(new TextDecoder().decode(decoded.VersioningConfigXML as Uint8Array), versioningXml);
});

Deno.test("bucket metadata round-trips, with unset times as Go's zero time", () => {
  const metadata = sample();
  const decoded = decodeBucketMetadata(encodeBucketMetadata(metadata));
  assertEquals(decoded, metadata);
  assertEquals(decoded.lifecycleConfigUpdatedAt.toISOString(), "0001-01-01T00:00:00.000Z");
  assertEquals(goZeroDate.getTime(), -62135596800000);
});

Deno.test("unknown keys are ignored and missing keys keep defaults", () => {
  const w = new MsgpackWriter().raw(new Uint8Array([1, 0, 1, 0]));
  w.mapHeader(3).str("Name").str("b1").str("FutureField").arrayHeader(1).int(5)
    .str("LockEnabled").bool(true);
  const decoded = decodeBucketMetadata(w.bytes());
  assertEquals(decoded.name, "b1");
  assertEquals(decoded.lockEnabled, true);
  assertEquals(decoded.versioningConfigXml, "");
});

Deno.test("unknown format or version and truncated content are XlMetaErrors", () => {
  const bytes = encodeBucketMetadata(sample());
  const wrongFormat = bytes.slice();
  wrongFormat[0] = 2;
  const wrongVersion = bytes.slice();
  wrongVersion[2] = 2;
  const code = (b: Uint8Array) =>
    (assertThrows(() => decodeBucketMetadata(b), XlMetaError) as XlMetaError).code;
  assertEquals(code(wrongFormat), "unsupportedVersion");
  assertEquals(code(wrongVersion), "unsupportedVersion");
  for (let length = 0; length < bytes.length; length++) {
    assertThrows(() => decodeBucketMetadata(bytes.subarray(0, length)), XlMetaError);
  }
});
