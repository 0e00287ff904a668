/**
 * Buckets: one directory per bucket on every drive of every pool (spec §1.4), and the bucket's
 * configuration in the erasure-coded system object `.minio.sys/buckets/<bucket>/.metadata.bin`
 * (MinIO's BucketMetadata, so that buckets created by MinIO keep their versioning and lock
 * settings here and the other way round).
 *
 * Configuration is cached in memory per bucket and replaced on every write (single node).
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import {
  type BucketMetadata,
  decodeBucketMetadata,
  encodeBucketMetadata,
  newBucketMetadata,
} from "../metadata/bucket_metadata.ts";
import type { NamespaceLocks } from "./namespace_lock.ts";
import {
  type BucketConfig,
  type BucketInfo,
  ObjectError,
  type VersioningState,
} from "./object_layer.ts";
import { isDriveError, onAllDrives, type Outcome } from "./quorum.ts";
import { bucketLoadsInFlightMax } from "../limits.ts";

/** The system volume every drive carries; never a bucket. */
export const systemVolume = ".minio.sys";

/** MinIO reserves this name for its own use (`minioReservedBucket`). */
const reservedBucketNames = new Set([systemVolume, "minio"]);

/** AWS general-purpose bucket naming rules that only apply to new buckets. */
const reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
const reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/**
 * Check a bucket name against the S3 rules: 3–63 characters of lowercase letters, digits, `.`
 * and `-`, starting and ending with a letter or digit, no `..`, not an IPv4 address. New buckets
 * (`creating`) must also avoid the reserved prefixes, suffixes and names; existing ones made by
 * other servers are still reachable. Throws InvalidBucketName.
 */
export function validateBucketName(bucket: string, options: { creating: boolean }): void {
  const problem = bucketNameProblem(bucket, options.creating);
  if (problem !== undefined) {
    throw new ObjectError("InvalidBucketName", `Cannot use bucket name "${bucket}": ${problem}`);
  }
}

function bucketNameProblem(bucket: string, creating: boolean): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return "it must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(bucket)) {
    return "only lowercase letters, digits, '.' and '-' are allowed";
  }
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) {
    return "it must start and end with a letter or digit";
  }
  if (bucket.includes("..")) return "it must not contain '..'";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return "it must not be an IP address";
  if (reservedBucketNames.has(bucket)) return "the name is reserved";
  if (!creating) return undefined;
  if (reservedPrefixes.some((prefix) => bucket.startsWith(prefix))) return "the prefix is reserved";
  if (reservedSuffixes.some((suffix) => bucket.endsWith(suffix))) return "the suffix is reserved";
  return undefined;
}

/** Small internal objects of one set (the ErasureSet provides these). */
export interface SystemObjects {
  writeSystemObject(path: string, bytes: Uint8Array): Promise<void>;
  readSystemObject(path: string): Promise<Uint8Array>;
  deleteSystemObject(path: string): Promise<void>;
}

/** Path of a bucket's metadata object inside `.minio.sys` (also its placement key). */
export function bucketMetadataPath(bucket: string): string {
  return `buckets/${bucket}/.metadata.bin`;
}

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

/** The versioning document MinIO stores for a status (spec §1.4). */
export function versioningXml(status: "Enabled" | "Suspended"): string {
  return `<VersioningConfiguration xmlns="${s3Namespace}"><Status>${status}</Status></VersioningConfiguration>`;
}

/** The object-lock document MinIO stores when a bucket is created with object lock. */
export const objectLockEnabledXml =
  `<ObjectLockConfiguration xmlns="${s3Namespace}"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`;

/** Versioning state from a stored VersioningConfiguration document (absent → Unversioned). */
export function versioningFromXml(xml: string | undefined): VersioningState {
  const status = xml === undefined ? undefined : /<Status>\s*(\w+)\s*<\/Status>/.exec(xml)?.[1];
  if (status === "Enabled") return "Enabled";
  if (status === "Suspended") return "Suspended";
  return "Unversioned";
}

function objectLockFromXml(xml: string): boolean {
  return /<ObjectLockEnabled>\s*Enabled\s*<\/ObjectLockEnabled>/.test(xml);
}

