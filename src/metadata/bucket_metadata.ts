/**
 * `.metadata.bin`, the content of the bucket metadata object (spec §1.4): 2 bytes LE format 1,
 * 2 bytes LE version 1, then a msgp map of 25 entries in MinIO's field order.
 *
 * Configuration documents are held as strings (the S3 XML / JSON text, stored on disk as msgp
 * bin of its UTF-8 bytes); "" means not configured. Times are `Date`s, so nanoseconds below the
 * millisecond are dropped; unset times are Go's zero time (0001-01-01T00:00:00Z).
 */

import {
  goZeroTime,
  MsgpackError,
  MsgpackReader,
  MsgpackWriter,
  type MsgpTime,
} from "./msgpack.ts";
import { XlMetaError } from "./xl_meta_error.ts";

/** `bucketMetadataFormat` and `bucketMetadataVersion`. */
const bucketMetadataFormat = 1;
const bucketMetadataVersion = 1;

/** Config documents, in the order MinIO writes them (Go field name → model field). */
const configFields = [
  ["PolicyConfigJSON", "policyConfigJson"],
  ["NotificationConfigXML", "notificationConfigXml"],
  ["LifecycleConfigXML", "lifecycleConfigXml"],
  ["ObjectLockConfigXML", "objectLockConfigXml"],
  ["VersioningConfigXML", "versioningConfigXml"],
  ["EncryptionConfigXML", "encryptionConfigXml"],
  ["TaggingConfigXML", "taggingConfigXml"],
  ["QuotaConfigJSON", "quotaConfigJson"],
  ["ReplicationConfigXML", "replicationConfigXml"],
  ["BucketTargetsConfigJSON", "bucketTargetsConfigJson"],
  ["BucketTargetsConfigMetaJSON", "bucketTargetsConfigMetaJson"],
] as const;

/** Update times, in the order MinIO writes them. */
const timeFields = [
  ["PolicyConfigUpdatedAt", "policyConfigUpdatedAt"],
  ["ObjectLockConfigUpdatedAt", "objectLockConfigUpdatedAt"],
  ["EncryptionConfigUpdatedAt", "encryptionConfigUpdatedAt"],
  ["TaggingConfigUpdatedAt", "taggingConfigUpdatedAt"],
  ["QuotaConfigUpdatedAt", "quotaConfigUpdatedAt"],
  ["ReplicationConfigUpdatedAt", "replicationConfigUpdatedAt"],
  ["VersioningConfigUpdatedAt", "versioningConfigUpdatedAt"],
  ["LifecycleConfigUpdatedAt", "lifecycleConfigUpdatedAt"],
  ["NotificationConfigUpdatedAt", "notificationConfigUpdatedAt"],
  ["BucketTargetsConfigUpdatedAt", "bucketTargetsConfigUpdatedAt"],
  ["BucketTargetsConfigMetaUpdatedAt", "bucketTargetsConfigMetaUpdatedAt"],
] as const;

type ConfigField = typeof configFields[number][1];
type TimeField = typeof timeFields[number][1];

export type BucketMetadata =
  & {
    name: string;
    created: Date;
    /** Legacy object-lock flag; current MinIO keeps the state in objectLockConfigXml. */
    lockEnabled: boolean;
  }
  & { [K in ConfigField]: string }
  & { [K in TimeField]: Date };

/** Go's zero time as a Date: what MinIO writes for "never updated". */
export const goZeroDate = new Date(Number(goZeroTime.seconds) * 1000);

/** A bucket with no configuration, created at `created`. */
export function newBucketMetadata(name: string, created: Date): BucketMetadata {
  const metadata = { name, created, lockEnabled: false } as BucketMetadata;
  for (const [, field] of configFields) metadata[field] = "";
  for (const [, field] of timeFields) metadata[field] = goZeroDate;
  return metadata;
}

function timeFromDate(date: Date): MsgpTime {
  const ms = BigInt(date.getTime());
  let seconds = ms / 1000n;
  let millis = ms % 1000n;
  if (millis < 0n) {
    millis += 1000n;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(millis) * 1_000_000 };
}

function dateFromTime(time: MsgpTime): Date {
  return new Date(Number(time.seconds) * 1000 + Math.floor(time.nanos / 1_000_000));
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodeBucketMetadata(metadata: BucketMetadata): Uint8Array {
  const writer = new MsgpackWriter(512);
  writer.raw(new Uint8Array([bucketMetadataFormat, 0, bucketMetadataVersion, 0]));
  writer.mapHeader(3 + configFields.length + timeFields.length);
  writer.str("Name").str(metadata.name);
  writer.str("Created").time(timeFromDate(metadata.created));
  writer.str("LockEnabled").bool(metadata.lockEnabled);
  for (const [key, field] of configFields) writer.str(key).bin(utf8Encoder.encode(metadata[field]));
  for (const [key, field] of timeFields) writer.str(key).time(timeFromDate(metadata[field]));
  return writer.bytes();
}

function readField(reader: MsgpackReader, key: string, metadata: BucketMetadata): void {
  if (key === "Name") metadata.name = reader.readStr();
  else if (key === "Created") metadata.created = dateFromTime(reader.readTime());
  else if (key === "LockEnabled") metadata.lockEnabled = reader.readBool();
  else {
    const config = configFields.find(([name]) => name === key);
    const time = timeFields.find(([name]) => name === key);
    if (config) metadata[config[1]] = utf8Decoder.decode(reader.readBin());
    else if (time) metadata[time[1]] = dateFromTime(reader.readTime());
    else reader.skip();
  }
}

/** Decodes `.metadata.bin` content; unknown keys are ignored, unknown format/version rejected. */
export function decodeBucketMetadata(bytes: Uint8Array): BucketMetadata {
  if (bytes.length < 4) {
    throw new XlMetaError("corrupt", `Cannot load bucket metadata: ${bytes.length} bytes`);
  }
  const format = bytes[0] | (bytes[1] << 8);
  const version = bytes[2] | (bytes[3] << 8);
  if (format !== bucketMetadataFormat || version !== bucketMetadataVersion) {
    throw new XlMetaError(
      "unsupportedVersion",
      `Cannot load bucket metadata: format ${format} version ${version}`,
    );
  }
  const metadata = newBucketMetadata("", goZeroDate);
  try {
    const reader = new MsgpackReader(bytes, 4);
    for (let i = reader.readMapHeader(); i > 0; i--) readField(reader, reader.readKey(), metadata);
  } catch (error) {
    if (!(error instanceof MsgpackError)) throw error;
    throw new XlMetaError("corrupt", `Cannot load bucket metadata: ${error.message}`, {
      cause: error,
    });
  }
  return metadata;
}
