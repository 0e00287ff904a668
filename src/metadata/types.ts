/**
 * The decoded form of `xl.meta` (spec/minio-format.md §4): what the codec reads and writes.
 *
 * Version ids and data dirs are lowercase UUID text; the null version is "" (on disk: 16 zero
 * bytes; in the S3 API: "null"). Times are Unix nanoseconds as bigint (they exceed 2^53).
 */

export interface ErasureInfo {
  /** EcM: data shards. */
  dataShards: number;
  /** EcN: parity shards. */
  parityShards: number;
  /** EcBSize: erasure block size in bytes (1 MiB now, 10 MiB in old objects). */
  blockSizeBytes: number;
  /** EcIndex: 1-based shard index held by the drive this xl.meta was read from. */
  index: number;
  /** EcDist: distribution[d] = 1-based shard index on drive position d of the set. */
  distribution: number[];
}

export interface ObjectPart {
  number: number;
  /** Per-part ETag; "" when not stored (PutObject and completed multipart store none). */
  etag: string;
  /** Stored size (PartSizes). */
  sizeBytes: number;
  /** Original size (PartASizes); equals sizeBytes without compression/encryption. */
  actualSizeBytes: number;
}

export interface ObjectVersion {
  kind: "object";
  versionId: string;
  dataDir: string;
  erasure: ErasureInfo;
  parts: ObjectPart[];
  /** Size: stored object size, the sum of the parts' sizes. */
  sizeBytes: number;
  modTimeNs: bigint;
  /** MetaSys: internal metadata (`x-minio-internal-*`), raw bytes. */
  metaSys: Map<string, Uint8Array>;
  /** MetaUsr: etag, content-type, x-amz-meta-*, ... */
  metaUser: Map<string, string>;
  /** PartIdx: compression indexes, kept only to round-trip MinIO files. */
  partIndices?: Uint8Array[];
  /**
   * `"v"` of the version body: the MinIO release (Unix seconds) that wrote it; absent in old
   * files. Kept so decode → encode is byte-exact; new versions leave it unset and the encoder
   * writes `writtenByVersionDefault` (xl_meta.ts).
   */
  writtenByVersion?: bigint;
}

export interface DeleteMarkerVersion {
  kind: "deleteMarker";
  versionId: string;
  modTimeNs: bigint;
  metaSys: Map<string, Uint8Array>;
  /**
   * `"v"` of the version body: the MinIO release (Unix seconds) that wrote it; absent in old
   * files. Kept so decode → encode is byte-exact; new versions leave it unset and the encoder
   * writes `writtenByVersionDefault` (xl_meta.ts).
   */
  writtenByVersion?: bigint;
}

/** A pre-2020 `V1Obj` version; read so that its header and listing work, never written new. */
export interface LegacyVersion {
  kind: "legacy";
  versionId: string;
  modTimeNs: bigint;
  /**
   * The V1Obj map kept verbatim for re-encoding: the codec stores its msgp encoding as a
   * `Uint8Array` (spec §4.10.2).
   */
  raw: unknown;
  /**
   * `"v"` of the version body: the MinIO release (Unix seconds) that wrote it; absent in old
   * files. Kept so decode → encode is byte-exact; new versions leave it unset and the encoder
   * writes `writtenByVersionDefault` (xl_meta.ts).
   */
  writtenByVersion?: bigint;
}

export type Version = ObjectVersion | DeleteMarkerVersion | LegacyVersion;

export interface XlMeta {
  /** Newest first, in the header sort order (§4.4.3). */
  versions: Version[];
  /** Inline shard data keyed by version id text ("null" for the null version), §4.8. */
  inlineData: Map<string, Uint8Array>;
}
