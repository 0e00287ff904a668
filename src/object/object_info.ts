/**
 * Between the xl.meta model and what the API reports: `toObjectInfo` (used by the erasure set
 * and by listings) and the mapping of PUT options to the stored MetaUsr / MetaSys maps
 * (spec §4.9, §10).
 */
import type { ObjectVersion, Version } from "../metadata/types.ts";
import type { ObjectInfo, PutObjectOptions, VersioningState } from "./object_layer.ts";

/** MetaUsr key of the URL-encoded tag set, spelled as MinIO stores it. */
export const taggingKey = "X-Amz-Tagging";
/** MetaSys flag of inline data (sets header flag 4). */
export const inlineDataKey = "x-minio-internal-inline-data";
/** MetaSys record of a parity raised for offline drives: "<orig>-><new>". */
export const erasureUpgradedKey = "x-minio-internal-erasure-upgraded";
/** MetaSys decimal original size (multipart objects). */
export const actualSizeKey = "X-Minio-Internal-actual-size";
/**
 * MetaSys: the x-amz-checksum-* values given at PUT, as JSON `{checksums, type}`. aistor's own
 * key: MinIO's `x-minio-internal-crc` blob has a MinIO-private binary layout, so it is not reused.
 */
export const checksumsKey = "x-minio-internal-aistor-checksums";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The ObjectInfo of one stored version (or delete marker) of `key`. */
export function toObjectInfo(
  bucket: string,
  key: string,
  version: Version,
  options: { versioning: VersioningState; isLatest: boolean },
): ObjectInfo {
  const base = {
    bucket,
    key,
    versionId: apiVersionId(version.versionId, options.versioning),
    isLatest: options.isLatest,
    modTime: new Date(Number(version.modTimeNs / 1_000_000n)),
  };
  if (version.kind !== "object") {
    return {
      ...base,
      deleteMarker: version.kind === "deleteMarker",
      sizeBytes: 0,
      etag: "",
      contentType: "",
      metadata: {},
      tags: {},
      parts: [],
      checksums: {},
    };
  }
  const stored = readChecksums(version);
  return {
    ...base,
    deleteMarker: false,
    sizeBytes: version.sizeBytes,
    etag: metaUserValue(version, "etag") ?? "",
    contentType: metaUserValue(version, "content-type") ?? "application/octet-stream",
    metadata: visibleMetadata(version.metaUser),
    tags: decodeTags(metaUserValue(version, taggingKey) ?? ""),
    parts: isMultipart(version)
      ? version.parts.map((part, i) => ({
        number: part.number,
        sizeBytes: part.sizeBytes,
        etag: part.etag,
        ...(stored.parts?.[i] === undefined ? {} : { checksums: stored.parts[i] }),
      }))
      : [],
    checksums: stored.checksums,
    ...(stored.type === undefined ? {} : { checksumType: stored.type }),
  };
}

/** API form of a stored version id: "" unversioned, "null" for the null version otherwise. */
export function apiVersionId(storedVersionId: string, versioning: VersioningState): string {
  if (storedVersionId !== "") return storedVersionId;
  return versioning === "Unversioned" ? "" : "null";
}

/** Stored form of an API version id: "null" and "" are the null version. */
export function storedVersionId(apiId: string | undefined): string | undefined {
  if (apiId === undefined) return undefined;
  return apiId === "null" ? "" : apiId;
}

/** MetaUsr lookup ignoring the case of the key (MinIO writes some keys canonicalised). */
export function metaUserValue(version: ObjectVersion, key: string): string | undefined {
  const exact = version.metaUser.get(key);
  if (exact !== undefined) return exact;
  const lower = key.toLowerCase();
  for (const [name, value] of version.metaUser) {
    if (name.toLowerCase() === lower) return value;
  }
  return undefined;
}

function isMultipart(version: ObjectVersion): boolean {
  return version.parts.length > 1 || (metaUserValue(version, "etag") ?? "").includes("-");
}

