/**
 * Every bound aistor enforces, with its unit and the reason for it.
 *
 * Each layer imports what it needs from here; nothing else defines a limit.
 */

/** Erasure block size for new objects (MinIO `blockSizeV2`): the unit of streaming and of RS encoding. */
export const blockSizeBytes = 1024 * 1024;

/** Largest per-drive shard stored inline in `xl.meta` (MinIO `inline_block` default, 128 KiB). */
export const inlineShardMaxBytes = 128 * 1024;

/** Inline threshold in versioning-enabled buckets is an eighth of the above (MinIO `ShouldInline`). */
export const inlineShardMaxBytesVersioned = inlineShardMaxBytes / 8;

/** Drives in one erasure set (MinIO `setSizes`: 2..16; 1 is the single-drive "xl-single" mode). */
export const setDriveCountMax = 16;

/** Data + parity shards the Reed-Solomon kernel accepts (GF(2^8) allows 256; MinIO sets stop at 16). */
export const shardCountMax = 256;

/** Bytes of one HighwayHash-256 bitrot frame header. */
export const bitrotHashBytes = 32;

/** S3: largest single PUT (5 GiB). */
export const putObjectMaxBytes = 5 * 1024 * 1024 * 1024;

/** S3: largest object assembled by multipart upload (5 TiB). */
export const objectMaxBytes = 5 * 1024 * 1024 * 1024 * 1024;

/** S3: smallest part other than the last in a multipart upload (5 MiB). */
export const partMinBytes = 5 * 1024 * 1024;

/** S3: part numbers run 1..10000. */
export const partNumberMax = 10_000;

/** S3: object keys are at most 1024 bytes of UTF-8. */
export const keyMaxBytes = 1024;

/** Each `/`-separated key segment becomes a directory name: 255 bytes on common filesystems. */
export const keySegmentMaxBytes = 255;

/** S3: at most 1000 keys per list page and per DeleteObjects request. */
export const listKeysMax = 1000;

/** S3: user metadata (x-amz-meta-*) is limited to 2 KiB in total. */
export const userMetadataMaxBytes = 2 * 1024;

/** S3: at most 10 tags on an object, 50 on a bucket. */
export const objectTagsMax = 10;
export const bucketTagsMax = 50;

/** XML request bodies (DeleteObjects, CompleteMultipartUpload, configs) are read into memory up to 2 MiB. */
export const xmlBodyMaxBytes = 2 * 1024 * 1024;

/** Bucket policy documents: 20 KiB (AWS limit). */
export const bucketPolicyMaxBytes = 20 * 1024;

/** SigV4: allowed difference between the request time and the server clock (15 minutes). */
export const clockSkewMaxMs = 15 * 60 * 1000;

/** SigV4 presigned URLs expire after at most 7 days. */
export const presignedExpiryMaxSeconds = 7 * 24 * 60 * 60;

/** aws-chunked: largest chunk accepted in one frame (bounds per-request memory). */
export const awsChunkMaxBytes = 16 * 1024 * 1024;

/** Namespace lock wait before giving up (MinIO's dynamic lock timeout starts near 30 s; a stuck holder must not hang clients forever). */
export const namespaceLockTimeoutMs = 30_000;

/** Erasure blocks in flight per PUT between the body reader and the drive writers (memory = this × block × (D+P)/D). */
export const putBlocksInFlightMax = 2;

/**
 * Sets without an `ErasureWorkspacePool` (tests, benches; the server's sets share one) encode
 * PUT bodies declared at least this large in two wasm workspaces of their own (no copies in
 * and out of wasm memory: ~13% less CPU per MiB); smaller ones in reused plain buffers, because
 * each workspace is a wasm memory the GC reclaims late (900 PUTs of 3 MiB grew RSS by 134 MiB
 * with workspaces). With a pool every multi-block body uses its workspaces and this is unused.
 * Kept at 64 MiB: lowered to one block + 1, 900 pool-less 3 MiB PUTs grew RSS by 111-118 MiB
 * vs 66-77 MiB at 64 MiB, at 73 vs 78-84 MiB/s (4 drives, /dev/shm). Bytes.
 */
export const putWorkspaceMinBytes = 64 * 1024 * 1024;

/** Objects waiting for a background heal per erasure set; more are dropped (the scanner finds them later). */
export const healQueueMax = 1_000;

/** Multipart uploads scanned per ListMultipartUploads call on one set (bounds memory and drive reads). */
export const multipartUploadsScanMax = 10_000;

/**
 * Deepest nesting of MessagePack arrays/maps the metadata reader skips through (xl.meta
 * nests at most 4 levels; the bound stops hostile input from exhausting the stack).
 */
export const msgpackNestingMax = 32;

/** aws-chunked: longest chunk header or trailer line (`size;chunk-signature=<64 hex>` is ~90 bytes). */
export const awsChunkLineMaxBytes = 4 * 1024;

/** aws-chunked: most trailer lines after the last chunk (S3 sends one checksum plus a signature). */
export const awsChunkTrailersMax = 16;

/** SigV4: query parameters parsed per request (S3 APIs use fewer than 20; bounds the sort). */
export const queryParamsMax = 1000;

/** Drives one pool argument may expand to: bounds the expansion loop and per-pool arrays (MinIO's largest documented pools are ~1,500 drives). */
export const poolDrivesMax = 16 * 1024;

/**
 * wasm kernels: linear memory one call may lay out (inputs + outputs + tables), 64 MiB. Wasm memory
 * never shrinks, so this bounds it; a legacy 10 MiB block on a 2+2 or 16+16 set needs 20 MiB.
 */
