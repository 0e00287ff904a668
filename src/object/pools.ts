/**
 * The ObjectLayer over every pool: it validates names, decides versioning from the bucket's
 * configuration, picks the pool and set of each key, and hands the operation to that erasure
 * set. Listings merge every set (list.ts); buckets span every drive (buckets.ts).
 *
 * Pools (spec §3.2): a key that exists stays in the pool that holds it (every pool is asked,
 * the newest latest version wins); a new key goes to the pool whose target set has the most
 * free space. With one pool nothing is asked.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import { keyMaxBytes, keySegmentMaxBytes, staleUploadMaxAgeMs } from "../limits.ts";
import type { Version } from "../metadata/types.ts";
import { Buckets, systemVolume, validateBucketName } from "./buckets.ts";
import type { ErasureSet, HealResult } from "./erasure_set.ts";
import {
  listObjects,
  listObjectVersions,
  type ListSet,
  pageUploads,
  readKeyVersions,
  scanSet,
} from "./list.ts";
import { LifecycleScanner } from "./lifecycle_scanner.ts";
import { type CleanupTimer, StaleUploadCleanup } from "./stale_upload_cleanup.ts";
import type { NamespaceLocks } from "./namespace_lock.ts";
import {
  applyDefaultRetention,
  deleteVersionProblem,
  lockStateFromMetadata,
  type Retention,
  retentionChangeProblem,
  withLegalHold,
  withRetention,
} from "./object_lock.ts";
import type {
  BucketConfig,
  BucketInfo,
  CompleteOptions,
  CompletePart,
  DeleteObjectOptions,
  DeleteObjectResult,
  GetObjectOptions,
  ListObjectsOptions,
  ListObjectsResult,
  ListPartsResult,
  ListUploadsResult,
  ListVersionsOptions,
  ListVersionsResult,
  ObjectInfo,
  ObjectLayer,
  ObjectReader,
  PartInfo,
  PutObjectOptions,
  VersioningState,
} from "./object_layer.ts";
import { ObjectError } from "./object_layer.ts";
import { storedVersionId } from "./object_info.ts";
import { dirObjectSuffix, encodeDirObject } from "./placement.ts";
import { onAllDrives } from "./quorum.ts";
import type { PoolSets } from "./sets.ts";

const textEncoder = new TextEncoder();

/**
 * Check an object key and return its stored form (`a/b/` → `a/b__XLDIR__`). Refused with
 * InvalidObjectName: empty, over 1024 bytes, NUL, a leading `/`, `//`, `.` or `..` segments,
 * a segment over 255 bytes, unpaired surrogates, or a segment ending in `__XLDIR__` (it would
 * collide with a directory object).
 */
export function validateObjectKey(key: string): string {
  const problem = objectKeyProblem(key);
  if (problem !== undefined) {
    throw new ObjectError(
      "InvalidObjectName",
      `Cannot use object key "${key.slice(0, 200)}": ${problem}`,
    );
  }
  return encodeDirObject(key);
}

function objectKeyProblem(key: string): string | undefined {
  if (key.length === 0) return "it is empty";
  if (!key.isWellFormed()) return "it is not valid Unicode";
  if (textEncoder.encode(key).length > keyMaxBytes) return `it is longer than ${keyMaxBytes} bytes`;
  if (key.includes("\0")) return "it contains a NUL character";
  if (key.startsWith("/")) return "it starts with '/'";
  if (key.includes("//")) return "it contains an empty segment ('//')";
  const segments = encodeDirObject(key).split("/");
  for (const segment of segments) {
    if (segment === "." || segment === "..") return `it contains a '${segment}' segment`;
    if (segment.endsWith(dirObjectSuffix) && segment !== segments.at(-1)) {
      return `a segment ends with the reserved '${dirObjectSuffix}'`;
    }
    if (textEncoder.encode(segment).length > keySegmentMaxBytes) {
      return `a segment is longer than ${keySegmentMaxBytes} bytes`;
    }
  }
  if (!key.endsWith("/") && key.endsWith(dirObjectSuffix)) {
    return `it ends with the reserved '${dirObjectSuffix}'`;
  }
  return undefined;
}

