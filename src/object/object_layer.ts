/**
 * The object layer as the S3 API sees it: buckets, objects, versions, listings and multipart
 * uploads over pools → erasure sets → drives. It never sees an HTTP request; the API layer
 * parses headers into these options and maps ObjectError codes to S3 errors in one place.
 */

import type { Retention } from "./object_lock.ts";

export type ObjectErrorCode =
  | "NoSuchBucket"
  | "BucketExists" // the bucket exists (and is ours: S3 BucketAlreadyOwnedByYou)
  | "BucketNotEmpty"
  | "InvalidBucketName"
  | "NoSuchKey" // no such object, or its latest version is a delete marker
  | "NoSuchVersion"
  | "MethodNotAllowed" // the requested version is a delete marker
  | "InvalidObjectName" // key fails validation (empty, too long, `..` segments, ...)
  | "InvalidRange"
  | "InvalidPartNumber"
  | "PreconditionFailed" // If-Match / If-None-Match on write failed under the lock
  | "NoSuchUpload"
  | "InvalidPart" // a listed part is missing or its ETag differs
  | "InvalidPartOrder"
  | "EntityTooSmall" // a part other than the last is under 5 MiB
  | "EntityTooLarge"
  | "IncompleteBody" // the body ended before the declared size
  | "BadDigest" // a declared digest (Content-MD5, x-amz-checksum-*) did not match
  | "ReadQuorum" // fewer than read-quorum drives could answer
  | "WriteQuorum" // fewer than write-quorum drives accepted the write
  | "DriveFull"
  | "ObjectLocked" // retention / legal hold forbids the delete or overwrite
  | "ObjectLockDisabled" // a retention / legal hold request on a bucket without Object Lock
  | "ParentIsObject" // a write of `a/x` where `a` is an object (MinIO: XMinioParentIsObject)
  | "ObjectExistsAsDirectory"; // a write of `a` where objects exist under `a/` (MinIO's rule)

export class ObjectError extends Error {
  /**
   * Set on NoSuchKey (latest version is a delete marker) and MethodNotAllowed (the requested
   * version is a delete marker): the API answers with `x-amz-delete-marker: true` and this
   * `x-amz-version-id` (API form: "null" for the null version).
   */
  readonly deleteMarker?: { versionId: string };

  constructor(
    readonly code: ObjectErrorCode,
    message: string,
    options?: { cause?: unknown; deleteMarker?: { versionId: string } },
  ) {
    super(message, options);
    this.name = "ObjectError";
    if (options?.deleteMarker !== undefined) this.deleteMarker = options.deleteMarker;
  }
}

export type VersioningState = "Unversioned" | "Enabled" | "Suspended";

export interface BucketInfo {
  name: string;
  created: Date;
}

/**
 * Bucket configuration documents as the client sent them (S3 XML, policy JSON), stored in
 * `.minio.sys/buckets/<bucket>/.metadata.bin` (spec §1.4). Absent = not configured.
 */
export interface BucketConfig {
  versioning: VersioningState;
  objectLockEnabled: boolean;
  policyJson?: string;
  taggingXml?: string;
  corsXml?: string;
  lifecycleXml?: string;
  objectLockXml?: string;
  encryptionXml?: string;
  notificationXml?: string;
}

/** One finished object version as the API reports it. */
export interface ObjectInfo {
  bucket: string;
  key: string;
  /** "" for unversioned buckets' objects; "null" for the null version in versioned buckets. */
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  sizeBytes: number;
  /** Lowercase hex MD5, or `<hex>-<parts>` for multipart; no quotes. */
  etag: string;
  modTime: Date;
  contentType: string;
  /**
   * Stored HTTP and user metadata, keys lowercase: content-encoding, content-disposition,
   * content-language, cache-control, expires, x-amz-meta-*, x-amz-storage-class, ...
   */
  metadata: Record<string, string>;
  /** Tag set (decoded from X-Amz-Tagging), empty when none. */
  tags: Record<string, string>;
  /** Parts of a multipart object (number and size), empty for single PUTs. */
  parts: { number: number; sizeBytes: number; etag: string; checksums?: Record<string, string> }[];
  /** x-amz-checksum-* values stored with the object, by algorithm (CRC32, CRC32C, SHA1, SHA256, CRC64NVME). */
  checksums: Record<string, string>;
  /** "COMPOSITE" or "FULL_OBJECT" when checksums are stored. */
  checksumType?: string;
}

export interface PutObjectOptions {
  /** Declared size in bytes, or -1 when unknown (the stream is read to its end). */
  sizeBytes: number;
  contentType?: string;
  /** Lowercase keys as in ObjectInfo.metadata. */
  metadata: Record<string, string>;
  tags?: Record<string, string>;
  /** Expected MD5 (Content-MD5) as lowercase hex; BadDigest when the body differs. */
  md5Hex?: string;
  /** Checksums computed by the API over the body, stored and returned as given. */
  checksums?: Record<string, string>;
  checksumType?: string;
  /**
   * CreateMultipartUpload only: the x-amz-checksum-algorithm every part must carry; the
   * completed object then gets a COMPOSITE or FULL_OBJECT checksum (checksumType).
   */
  checksumAlgorithm?: string;
  /** Conditional write, evaluated under the write lock against the current latest version. */
  ifMatchEtag?: string;
  ifNoneMatch?: "*" | string;
  /** REDUCED_REDUNDANCY uses the RRS parity; anything else the standard parity. */
  storageClass?: string;
}

export interface GetObjectOptions {
  versionId?: string;
  /** Inclusive byte range, already resolved against the size by `resolveRange`. */
  range?: { start: number; end: number };
  partNumber?: number;
}