export const kernelCallMaxBytes = 64 * 1024 * 1024;

/** wasm kernels: bytes hashed per wasm call when streaming large inputs (one erasure block). */
export const kernelHashChunkBytes = 1024 * 1024;

/**
 * wasm kernels: idle erasure workspaces an `ErasureWorkspacePool` keeps for reuse, 16. Each holds
 * its wasm memory (~1.5 MiB for a 1 MiB block on 12+4) and an engine address-space reservation;
 * 16 covers eight concurrent multi-block PUTs with two blocks in flight.
 */
export const kernelWorkspacesIdleMax = 16;

/** wasm kernels: cached encoding/decoding matrices (≤ 64 KiB each, one per split and erasure pattern). */
export const kernelMatrixCacheEntriesMax = 256;

/** Label combinations one metric keeps (API names × status classes, drives): more are dropped and counted, so a bug cannot grow memory. */
export const metricSeriesMax = 2_000;

/** A drive call slower than this marks the drive offline (MinIO's drive health timeout is 2 minutes for I/O; a hung mount must not hang every request). */
export const driveCallTimeoutMs = 30_000;

/** How often an offline drive is probed to take it back (MinIO's monitor checks about every 5 s). */
export const driveProbeIntervalMs = 5_000;

/** A FileNotFound/VolumeNotFound from a drive triggers a probe of its root at most this often (a missing mount answers "not found" to everything). */
export const driveSuspicionProbeMinIntervalMs = 1_000;

/** Admin heal progress lines buffered for a slow client before the heal waits for it (bounds memory). */
export const healProgressLinesBufferedMax = 256;

/** Admin request bodies (heal options) read into memory. */
export const adminBodyMaxBytes = 64 * 1024;

/** Browser POST upload: one form field before the file (the policy document is at most 20 KiB, AWS). */
export const postFormFieldMaxBytes = 20 * 1024;

/** Browser POST upload: header block of one form part (Content-Disposition, Content-Type). */
export const postFormPartHeaderMaxBytes = 8 * 1024;

/** Browser POST upload: fields before the file (bounds memory and work per request). */
export const postFormFieldCountMax = 100;

/** Bucket policies: statements per policy (20 KiB of JSON holds far fewer; bounds evaluation). */
export const policyStatementsMax = 1000;

/** Multipart uploads older than this are purged by the stale-upload cleanup (MinIO `stale_uploads_expiry`, 24 h). */
export const staleUploadMaxAgeMs = 24 * 60 * 60 * 1000;

/** How often the stale-upload cleanup runs (ms; also once at start; MinIO `stale_uploads_cleanup_interval`, 6 h). */
export const staleUploadCleanupIntervalMs = 6 * 60 * 60 * 1000;

/**
 * Walk entries each drive reads ahead of a listing's merge (memory: this × one xl.meta per
 * drive); lets the drives of every set read in parallel instead of one key at a time.
 */
export const listWalkReadAheadEntries = 8;

/**
 * Directory walk: entries of one directory checked for `xl.meta` at once (stat calls in flight
 * per walk; bounds file descriptors and drive queue depth, not memory).
 */
export const walkStatConcurrency = 16;

/**
 * Directory walk: objects of one directory whose `xl.meta` is read ahead of the consumer
 * (memory: this × one xl.meta per walk level; a listing that stops early wastes at most this).
 */
export const walkXlMetaReadAhead = 16;

/** DeleteObjects: keys deleted at once (bounds in-flight drive operations of one request). */
export const deleteObjectsConcurrencyMax = 16;

/**
 * Keys a delimiter listing skips inside an already reported common prefix before it restarts
 * the walks past the prefix (a restart re-reads directories on every drive; skipping merges).
 */
export const listPrefixSkipEntriesMax = 16;

/** Bucket metadata objects read in parallel while listing buckets (bounds drive reads per request). */
export const bucketLoadsInFlightMax = 16;

/** Long S3 operations (CompleteMultipartUpload) send a space this often until done, as S3 does, so idle timeouts of clients and proxies do not cut them. */
export const keepaliveIntervalMs = 10_000;

/** Object Lock default retention: at most this many days (AWS and MinIO accept 36500, 100 years). */
export const objectLockRetentionDaysMax = 36_500;

/** Object Lock default retention: at most this many years (AWS and MinIO accept 100). */
export const objectLockRetentionYearsMax = 100;

/** Lifecycle scanner: how often it walks the buckets with a lifecycle configuration (ms; S3 runs expiry about daily, MinIO's scanner continuously; one hour here). `AISTOR_LIFECYCLE_INTERVAL_MS` overrides it in `serve`. */
export const lifecycleScanIntervalMs = 60 * 60 * 1000;

/** Lifecycle configuration: rules per bucket (AWS's limit, 1000). */
export const lifecycleRulesMax = 1000;

/** Lifecycle rule ID: at most this many characters (AWS's limit, 255). */
export const lifecycleRuleIdMaxChars = 255;

/** Lifecycle NewerNoncurrentVersions: at most this many (AWS's limit, 100). */
export const lifecycleNewerNoncurrentVersionsMax = 100;

/** Lifecycle scanner: versions listed per page while it walks a bucket (bounds its memory). */
export const lifecycleScanPageKeys = 1000;

/** Lifecycle scanner: versions of one key held at once; a key with more is evaluated in its newest this many (bounds memory for pathological keys). */
export const lifecycleVersionsPerKeyMax = 10_000;
