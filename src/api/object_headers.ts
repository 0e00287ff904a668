/**
 * Object headers both ways: request headers → stored metadata (x-amz-meta-*, Content-*,
 * Cache-Control, Expires, storage class, tagging), and ObjectInfo → response headers.
 */
import type { ObjectInfo } from "../object/object_layer.ts";
import { objectTagsMax, userMetadataMaxBytes } from "../limits.ts";
import { S3Error } from "./s3_errors.ts";
import { httpDate, quoteEtag } from "./responses.ts";

/** Stored HTTP headers, besides Content-Type, that S3 returns as they were sent. */
const storedHttpHeaders = [
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
  "x-amz-website-redirect-location",
];

const storageClasses = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "EXPRESS_ONEZONE",
  "SNOW",
]);

/**
 * Server-side encryption is not implemented: a request asking for it (SSE-S3, SSE-KMS, SSE-C)
 * is refused rather than stored in the clear while the client believes it is encrypted.
 */
export function rejectEncryptionRequest(headers: Headers): void {
  for (const name of headers.keys()) {
    if (
      name.startsWith("x-amz-server-side-encryption") ||
      name.startsWith("x-amz-copy-source-server-side-encryption")
    ) {
      throw new S3Error(
        "NotImplemented",
        `Cannot honour "${name}": server-side encryption is not implemented, the object would be stored unencrypted`,
      );
    }
  }
}

/** User metadata and stored HTTP headers from a PUT / CreateMultipartUpload / CopyObject(REPLACE). */
export function metadataFromHeaders(headers: Headers): Record<string, string> {
  rejectEncryptionRequest(headers);
  const metadata: Record<string, string> = {};
  let userBytes = 0;
  for (const [name, value] of headers) {
    if (name.startsWith("x-amz-meta-")) {
      metadata[name] = value;
      userBytes += name.length - "x-amz-meta-".length + value.length;
    } else if (name === "content-encoding") {
      // aws-chunked is the transfer framing of this request, not an encoding of the object.
      const encodings = value.split(",").map((e) => e.trim()).filter((e) =>
        e !== "" && e !== "aws-chunked"
      );
      if (encodings.length > 0) metadata[name] = encodings.join(",");
    } else if (storedHttpHeaders.includes(name)) {
      metadata[name] = value;
    }
  }
  if (userBytes > userMetadataMaxBytes) {
    throw new S3Error(
      "MetadataTooLarge",
      `Your metadata headers exceed the maximum allowed metadata size (${userBytes} > ${userMetadataMaxBytes} bytes).`,
    );
  }
  const storageClass = storageClassFromHeaders(headers);
  if (storageClass !== undefined && storageClass !== "STANDARD") {
    metadata["x-amz-storage-class"] = storageClass;
  }
  return metadata;
}

export function storageClassFromHeaders(headers: Headers): string | undefined {
  const storageClass = headers.get("x-amz-storage-class");
  if (storageClass === null) return undefined;
  if (!storageClasses.has(storageClass)) throw new S3Error("InvalidStorageClass");
  return storageClass;
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL query encoding). */
export function tagsFromHeader(value: string | null): Record<string, string> | undefined {
  if (value === null) return undefined;
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of new URLSearchParams(value)) {
    if (Object.hasOwn(tags, key)) {
      throw new S3Error("InvalidTag", `Cannot accept tag "${key}": duplicate key`);
    }
    tags[key] = tagValue;
  }
  validateTags(tags, objectTagsMax);
  return tags;
}

/** AWS tag rules: count, key 1..128 and value 0..256 characters, no `aws:` prefix. */
export function validateTags(tags: Record<string, string>, countMax: number): void {
  const keys = Object.keys(tags);
  if (keys.length > countMax) {
    throw new S3Error(
      "InvalidTag",
      `Cannot accept ${keys.length} tags: at most ${countMax} are allowed`,
    );
  }
  for (const key of keys) {
    if (key.length === 0 || [...key].length > 128) {
      throw new S3Error(
        "InvalidTag",
        `Cannot accept tag key "${key}": must be 1 to 128 characters`,
      );
    }
    if ([...tags[key]].length > 256) {
      throw new S3Error("InvalidTag", `Cannot accept tag value for "${key}": over 256 characters`);
    }
    if (key.toLowerCase().startsWith("aws:")) {
      throw new S3Error(
        "InvalidTag",
        `Cannot accept tag key "${key}": the aws: prefix is reserved`,
      );
    }
  }
}

/** Content-MD5 (base64 of 16 bytes) → lowercase hex, or InvalidDigest. */
export function md5HexFromHeader(value: string | null): string | undefined {
  if (value === null) return undefined;
  const bytes = decodeBase64(value.trim());
  if (bytes === undefined || bytes.length !== 16) {
    throw new S3Error(
      "InvalidDigest",
      `Cannot read Content-MD5 "${value}": not base64 of 16 bytes`,
    );
  }
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Headers of GetObject / HeadObject / PutObject responses that describe the object version. */
export function objectResponseHeaders(
  info: ObjectInfo,
  options: { checksumMode: boolean; partNumber?: number },
): Headers {
  const headers = new Headers();
  headers.set("ETag", quoteEtag(info.etag));
  headers.set("Last-Modified", httpDate(info.modTime));
  headers.set("Accept-Ranges", "bytes");
  headers.set("Content-Type", info.contentType || "application/octet-stream");
  if (info.versionId !== "") headers.set("x-amz-version-id", info.versionId);
  for (const [name, value] of Object.entries(info.metadata)) {
    if (name.startsWith("x-amz-meta-") || storedHttpHeaders.includes(name)) {
      headers.set(name, value);
    }
  }
  const storageClass = info.metadata["x-amz-storage-class"];
  if (storageClass && storageClass !== "STANDARD") headers.set("x-amz-storage-class", storageClass);
  const tagCount = Object.keys(info.tags).length;
  if (tagCount > 0) headers.set("x-amz-tagging-count", String(tagCount));
  if (options.partNumber !== undefined && info.parts.length > 0) {
    headers.set("x-amz-mp-parts-count", String(info.parts.length));
  }
  if (options.checksumMode) setChecksumHeaders(headers, info.checksums, info.checksumType);
  return headers;
}

export function setChecksumHeaders(
  headers: Headers,
  checksums: Record<string, string>,
  checksumType?: string,
): void {
  let any = false;
  for (const [algorithm, value] of Object.entries(checksums)) {
    headers.set(`x-amz-checksum-${algorithm.toLowerCase()}`, value);
    any = true;
  }
  if (any && checksumType) headers.set("x-amz-checksum-type", checksumType);
}

/** `response-*` query overrides of GetObject. */
const responseOverrides: [string, string][] = [
  ["response-content-type", "Content-Type"],
  ["response-content-language", "Content-Language"],
  ["response-expires", "Expires"],
  ["response-cache-control", "Cache-Control"],
  ["response-content-disposition", "Content-Disposition"],
  ["response-content-encoding", "Content-Encoding"],
];

export function applyResponseOverrides(headers: Headers, query: URLSearchParams): void {
  for (const [param, header] of responseOverrides) {
    const value = query.get(param);
    if (value !== null) headers.set(header, value);
  }
}