export interface ObjectReader {
  info: ObjectInfo;
  /** Byte range actually served (whole object when no range). */
  start: number;
  end: number;
  body: ReadableStream<Uint8Array>;
}

export interface DeleteObjectOptions {
  versionId?: string;
  /** x-amz-bypass-governance-retention: a GOVERNANCE retention does not refuse the delete. */
  bypassGovernance?: boolean;
}

export interface DeleteObjectResult {
  /** The version id removed or created (a delete marker's id); "" when unversioned. */
  versionId: string;
  deleteMarker: boolean;
}

export interface ListObjectsOptions {
  prefix: string;
  delimiter: string;
  /** Continue after this key (marker / start-after / decoded continuation token). */
  after: string;
  maxKeys: number;
}

export interface ListObjectsResult {
  objects: ObjectInfo[];
  prefixes: string[];
  isTruncated: boolean;
  /** The last key or prefix returned, to continue from. */
  nextAfter: string;
}

export interface ListVersionsOptions {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  versionIdMarker: string;
  maxKeys: number;
}

export interface ListVersionsResult {
  /** Object versions and delete markers, by key then newest first. */
  versions: ObjectInfo[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string;
  nextVersionIdMarker: string;
}

export interface MultipartUploadInfo {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
  metadata: Record<string, string>;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  sizeBytes: number;
  lastModified: Date;
  checksums: Record<string, string>;
}

export interface ListPartsResult {
  parts: PartInfo[];
  /** The upload's x-amz-checksum-algorithm and type, when it was created with one. */
  checksumAlgorithm?: string;
  checksumType?: string;
  isTruncated: boolean;
  nextPartNumberMarker: number;
}

export interface ListUploadsResult {
  uploads: MultipartUploadInfo[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string;
  nextUploadIdMarker: string;
}

/**
 * The object checksum of a completed upload from its parts' checksums (base64) and sizes, for
 * the given algorithm and type (COMPOSITE / FULL_OBJECT). Supplied by the API (auth computes
 * checksums); the object layer calls it under the upload lock so the parts cannot change.
 */
export type ObjectChecksumOf = (
  algorithm: string,
  checksumType: string,
  parts: { checksum: string; sizeBytes: number }[],
) => string;

export interface CompleteOptions {
  ifMatchEtag?: string;
  ifNoneMatch?: "*" | string;
  /** Required when the upload was created with a checksum algorithm. */
  objectChecksumOf?: ObjectChecksumOf;
}

export interface CompletePart {
  partNumber: number;
  etag: string;
  checksums?: Record<string, string>;
}

export interface ObjectLayer {
  makeBucket(bucket: string, options: { versioning: boolean; objectLock: boolean }): Promise<void>;
  getBucketInfo(bucket: string): Promise<BucketInfo>;
  listBuckets(): Promise<BucketInfo[]>;
  /** Fails with BucketNotEmpty unless force. */
  deleteBucket(bucket: string, options: { force: boolean }): Promise<void>;
  getBucketConfig(bucket: string): Promise<BucketConfig>;
  /** Replace the given fields (undefined = remove that document). */
  updateBucketConfig(bucket: string, patch: Partial<BucketConfig>): Promise<void>;

  putObject(
    bucket: string,
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutObjectOptions,
  ): Promise<ObjectInfo>;
  getObject(bucket: string, key: string, options: GetObjectOptions): Promise<ObjectReader>;
  getObjectInfo(bucket: string, key: string, options: GetObjectOptions): Promise<ObjectInfo>;
  deleteObject(
    bucket: string,
    key: string,
    options: DeleteObjectOptions,
  ): Promise<DeleteObjectResult>;
  /** Metadata-only change of one version (tags, metadata replace on self-copy), in place. */
  updateObjectMetadata(
    bucket: string,
    key: string,
    options: {
      versionId?: string;
      metadata?: Record<string, string>;
      tags?: Record<string, string>;
    },
  ): Promise<ObjectInfo>;

  /**
   * Replace one version's retention (undefined removes it), under the Object Lock rules
   * (object_lock.ts): ObjectLocked when refused, ObjectLockDisabled without bucket lock.
   */
  putObjectRetention(
    bucket: string,
    key: string,
    options: { versionId?: string; retention?: Retention; bypassGovernance: boolean },
  ): Promise<ObjectInfo>;
  /** Set one version's legal hold ON or OFF (ObjectLockDisabled without bucket lock). */
  putObjectLegalHold(
    bucket: string,
    key: string,
    options: { versionId?: string; legalHold: boolean },
  ): Promise<ObjectInfo>;

  listObjects(bucket: string, options: ListObjectsOptions): Promise<ListObjectsResult>;
  listObjectVersions(bucket: string, options: ListVersionsOptions): Promise<ListVersionsResult>;

  newMultipartUpload(
    bucket: string,
    key: string,
    options: Omit<
      PutObjectOptions,
      "sizeBytes" | "md5Hex" | "checksums" | "ifMatchEtag" | "ifNoneMatch"
    >,
  ): Promise<string>;
  putObjectPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array>,
    options: { sizeBytes: number; md5Hex?: string; checksums?: Record<string, string> },
  ): Promise<PartInfo>;
  listObjectParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { partNumberMarker: number; maxParts: number },
  ): Promise<ListPartsResult>;
  listMultipartUploads(
    bucket: string,
    options: {
      prefix: string;
      delimiter: string;
      keyMarker: string;
      uploadIdMarker: string;
      maxUploads: number;
    },
  ): Promise<ListUploadsResult>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePart[],
    options: CompleteOptions,
  ): Promise<ObjectInfo>;

  /** Stop background work (heal queue, cleanup timers) and wait for in-flight commits. */
  close(): Promise<void>;
}