/** Stored documents behind each optional BucketConfig field ("" in BucketMetadata = none). */
const documentFields = [
  ["policyJson", "policyConfigJson", "policyConfigUpdatedAt"],
  ["taggingXml", "taggingConfigXml", "taggingConfigUpdatedAt"],
  ["lifecycleXml", "lifecycleConfigXml", "lifecycleConfigUpdatedAt"],
  ["objectLockXml", "objectLockConfigXml", "objectLockConfigUpdatedAt"],
  ["encryptionXml", "encryptionConfigXml", "encryptionConfigUpdatedAt"],
  ["notificationXml", "notificationConfigXml", "notificationConfigUpdatedAt"],
] as const;

/**
 * What aistor keeps per bucket: MinIO's BucketMetadata, plus the CORS document, which MinIO's
 * format has no field for (kept in its own system object beside `.metadata.bin`).
 */
export interface StoredBucket {
  metadata: BucketMetadata;
  corsXml?: string;
}

/** The API view of a stored bucket's configuration. */
export function configFromStored(stored: StoredBucket): BucketConfig {
  const { metadata } = stored;
  const config: BucketConfig = {
    versioning: versioningFromXml(metadata.versioningConfigXml || undefined),
    objectLockEnabled: metadata.lockEnabled || objectLockFromXml(metadata.objectLockConfigXml),
  };
  for (const [apiField, storedField] of documentFields) {
    if (metadata[storedField] !== "") config[apiField] = metadata[storedField];
  }
  if (stored.corsXml !== undefined) config.corsXml = stored.corsXml;
  return config;
}

/** Apply an API patch (a field present with undefined = remove it), stamping update times. */
export function patchStored(
  stored: StoredBucket,
  patch: Partial<BucketConfig>,
  now: Date,
): StoredBucket {
  const metadata: BucketMetadata = { ...stored.metadata };
  if ("versioning" in patch) {
    const state = patch.versioning ?? "Unversioned";
    metadata.versioningConfigXml = state === "Unversioned" ? "" : versioningXml(state);
    metadata.versioningConfigUpdatedAt = now;
  }
  for (const [apiField, storedField, stampField] of documentFields) {
    if (!(apiField in patch)) continue;
    metadata[storedField] = patch[apiField] ?? "";
    metadata[stampField] = now;
  }
  if (patch.objectLockEnabled === true && !objectLockFromXml(metadata.objectLockConfigXml)) {
    metadata.objectLockConfigXml = objectLockEnabledXml;
    metadata.objectLockConfigUpdatedAt = now;
  }
  const corsXml = "corsXml" in patch ? patch.corsXml : stored.corsXml;
  return corsXml === undefined ? { metadata } : { metadata, corsXml };
}

export interface BucketsOptions {
  /** Every drive of every pool, grouped by set (quorum is counted per set). */
  sets: readonly { drives: readonly StorageDrive[] }[];
  /**
   * The sets that may store a system object, one per pool, by its path: aistor writes to the
   * first; reads try each in turn (MinIO may have written a bucket's metadata to any pool).
   */
  systemObjectsFor: (path: string) => SystemObjects[];
  /** True when no version, delete marker or object remains in the bucket. */
  isEmpty: (bucket: string) => Promise<boolean>;
  /** Remove the bucket's multipart uploads (in `.minio.sys/multipart`) after the bucket. */
  deleteUploads?: (bucket: string) => Promise<void>;
  locks: NamespaceLocks;
  clock: { nowNs(): bigint };
}

interface CachedBucket extends StoredBucket {
  /** Whether `.metadata.bin` exists (false: defaults, nothing stored yet). */
  stored: boolean;
}

function nowDate(clock: { nowNs(): bigint }): Date {
  return new Date(Number(clock.nowNs() / 1_000_000n));
}

/** Path of a bucket's CORS document inside `.minio.sys` (aistor's own; MinIO has no CORS). */
export function bucketCorsPath(bucket: string): string {
  return `buckets/${bucket}/cors.xml`;
}