/** One drive in storageInfo(). */
export interface DriveStatus {
  endpoint: string;
  state: "online" | "offline" | "healing";
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
  /** The drive's UUID from format.json ("" when unknown). */
  id: string;
}

export interface StorageInfo {
  deploymentId: string;
  pools: {
    index: number;
    /** Each set's drives, and its parity drives for new objects of the standard class. */
    sets: { index: number; parityDrives: number; drives: DriveStatus[] }[];
  }[];
  totalBytes: number;
  freeBytes: number;
  onlineDrives: number;
  offlineDrives: number;
}

export interface HealFormatResult {
  /** Endpoints that were unformatted and received their format.json. */
  drivesFormatted: string[];
  bucketsHealed: number;
  objectsChecked: number;
  objectsHealed: number;
}

/** Operations for the admin API (not part of S3). */
export interface AdminObjectLayer {
  storageInfo(): Promise<StorageInfo>;
  /**
   * Verify and repair the bucket's directories and every object under `prefix`; `deep` also
   * reads every shard and checks its bitrot hashes (default: metadata and file sizes).
   */
  healBucket(
    bucket: string,
    prefix: string,
    onProgress: (result: HealResult) => void,
    options?: { deep?: boolean },
  ): Promise<{ objectsChecked: number; objectsHealed: number }>;
  /**
   * Give unformatted (wiped, replaced) drives their format, then buckets, then objects;
   * `onProgress` hears every object checked (system objects included).
   */
  healFormat(onProgress?: (result: HealResult) => void): Promise<HealFormatResult>;
}

export interface ServerPoolsOptions {
  pools: readonly PoolSets[];
  deploymentId: string;
  locks: NamespaceLocks;
  clock: { nowNs(): bigint };
  /** Re-format unformatted drives (format.ts across pools); returns the endpoints formatted. */
  formatDrives: () => Promise<string[]>;
  /** Drives formatted at start-up (they were empty): healing until the next healFormat ends. */
  drivesToHeal?: readonly string[];
}

/** The erasure-coded objects of `.minio.sys` that healFormat rebuilds (spec §1.1). */
const systemHealPrefixes = ["buckets/", "config/"];

/** Path of the marker a drive carries while it is being healed (spec §1.4). */
const healingTrackerPath = "buckets/.healing.bin";

export class ServerPools implements ObjectLayer, AdminObjectLayer {
  readonly #pools: readonly PoolSets[];
  readonly #options: ServerPoolsOptions;
  /** Endpoints formatted but not yet filled by a completed healFormat (state "healing"). */
  readonly #healing: Set<string>;
  /** The background lifecycle scanner, once started (stopped by close()). */
  #lifecycle: LifecycleScanner | undefined;
  /** The periodic stale-upload purge, once started (stopped by close()). */
  #staleUploads: StaleUploadCleanup | undefined;
  readonly buckets: Buckets;

  constructor(options: ServerPoolsOptions) {
    if (options.pools.length === 0) throw new RangeError("Cannot serve without pools");
    this.#pools = options.pools;
    this.#options = options;
    this.#healing = new Set(options.drivesToHeal ?? []);
    this.buckets = new Buckets({
      sets: options.pools.flatMap((pool) => pool.sets),
      systemObjectsFor: (path) => options.pools.map((pool) => pool.setForKey(path)),
      isEmpty: (bucket) => this.#isEmpty(bucket),
      deleteUploads: async (bucket) => {
        await Promise.all(this.#allSets().map((set) => set.deleteBucketUploads(bucket)));
      },
      locks: options.locks,
      clock: options.clock,
    });
  }

  #allSets(): ErasureSet[] {
    return this.#pools.flatMap((pool) => [...pool.sets]);
  }

  /** The pools and their sets (for admin views and tests). */
  get pools(): readonly PoolSets[] {
    return this.#pools;
  }

  get deploymentId(): string {
    return this.#options.deploymentId;
  }

  // Buckets.

  makeBucket(bucket: string, options: { versioning: boolean; objectLock: boolean }): Promise<void> {
    return this.buckets.makeBucket(bucket, options);
  }

  getBucketInfo(bucket: string): Promise<BucketInfo> {
    return this.buckets.getBucketInfo(bucket);
  }

