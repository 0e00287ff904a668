/**
 * The drive interface: one drive of an erasure set, seen by the object layer.
 *
 * It is semantic (each call is one operation the object layer needs, so that a remote drive
 * on another node answers it in one round trip) and byte-level (the drive stores and returns
 * `xl.meta` and shard-file bytes; encoding them is the object layer's job through
 * `metadata/` and `kernels/`).
 *
 * Paths: `volume` is a bucket name or `.minio.sys`; `path` is relative inside the volume,
 * `/`-separated, already validated (no `..`, no empty segments) by the caller.
 *
 * Implementations: `local_drive.ts` (a directory), `testing/memory_drive.ts`,
 * `testing/faulty_drive.ts` (wraps another drive and injects seeded faults). One contract
 * suite (`testing/drive_contract.ts`) runs against all of them.
 */

export type DriveErrorCode =
  | "FileNotFound" // the file or object path does not exist
  | "VolumeNotFound" // the bucket (top-level directory) does not exist
  | "VolumeExists" // makeVolume on an existing volume
  | "VolumeNotEmpty" // deleteVolume without force on a volume holding objects
  | "FileCorrupt" // bytes are there but wrong (short file, failed verification)
  | "DriveFull" // ENOSPC / EDQUOT
  | "DriveOffline" // the drive does not answer (missing mount, injected fault, I/O error)
  | "AccessDenied" // EACCES / EPERM / EROFS
  | "IsDirectory" // a file operation met a directory, or the other way round
  | "PathTooLong" // a segment over 255 bytes or a path over the OS limit
  | "ParentIsObject" // renameData of `a/x` where `a` holds xl.meta (an object)
  | "ObjectExistsAsDirectory"; // renameData of `a` where `a/` holds other objects or files