/** Bucket directories, their metadata object and the configuration cache. */
export class Buckets {
  readonly #options: BucketsOptions;
  readonly #cache = new Map<string, CachedBucket>();

  constructor(options: BucketsOptions) {
    this.#options = options;
  }

  /**
   * Create the bucket directory on every drive, then its metadata object.
   * A crash between the two leaves a bucket with default (unversioned) settings.
   */
  async makeBucket(
    bucket: string,
    options: { versioning: boolean; objectLock: boolean },
  ): Promise<void> {
    validateBucketName(bucket, { creating: true });
    const unlock = await this.#lock(bucket);
    try {
      await this.#makeVolumes(bucket);
      const now = nowDate(this.#options.clock);
      const stored = patchStored({ metadata: newBucketMetadata(bucket, now) }, {
        ...(options.versioning || options.objectLock ? { versioning: "Enabled" as const } : {}),
        ...(options.objectLock ? { objectLockEnabled: true } : {}),
      }, now);
      try {
        await this.#write(bucket, stored, { corsChanged: false });
      } catch (error) {
        // Step 2 failed: remove the directories again so that the create can be retried.
        await this.#deleteVolumes(bucket).catch(() => {});
        throw error;
      }
    } finally {
      unlock();
    }
  }

  #lock(bucket: string) {
    return this.#options.locks.lock(`${systemVolume}/${bucket}.lck`, "write");
  }