  listBuckets(): Promise<BucketInfo[]> {
    return this.buckets.listBuckets();
  }

  deleteBucket(bucket: string, options: { force: boolean }): Promise<void> {
    return this.buckets.deleteBucket(bucket, options);
  }

  getBucketConfig(bucket: string): Promise<BucketConfig> {
    return this.buckets.getBucketConfig(bucket);
  }

  updateBucketConfig(bucket: string, patch: Partial<BucketConfig>): Promise<void> {
    return this.buckets.updateBucketConfig(bucket, patch);
  }

  async #isEmpty(bucket: string): Promise<boolean> {
    const page = await listObjectVersions(
      { sets: this.#listSets(), bucket, versioning: "Enabled" },
      { prefix: "", delimiter: "", keyMarker: "", versionIdMarker: "", maxKeys: 1 },
    );
    return page.versions.length === 0;
  }

  // Objects.

  async putObject(
    bucket: string,
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutObjectOptions,
  ): Promise<ObjectInfo> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key, body);
    const locked = await this.#lockedWrite(bucket, key, versioning, options).catch(
      async (error) => {
        await body.cancel().catch(() => {});
        throw error;
      },
    );
    const pool = await this.#poolForWrite(bucket, encodedKey);
    return pool.setForKey(encodedKey).putObject(bucket, key, body, { ...locked, versioning });
  }

  async getObject(bucket: string, key: string, options: GetObjectOptions): Promise<ObjectReader> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    const pool = await this.#poolForRead(bucket, encodedKey, options.versionId);
    return pool.setForKey(encodedKey).getObject(bucket, key, { ...options, versioning });
  }

  async getObjectInfo(bucket: string, key: string, options: GetObjectOptions): Promise<ObjectInfo> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    const pool = await this.#poolForRead(bucket, encodedKey, options.versionId);
    return pool.setForKey(encodedKey).getObjectInfo(bucket, key, { ...options, versioning });
  }

  async deleteObject(
    bucket: string,
    key: string,
    options: DeleteObjectOptions,
  ): Promise<DeleteObjectResult> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    const guard = await this.#deleteGuard(bucket, key, options.bypassGovernance ?? false);
    const pool = options.versionId === undefined
      ? await this.#poolForWrite(bucket, encodedKey)
      : await this.#poolForRead(bucket, encodedKey, options.versionId);
    return pool.setForKey(encodedKey).deleteObject(bucket, key, { ...options, versioning, guard });
  }

  // Object Lock (rules in object_lock.ts).

  /**
   * A new version's options in a lock-enabled bucket: the bucket's default retention filled in,
   * and refused (ObjectLocked) when it would replace a locked null version (a bucket that is not
   * versioning-enabled). Unchanged in buckets without Object Lock.
   */
  async #lockedWrite<T extends { metadata: Record<string, string> }>(
    bucket: string,
    key: string,
    versioning: VersioningState,
    options: T,
  ): Promise<T> {
    const config = await this.buckets.getBucketConfig(bucket);
    if (!config.objectLockEnabled) return options;
    if (versioning !== "Enabled") await this.#refuseIfLocked(bucket, key, "null", false);
    const metadata = applyDefaultRetention(options.metadata, {
      objectLockXml: config.objectLockXml,
      now: this.#now(),
    });
    return { ...options, metadata };
  }

  /**
   * In a lock-enabled bucket, the check the set runs under the key's write lock on the version a
   * delete would remove (adding a delete marker removes nothing and is always allowed).
   */
  async #deleteGuard(
    bucket: string,
    key: string,
    bypassGovernance: boolean,
  ): Promise<((version: Version) => void) | undefined> {
    if (!(await this.buckets.getBucketConfig(bucket)).objectLockEnabled) return undefined;
    return (version) => {
      if (version.kind !== "object") return;
      const problem = deleteVersionProblem(lockStateFromMetadata(version.metaUser), {
        now: this.#now(),
        bypassGovernance,
      });
      if (problem !== undefined) {
        throw new ObjectError(
          "ObjectLocked",
          `Cannot remove ${bucket}/${key} version ${version.versionId || "null"}: ${problem}`,
        );
      }
    };
  }

  /**
   * ObjectLocked when the version (API id, "null" for the null version) may not be removed.
   * Checked before the delete takes the key's lock: a retention extended in between is the
   * same race as a delete that came first.
   */
  async #refuseIfLocked(
    bucket: string,
    key: string,
    versionId: string,
    bypassGovernance: boolean,
  ): Promise<void> {
    if (!(await this.buckets.getBucketConfig(bucket)).objectLockEnabled) return;
    let info: ObjectInfo;
    try {
      info = await this.getObjectInfo(bucket, key, { versionId });
    } catch (error) {
      // Nothing stored (or a delete marker, which no lock protects): the delete decides.
      if (error instanceof ObjectError && notLockable.has(error.code)) return;
      throw error;
    }
    const problem = deleteVersionProblem(lockStateFromMetadata(info.metadata), {
      now: this.#now(),
      bypassGovernance,
    });
    if (problem !== undefined) {
      throw new ObjectError(
        "ObjectLocked",
        `Cannot remove ${bucket}/${key} version ${versionId}: ${problem}`,
      );
    }
  }

  async putObjectRetention(
    bucket: string,
    key: string,
    options: { versionId?: string; retention?: Retention; bypassGovernance: boolean },
  ): Promise<ObjectInfo> {
    const now = this.#now();
    return await this.#updateLock(bucket, key, options.versionId, (metaUser) => {
      const current = lockStateFromMetadata(metaUser).retention;
      const problem = retentionChangeProblem(current, options.retention, {
        now,
        bypassGovernance: options.bypassGovernance,
      });
      if (problem !== undefined) {
        throw new ObjectError("ObjectLocked", `Cannot change ${bucket}/${key}: ${problem}`);
      }
      return withRetention(metaUser, options.retention);
    });
  }

  async putObjectLegalHold(
    bucket: string,
    key: string,
    options: { versionId?: string; legalHold: boolean },
  ): Promise<ObjectInfo> {
    return await this.#updateLock(
      bucket,
      key,
      options.versionId,
      (metaUser) => withLegalHold(metaUser, options.legalHold),
    );
  }

  /** A lock change of one version, decided under the key's write lock on what is stored. */
  async #updateLock(
    bucket: string,
    key: string,
    versionId: string | undefined,
    patchMetaUser: (metaUser: ReadonlyMap<string, string>) => Map<string, string>,
  ): Promise<ObjectInfo> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    if (!(await this.buckets.getBucketConfig(bucket)).objectLockEnabled) {
      throw new ObjectError(
        "ObjectLockDisabled",
        `Cannot lock ${bucket}/${key}: the bucket has no Object Lock`,
      );
    }
    const pool = await this.#poolForRead(bucket, encodedKey, versionId);
    return pool.setForKey(encodedKey).updateObjectMetadata(bucket, key, {
      ...(versionId === undefined ? {} : { versionId }),
      versioning,
      patchMetaUser,
    });
  }

  #now(): Date {
    return new Date(Number(this.#options.clock.nowNs() / 1_000_000n));
  }

  async updateObjectMetadata(
    bucket: string,
    key: string,
    options: {
      versionId?: string;
      metadata?: Record<string, string>;
      tags?: Record<string, string>;
    },
  ): Promise<ObjectInfo> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    const pool = await this.#poolForRead(bucket, encodedKey, options.versionId);
    return pool.setForKey(encodedKey).updateObjectMetadata(bucket, key, { ...options, versioning });
  }

  /** Validate names and read the bucket's versioning (NoSuchBucket when it does not exist). */
  async #prepare(
    bucket: string,
    key: string,
    body?: ReadableStream<Uint8Array>,
  ): Promise<{ versioning: VersioningState; encodedKey: string }> {
    try {
      validateBucketName(bucket, { creating: false });
      const encodedKey = validateObjectKey(key);
      const versioning = await this.buckets.versioningOf(bucket);
      return { versioning, encodedKey };
    } catch (error) {
      await body?.cancel().catch(() => {});
      throw error;
    }
  }

  /** The pool that holds the key (newest latest version), else the pool with the most room. */
  async #poolForWrite(bucket: string, encodedKey: string): Promise<PoolSets> {
    if (this.#pools.length === 1) return this.#pools[0];
    const holder = await this.#findPool(bucket, encodedKey, undefined);
    if (holder !== undefined) return holder;
    const freeBytes = await Promise.all(
      this.#pools.map((pool) => pool.freeBytesForKey(encodedKey)),
    );
    return this.#pools[indexOfMax(freeBytes)];
  }

  /** The pool that holds the key (or the version), else the first pool (it reports not found). */
  async #poolForRead(
    bucket: string,
    encodedKey: string,
    versionId: string | undefined,
  ): Promise<PoolSets> {
    if (this.#pools.length === 1) return this.#pools[0];
    return (await this.#findPool(bucket, encodedKey, versionId)) ?? this.#pools[0];
  }

  async #findPool(
    bucket: string,
    encodedKey: string,
    versionId: string | undefined,
  ): Promise<PoolSets | undefined> {
    const found = await Promise.all(this.#pools.map((pool) =>
      readKeyVersions(
        { poolIndex: pool.poolIndex, drives: pool.setForKey(encodedKey).drives },
        bucket,
        encodedKey,
      )
    ));
    const index = pickPool(found, storedVersionId(versionId));
    return index === undefined ? undefined : this.#pools[index];
  }

  // Listings.

  async listObjects(bucket: string, options: ListObjectsOptions): Promise<ListObjectsResult> {
    validateBucketName(bucket, { creating: false });
    const versioning = await this.buckets.versioningOf(bucket);
    return listObjects({ sets: this.#listSets(), bucket, versioning }, options);
  }

  async listObjectVersions(
    bucket: string,
    options: ListVersionsOptions,
  ): Promise<ListVersionsResult> {
    validateBucketName(bucket, { creating: false });
    const versioning = await this.buckets.versioningOf(bucket);
    return listObjectVersions({ sets: this.#listSets(), bucket, versioning }, options);
  }

  #listSets(): ListSet[] {
    return this.#pools.flatMap((pool) => pool.listSets());
  }

  // Multipart uploads.

  async newMultipartUpload(
    bucket: string,
    key: string,
    options: Omit<
      PutObjectOptions,
      "sizeBytes" | "md5Hex" | "checksums" | "ifMatchEtag" | "ifNoneMatch"
    >,
  ): Promise<string> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    const locked = await this.#lockedWrite(bucket, key, versioning, options);
    const pool = await this.#poolForWrite(bucket, encodedKey);
    return pool.setForKey(encodedKey).newMultipartUpload(bucket, key, locked);
  }

  async putObjectPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array>,
    options: { sizeBytes: number; md5Hex?: string; checksums?: Record<string, string> },
  ): Promise<PartInfo> {
    const { encodedKey } = await this.#prepare(bucket, key, body);
    const set = await this.#uploadSet(bucket, key, encodedKey, uploadId).catch(async (error) => {
      await body.cancel().catch(() => {});
      throw error;
    });
    return set.putObjectPart(bucket, key, uploadId, partNumber, body, options);
  }

  async listObjectParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { partNumberMarker: number; maxParts: number },
  ): Promise<ListPartsResult> {
    const { encodedKey } = await this.#prepare(bucket, key);
    const set = await this.#uploadSet(bucket, key, encodedKey, uploadId);
    return set.listObjectParts(bucket, key, uploadId, options);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const { encodedKey } = await this.#prepare(bucket, key);
    const set = await this.#uploadSet(bucket, key, encodedKey, uploadId);
    return set.abortMultipartUpload(bucket, key, uploadId);
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePart[],
    options: CompleteOptions,
  ): Promise<ObjectInfo> {
    const { versioning, encodedKey } = await this.#prepare(bucket, key);
    if (versioning !== "Enabled") await this.#refuseIfLocked(bucket, key, "null", false);
    const set = await this.#uploadSet(bucket, key, encodedKey, uploadId);
    return set.completeMultipartUpload(bucket, key, uploadId, parts, { ...options, versioning });
  }

  /**
   * The set holding an upload: the key's set in the pool where the upload was started. With
   * several pools each is asked (listing one part) until one knows the upload.
   */
  async #uploadSet(
    bucket: string,
    key: string,
    encodedKey: string,
    uploadId: string,
  ): Promise<ErasureSet> {
    if (this.#pools.length === 1) return this.#pools[0].setForKey(encodedKey);
    let lastError: unknown;
    for (const pool of this.#pools) {
      const set = pool.setForKey(encodedKey);
      try {
        await set.listObjectParts(bucket, key, uploadId, { partNumberMarker: 0, maxParts: 1 });
        return set;
      } catch (error) {
        if (!(error instanceof ObjectError && error.code === "NoSuchUpload")) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  async listMultipartUploads(
    bucket: string,
    options: {
      prefix: string;
      delimiter: string;
      keyMarker: string;
      uploadIdMarker: string;
      maxUploads: number;
    },
  ): Promise<ListUploadsResult> {
    validateBucketName(bucket, { creating: false });
    await this.buckets.versioningOf(bucket);
    const sets = this.#pools.flatMap((pool) => pool.sets);
    const perSet = await Promise.all(
      sets.map((set) => set.listMultipartUploads(bucket, options.prefix)),
    );
    return pageUploads(perSet, options);
  }

  // Admin.

  async storageInfo(): Promise<StorageInfo> {
    const pools = await Promise.all(this.#pools.map(async (pool) => ({
      index: pool.poolIndex,
      sets: await Promise.all(pool.sets.map(async (set, index) => ({
        index,
        parityDrives: set.standardParity,
        drives: await Promise.all(set.drives.map((drive) => driveStatus(drive, this.#healing))),
      }))),
    })));
    const drives = pools.flatMap((pool) => pool.sets.flatMap((set) => set.drives));
    const online = drives.filter((drive) => drive.state !== "offline");
    return {
      deploymentId: this.#options.deploymentId,
      pools,
      totalBytes: sum(online.map((drive) => drive.totalBytes)),
      freeBytes: sum(online.map((drive) => drive.freeBytes)),
      onlineDrives: online.length,
      offlineDrives: drives.length - online.length,
    };
  }

  async healBucket(
    bucket: string,
    prefix: string,
    onProgress: (result: HealResult) => void,
    options: { deep?: boolean } = {},
  ): Promise<{ objectsChecked: number; objectsHealed: number }> {
    const deep = options.deep ?? false;
    if (bucket !== systemVolume) {
      validateBucketName(bucket, { creating: false });
      await this.buckets.getBucketInfo(bucket);
      await this.#healVolume(bucket);
    }
    let objectsChecked = 0;
    let objectsHealed = 0;
    for (const pool of this.#pools) {
      for (const set of pool.sets) {
        const listSet = { poolIndex: pool.poolIndex, drives: set.drives };
        for await (const entry of scanSet(listSet, { bucket, prefix, after: "", anyDrive: true })) {
          const result = await healOne(set, bucket, entry.key, deep);
          if (result === undefined) continue; // deleted while the walk went by
          objectsChecked++;
          if (result.state === "healed" || result.state === "dangling-removed") objectsHealed++;
          onProgress(result);
        }
      }
    }
    return { objectsChecked, objectsHealed };
  }

  /** The bucket directory on every drive that lacks it. */
  async #healVolume(bucket: string): Promise<void> {
    const drives = this.#pools.flatMap((pool) => pool.allDrives());
    await onAllDrives(drives, async (drive) => {
      try {
        await drive.statVolume(bucket);
      } catch {
        await drive.makeVolume(bucket);
      }
    });
  }

  /**
   * Format the drives that lost their format, then heal the bucket directories, the bucket
   * metadata and every object onto them. Drives formatted at start-up count as formatted here.
   */
  async healFormat(
    onProgress: (result: HealResult) => void = () => {},
  ): Promise<HealFormatResult> {
    for (const endpoint of await this.#options.formatDrives()) this.#healing.add(endpoint);
    const drivesFormatted = [...this.#healing];
    const result: HealFormatResult = {
      drivesFormatted,
      bucketsHealed: 0,
      objectsChecked: 0,
      objectsHealed: 0,
    };
    const buckets = await this.listBuckets();
    const count = (healed: { objectsChecked: number; objectsHealed: number }) => {
      result.objectsChecked += healed.objectsChecked;
      result.objectsHealed += healed.objectsHealed;
    };
    // System objects first (bucket metadata, server config), so that the buckets' settings are
    // whole before their objects.
    for (const prefix of systemHealPrefixes) {
      count(await this.healBucket(systemVolume, prefix, onProgress));
    }
    for (const bucket of buckets) {
      count(await this.healBucket(bucket.name, "", onProgress));
      result.bucketsHealed++;
    }
    for (const endpoint of drivesFormatted) this.#healing.delete(endpoint);
    return result;
  }

  /**
   * Start the lifecycle scanner (lifecycle_scanner.ts) over this layer with the layer's clock:
   * a run every `intervalMs` (0: never on its own). Returns it for `runOnce()` and reports.
   */
  startLifecycleScanner(
    options: { intervalMs: number; log?: (line: object) => void },
  ): LifecycleScanner {
    this.#lifecycle ??= new LifecycleScanner({
      layer: this,
      clock: this.#options.clock,
      intervalMs: options.intervalMs,
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    this.#lifecycle.start();
    return this.#lifecycle;
  }

  /**
   * Start purging multipart uploads older than `maxAgeMs` (default 24 h): once now, then every
   * `intervalMs` (0: only now). Returns it for `runOnce()`.
   */
  startStaleUploadCleanup(
    options: {
      intervalMs: number;
      maxAgeMs?: number;
      timer?: CleanupTimer;
      log?: (line: object) => void;
    },
  ): StaleUploadCleanup {
    this.#staleUploads ??= new StaleUploadCleanup({
      sets: this.#allSets(),
      intervalMs: options.intervalMs,
      maxAgeMs: options.maxAgeMs ?? staleUploadMaxAgeMs,
      ...(options.timer === undefined ? {} : { timer: options.timer }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    this.#staleUploads.start();
    return this.#staleUploads;
  }

  async close(): Promise<void> {
    await this.#staleUploads?.stop();
    await this.#lifecycle?.stop();
    await Promise.all(this.#pools.flatMap((pool) => pool.sets.map((set) => set.close())));
  }
}

/** Lookups that find no lockable version: nothing, or a delete marker. */
const notLockable = new Set(["NoSuchKey", "NoSuchVersion", "MethodNotAllowed"]);

/** Heal one object; undefined when it is gone, "unrecoverable" when the heal itself fails. */
async function healOne(
  set: ErasureSet,
  bucket: string,
  key: string,
  deep: boolean,
): Promise<HealResult | undefined> {
  try {
    // The set reports the stored path (`a__XLDIR__`); progress speaks in S3 keys.
    return { ...(await set.healObject(bucket, key, { deep })), key };
  } catch (error) {
    if (error instanceof ObjectError && error.code === "NoSuchKey") return undefined;
    if (!(error instanceof ObjectError)) throw error;
    return {
      bucket,
      key,
      versionsChecked: 0,
      shardsHealed: 0,
      drivesHealed: 0,
      state: "unrecoverable",
    };
  }
}

/** Index of the pool that holds the key: by version id when given, else the newest latest. */
export function pickPool(
  found: readonly Version[][],
  versionId: string | undefined,
): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < found.length; i++) {
    const versions = found[i];
    if (versions.length === 0) continue;
    if (versionId !== undefined) {
      if (versions.some((version) => version.versionId === versionId)) return i;
      continue;
    }
    if (best === undefined || versions[0].modTimeNs > found[best][0].modTimeNs) best = i;
  }
  return best;
}

function indexOfMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

async function driveStatus(
  drive: StorageDrive,
  healingEndpoints: ReadonlySet<string>,
): Promise<DriveStatus> {
  try {
    const info = await drive.info();
    const healing = healingEndpoints.has(drive.endpoint) ||
      await drive.statFile(systemVolume, healingTrackerPath).then(
        () => true,
        () => false,
      );
    return {
      endpoint: drive.endpoint,
      state: healing ? "healing" : "online",
      totalBytes: info.totalBytes,
      freeBytes: info.freeBytes,
      usedBytes: info.usedBytes,
      id: info.id,
    };
  } catch {
    return {
      endpoint: drive.endpoint,
      state: "offline",
      totalBytes: 0,
      freeBytes: 0,
      usedBytes: 0,
      id: "",
    };
  }
}