/** Lowercase-keyed user/HTTP metadata without the keys reported in their own fields. */
function visibleMetadata(metaUser: Map<string, string>): Record<string, string> {
  const hidden = new Set(["etag", "content-type", taggingKey.toLowerCase()]);
  const metadata: Record<string, string> = {};
  for (const [name, value] of metaUser) {
    const lower = name.toLowerCase();
    if (hidden.has(lower)) continue;
    if (lower === "x-amz-storage-class" && value === "STANDARD") continue;
    metadata[lower] = value;
  }
  return metadata;
}

/**
 * MetaUsr for a new object: lowercase HTTP keys, `X-Amz-Meta-*` canonicalised the way Go's
 * net/http spells received headers (so MinIO reads them as its own), etag, content-type, tags.
 */
export function buildMetaUser(
  options: Pick<PutObjectOptions, "metadata" | "contentType" | "tags" | "storageClass">,
  etag: string,
): Map<string, string> {
  const metaUser = new Map<string, string>();
  for (const [name, value] of Object.entries(options.metadata)) {
    const lower = name.toLowerCase();
    if (lower === "etag" || lower === "content-type" || lower === "x-amz-storage-class") continue;
    metaUser.set(isUserMetaKey(lower) ? canonicalHeaderKey(lower) : lower, value);
  }
  if (etag !== "") metaUser.set("etag", etag);
  metaUser.set(
    "content-type",
    options.contentType ?? options.metadata["content-type"] ?? "application/octet-stream",
  );
  const storageClass = options.storageClass ?? options.metadata["x-amz-storage-class"];
  if (storageClass !== undefined && storageClass !== "" && storageClass !== "STANDARD") {
    metaUser.set("x-amz-storage-class", storageClass);
  }
  if (options.tags !== undefined && Object.keys(options.tags).length > 0) {
    metaUser.set(taggingKey, encodeTags(options.tags));
  }
  return metaUser;
}

function isUserMetaKey(lower: string): boolean {
  return lower.startsWith("x-amz-meta-") || lower.startsWith("x-minio-meta-");
}

/** Go's textproto canonical form: first letter and letters after '-' upper case. */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_all, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}

/** Tags as a URL query (Go url.Values.Encode: sorted by key, '+' for spaces). */
export function encodeTags(tags: Record<string, string>): string {
  const params = new URLSearchParams(Object.entries(tags));
  params.sort();
  return params.toString();
}

export function decodeTags(encoded: string): Record<string, string> {
  if (encoded === "") return {};
  return Object.fromEntries(new URLSearchParams(encoded));
}

/**
 * MetaSys entries for the checksums given at PUT or computed at CompleteMultipartUpload (empty
 * when none). `partChecksums` (multipart: one map per part, in part order) answer GetObject
 * with partNumber and checksum mode.
 */
export function checksumMetaSys(
  checksums: Record<string, string> | undefined,
  checksumType: string | undefined,
  partChecksums?: Record<string, string>[],
): [string, Uint8Array][] {
  if (checksums === undefined || Object.keys(checksums).length === 0) return [];
  const json = JSON.stringify({ checksums, type: checksumType, parts: partChecksums });
  return [[checksumsKey, textEncoder.encode(json)]];
}

interface StoredChecksums {
  checksums: Record<string, string>;
  type?: string;
  parts?: Record<string, string>[];
}

function readChecksums(version: ObjectVersion): StoredChecksums {
  const raw = version.metaSys.get(checksumsKey);
  if (raw === undefined) return { checksums: {} };
  try {
    const parsed = JSON.parse(textDecoder.decode(raw)) as Partial<StoredChecksums>;
    return {
      checksums: parsed.checksums ?? {},
      type: parsed.type,
      parts: Array.isArray(parsed.parts) ? parsed.parts : undefined,
    };
  } catch {
    return { checksums: {} };
  }
}

export function metaSysText(value: string): Uint8Array {
  return textEncoder.encode(value);
}