  /** Step 1 of makeBucket: the directory on every drive, a strict majority in every set. */
  async #makeVolumes(bucket: string): Promise<void> {
    const perSet = await Promise.all(
      this.#options.sets.map((set) => onAllDrives(set.drives, (drive) => drive.makeVolume(bucket))),
    );
    const all = perSet.flat();
    const existing = all.filter((o) => !o.ok && isDriveError(o.error, "VolumeExists")).length;
    if (existing >= bucketQuorum(all.length)) {
      throw new ObjectError("BucketExists", `Cannot create bucket "${bucket}": it exists`);
    }
    const short = perSet.findIndex((outcomes, i) =>
      countMade(outcomes) < bucketQuorum(this.#options.sets[i].drives.length)
    );
    if (short < 0) return;
    // Undo what was made so that a failed create leaves nothing behind.
    await Promise.all(
      this.#options.sets.map((set, i) =>
        onAllDrives(
          set.drives,
          (drive, d) =>
            perSet[i][d].ok ? drive.deleteVolume(bucket, { force: false }) : Promise.resolve(),
        )
      ),
    );
    throw new ObjectError(
      "WriteQuorum",
      `Cannot create bucket "${bucket}": too few drives of set ${short + 1} accepted it (${
        firstReason(perSet[short])
      })`,
    );
  }

  /** The bucket's creation time; NoSuchBucket unless a majority of drives has its directory. */
  async getBucketInfo(bucket: string): Promise<BucketInfo> {
    validateBucketName(bucket, { creating: false });
    const cached = await this.#load(bucket);
    return { name: bucket, created: cached.metadata.created };
  }

  async #statVolume(bucket: string): Promise<Date> {
    const drives = this.#allDrives();
    const outcomes = await onAllDrives(drives, (drive) => drive.statVolume(bucket));
    const found = outcomes.flatMap((o) => (o.ok ? [o.value.created] : []));
    if (found.length >= bucketReadQuorum(drives.length)) {
      return new Date(Math.min(...found.map((date) => date.getTime())));
    }
    const answered = outcomes.filter((o) => o.ok || isDriveError(o.error, "VolumeNotFound")).length;
    if (answered < bucketReadQuorum(drives.length)) {
      throw new ObjectError(
        "ReadQuorum",
        `Cannot find bucket "${bucket}": only ${answered} of ${drives.length} drives answered`,
      );
    }
    throw new ObjectError("NoSuchBucket", `Cannot find bucket "${bucket}"`);
  }

  /** Buckets whose directory is on half of the drives or more (not `.minio.sys`). */
  async listBuckets(): Promise<BucketInfo[]> {
    const drives = this.#allDrives();
    const outcomes = await onAllDrives(drives, (drive) => drive.listVolumes());
    const answered = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
    if (answered.length < bucketReadQuorum(drives.length)) {
      throw new ObjectError(
        "ReadQuorum",
        `Cannot list buckets: only ${answered.length} of ${drives.length} drives answered`,
      );
    }
    const seen = new Map<string, { count: number; created: Date }>();
    for (const volumes of answered) {
      for (const volume of volumes) {
        const entry = seen.get(volume.name) ?? { count: 0, created: volume.created };
        entry.count++;
        if (volume.created < entry.created) entry.created = volume.created;
        seen.set(volume.name, entry);
      }
    }
    const names = [...seen.keys()]
      .filter((name) => seen.get(name)!.count >= bucketReadQuorum(drives.length))
      .filter((name) => bucketNameProblem(name, false) === undefined)
      .sort();
    // Creation times come from each bucket's metadata (as getBucketInfo reports them), loaded
    // a few at a time and cached; the directory's time stands in when it cannot be read.
    const buckets: BucketInfo[] = [];
    for (let at = 0; at < names.length; at += bucketLoadsInFlightMax) {
      const batch = names.slice(at, at + bucketLoadsInFlightMax);
      const loaded = await Promise.all(
        batch.map((name) => this.#load(name).catch(() => undefined)),
      );
      batch.forEach((name, i) =>
        buckets.push({ name, created: loaded[i]?.metadata.created ?? seen.get(name)!.created })
      );
    }
    return buckets;
  }

  /**
   * Remove the bucket, refused while it holds any version unless `force`. Step 1 removes the
   * directories (a crash after it leaves only the metadata, which a new create overwrites);
   * step 2 removes the metadata.
   */
  async deleteBucket(bucket: string, options: { force: boolean }): Promise<void> {
    validateBucketName(bucket, { creating: false });
    const unlock = await this.#lock(bucket);
    try {
      await this.#statVolume(bucket);
      if (!options.force && !(await this.#options.isEmpty(bucket))) {
        throw new ObjectError(
          "BucketNotEmpty",
          `Cannot delete bucket "${bucket}": it is not empty`,
        );
      }
      // Nothing that a quorum agrees on is left: remnants below quorum go with the directories.
      await this.#deleteVolumes(bucket);
      this.#cache.delete(bucket);
      // Its multipart uploads go too (they live in .minio.sys, not in the bucket's directory).
      await this.#options.deleteUploads?.(bucket);
      for (const path of [bucketMetadataPath(bucket), bucketCorsPath(bucket)]) {
        for (const target of this.#options.systemObjectsFor(path)) {
          await target.deleteSystemObject(path).catch(ignoreNoSuchKey);
        }
      }
    } finally {
      this.#cache.delete(bucket);
      unlock();
    }
  }

  async #deleteVolumes(bucket: string): Promise<void> {
    const perSet = await Promise.all(
      this.#options.sets.map((set) =>
        onAllDrives(set.drives, async (drive) => {
          try {
            await drive.deleteVolume(bucket, { force: true });
          } catch (error) {
            if (!isDriveError(error, "VolumeNotFound")) throw error;
          }
        })
      ),
    );
    const short = perSet.findIndex((outcomes, i) =>
      outcomes.filter((o) => o.ok).length < bucketQuorum(this.#options.sets[i].drives.length)
    );
    if (short >= 0) {
      throw new ObjectError(
        "WriteQuorum",
        `Cannot delete bucket "${bucket}": too few drives of set ${short + 1} removed it (${
          firstReason(perSet[short])
        })`,
      );
    }
  }

  /** The bucket's configuration: from the cache, else from `.metadata.bin`, else defaults. */
  async getBucketConfig(bucket: string): Promise<BucketConfig> {
    validateBucketName(bucket, { creating: false });
    return configFromStored(await this.#load(bucket));
  }

  /** Versioning state only (every object write asks for it). */
  async versioningOf(bucket: string): Promise<VersioningState> {
    return (await this.getBucketConfig(bucket)).versioning;
  }

  /** Replace the patched documents and rewrite `.metadata.bin`; the cache follows the write. */
  async updateBucketConfig(bucket: string, patch: Partial<BucketConfig>): Promise<void> {
    validateBucketName(bucket, { creating: false });
    const unlock = await this.#lock(bucket);
    try {
      this.#cache.delete(bucket);
      const current = await this.#load(bucket);
      const next = patchStored(current, patch, nowDate(this.#options.clock));
      await this.#write(bucket, next, { corsChanged: "corsXml" in patch });
    } finally {
      unlock();
    }
  }

  /** Forget what is cached (another node changed it, or a test reads what is on disk). */
  invalidate(bucket: string): void {
    this.#cache.delete(bucket);
  }

  async #load(bucket: string): Promise<CachedBucket> {
    const cached = this.#cache.get(bucket);
    if (cached !== undefined) return cached;
    const created = await this.#statVolume(bucket);
    const loaded = await this.#read(bucket, created);
    this.#cache.set(bucket, loaded);
    return loaded;
  }

  async #read(bucket: string, created: Date): Promise<CachedBucket> {
    const corsXml = await this.#readText(bucketCorsPath(bucket));
    const cors = corsXml === undefined ? {} : { corsXml };
    const bytes = await this.#readSystemObject(bucketMetadataPath(bucket));
    if (bytes === undefined) {
      return { metadata: newBucketMetadata(bucket, created), stored: false, ...cors };
    }
    return { metadata: decodeBucketMetadata(bytes), stored: true, ...cors };
  }

  async #readText(path: string): Promise<string | undefined> {
    const bytes = await this.#readSystemObject(path);
    return bytes === undefined ? undefined : textDecoder.decode(bytes);
  }

  /** The object from the first pool that has it; undefined when none has. */
  async #readSystemObject(path: string): Promise<Uint8Array | undefined> {
    for (const source of this.#options.systemObjectsFor(path)) {
      try {
        return await source.readSystemObject(path);
      } catch (error) {
        if (!(error instanceof ObjectError && error.code === "NoSuchKey")) throw error;
      }
    }
    return undefined;
  }

  async #write(
    bucket: string,
    stored: StoredBucket,
    options: { corsChanged: boolean },
  ): Promise<void> {
    this.#cache.delete(bucket);
    const path = bucketMetadataPath(bucket);
    await this.#systemObjects(path).writeSystemObject(path, encodeBucketMetadata(stored.metadata));
    if (options.corsChanged) {
      const corsPath = bucketCorsPath(bucket);
      const target = this.#systemObjects(corsPath);
      if (stored.corsXml === undefined) {
        await target.deleteSystemObject(corsPath).catch(ignoreNoSuchKey);
      } else await target.writeSystemObject(corsPath, textEncoder.encode(stored.corsXml));
    }
    this.#cache.set(bucket, { ...stored, stored: true });
  }

  /** Where aistor writes system objects: the set of the first pool. */
  #systemObjects(path: string): SystemObjects {
    return this.#options.systemObjectsFor(path)[0];
  }

  #allDrives(): StorageDrive[] {
    return this.#options.sets.flatMap((set) => [...set.drives]);
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function ignoreNoSuchKey(error: unknown): void {
  if (!(error instanceof ObjectError && error.code === "NoSuchKey")) throw error;
}

/** Drives that must accept a bucket change: a strict majority (MinIO's bucket write quorum). */
function bucketQuorum(driveCount: number): number {
  return Math.floor(driveCount / 2) + 1;
}

/** Drives that must hold a bucket for it to exist: half (MinIO's bucket read quorum). */
function bucketReadQuorum(driveCount: number): number {
  return Math.max(1, Math.floor(driveCount / 2));
}

function countMade(outcomes: readonly Outcome<void>[]): number {
  return outcomes.filter((o) => o.ok || isDriveError(o.error, "VolumeExists")).length;
}

function firstReason(outcomes: readonly Outcome<unknown>[]): string {
  const failure = outcomes.find((o) => !o.ok);
  if (failure === undefined || failure.ok) return "no error";
  return failure.error instanceof Error ? failure.error.message : String(failure.error);
}