/** A failure of one drive operation, in the drive's words; the object layer counts these per quorum. */
export class DriveError extends Error {
  constructor(
    readonly code: DriveErrorCode,
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint}: ${message}`, options);
    this.name = "DriveError";
  }
}

export interface DriveInfo {
  endpoint: string;
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
  /** This drive's UUID from format.json, "" when unformatted. */
  id: string;
}

export interface VolumeInfo {
  name: string;
  created: Date;
}

/** One entry of a directory walk, in lexical order of `name`. */
export type WalkEntry =
  /** A directory that holds `xl.meta`: an object. `name` is the object path (no trailing `/`). */
  | { kind: "object"; name: string; xlMeta: Uint8Array }
  /** A directory without `xl.meta` on this drive: a common prefix. `name` ends with `/`. */
  | { kind: "prefix"; name: string };

export interface WalkOptions {
  /** Only entries whose path starts with this (a key prefix, not necessarily a whole directory). */
  prefix: string;
  /** List entries whose name sorts strictly after this. */
  after?: string;
  /** true: descend into prefixes and yield only objects; false: yield one level (objects and prefixes). */
  recursive: boolean;
}

export interface RenameDataOptions {
  /**
   * The staged data directory to move into place as `<dstPath>/<dataDir>`: a directory
   * `<volume>/<path>` (e.g. `.minio.sys` + `tmp/<uniqueId>/<dataDir>` for PutObject, or
   * `.minio.sys` + `multipart/<sha>/<uploadUuid>/<dataDir>` for CompleteMultipartUpload).
   * Absent for inline data, delete markers and metadata-only versions.
   */
  stagedDataDir?: { volume: string; path: string; dataDir: string };
  /** The complete new `xl.meta` to commit at `<dstPath>/xl.meta`. */
  xlMeta: Uint8Array;
  /**
   * The previous `xl.meta` bytes, kept as `<dstPath>/<oldDataDir>/xl.meta.bkp` until the
   * object layer deletes the old data dir after write quorum (MinIO's overwrite protocol).
   */
  backup?: { oldDataDir: string; previousXlMeta: Uint8Array };
}

/** A shard file being written: bytes go straight to `.minio.sys/tmp/...`, durable on `close()`. */
export interface ShardFileWriter {
  write(bytes: Uint8Array): Promise<void>;
  /** fdatasync and close; after this resolves the bytes are durable in the tmp location. */
  close(): Promise<void>;
  /** Close and remove the partial file; never throws. */
  abort(): Promise<void>;
}

/**
 * A shard file opened once for the reads of one GET: positional reads of one file, closed by
 * its user on every path (end, error, cancel). It reads the file it opened even if the path is
 * renamed or removed meanwhile (a file handle, as in POSIX).
 */
export interface ShardFileReader {
  /** Read `length` bytes at `offset`; FileCorrupt if the file is shorter. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the file; later reads fail. Never throws; a second call does nothing. */
  close(): Promise<void>;
}

export interface StorageDrive {
  /** The drive as the user named it (a path, later a URL), for messages and metrics. */
  readonly endpoint: string;

  /** Capacity and identity; throws DriveOffline when the drive does not answer. */
  info(): Promise<DriveInfo>;

  // Volumes: buckets and `.minio.sys`.
  makeVolume(volume: string): Promise<void>;
  listVolumes(): Promise<VolumeInfo[]>;
  statVolume(volume: string): Promise<VolumeInfo>;
  /** Without force, fails with VolumeNotEmpty when the volume holds anything but empty dirs. */
  deleteVolume(volume: string, options: { force: boolean }): Promise<void>;

  /** Whole small file (format.json, part.N.meta, ...). */
  readAll(volume: string, path: string): Promise<Uint8Array>;
  /** Durable replace: tmp → write → fsync → rename → fsync(dir). Creates parents. */
  writeAll(volume: string, path: string, bytes: Uint8Array): Promise<void>;

  /** `<path>/xl.meta` bytes (whole file, inline data included). FileNotFound if absent. */
  readMetadata(volume: string, path: string): Promise<Uint8Array>;
  /** Durable replace of `<path>/xl.meta` (metadata-only updates, heal, multipart upload meta). */
  writeMetadata(volume: string, path: string, xlMeta: Uint8Array): Promise<void>;

  /**
   * Start a shard file at `<volume>/<path>` (parents created), opened exclusively; the object
   * layer only creates shard files under `.minio.sys/tmp/`. sizeBytes is -1 when unknown.
   */
  createShardFile(volume: string, path: string, sizeBytes: number): Promise<ShardFileWriter>;
  /** Read `length` bytes at `offset` of a file; FileCorrupt if the file is shorter. */
  readFile(volume: string, path: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Open a file for many `readFile`-like reads (one open per GET instead of one per frame);
   * FileNotFound / VolumeNotFound / DriveOffline as `readFile` reports them.
   */
  openShardReader(volume: string, path: string): Promise<ShardFileReader>;
  /** Size in bytes of a file; FileNotFound if absent. */
  statFile(volume: string, path: string): Promise<{ sizeBytes: number; modTime: Date }>;

  /**
   * The commit of a write: move the staged data dir (if any) into `<dstPath>/<dataDir>`,
   * write the backup (if any), then atomically replace `<dstPath>/xl.meta`. After it resolves
   * readers see the new version; a crash before the final rename leaves the old `xl.meta`.
   * In a bucket (not `.minio.sys`) a name is an object or a prefix, never both (MinIO's
   * rule): ParentIsObject when an ancestor of dstPath holds `xl.meta`, ObjectExistsAsDirectory
   * when dstPath holds anything but `xl.meta` and its versions' data dirs (see namespace.ts).
   */
  renameData(dstVolume: string, dstPath: string, options: RenameDataOptions): Promise<void>;

  /** Rename a file or directory (creating parents, replacing a file at the destination). */
  renamePath(srcVolume: string, srcPath: string, dstVolume: string, dstPath: string): Promise<void>;

  /**
   * Remove a file or (recursive) a directory by moving it to `.minio.sys/tmp/.trash`, then
   * prune empty parent directories up to the volume. Missing paths are not an error.
   */
  deletePath(volume: string, path: string, options: { recursive: boolean }): Promise<void>;

  /** Names in a directory (directories end with `/`), sorted; VolumeNotFound / FileNotFound. */
  listDir(volume: string, path: string): Promise<string[]>;

  /** Sorted walk of objects and prefixes under a volume; see WalkOptions. */
  walk(volume: string, options: WalkOptions): AsyncIterable<WalkEntry>;

  /** Remove leftovers of a previous run in `.minio.sys/tmp` (called at start). */
  cleanupTmp(): Promise<void>;
}
