/**
 * A drive that is a directory on the local file system, laid out as MinIO lays out a drive
 * (spec/minio-format.md §1): `<root>/<bucket>/<key...>/xl.meta`, `<root>/.minio.sys/...`.
 *
 * Durable writes go through `atomic_write.ts`; deletes move the target into
 * `.minio.sys/tmp/.trash/<uuid>` (an atomic disappearance) and then remove it; file-system
 * errors become DriveErrors in `#fail`.
 */
import * as fs from "../platform/fs.ts";
import { randomUuid } from "../platform/crypto.ts";
import {
  atomicWrite,
  commitStaged,
  makeDirsDurably,
  renameWithParents,
  stageFile,
} from "./atomic_write.ts";
import {
  checkPath,
  checkVolume,
  formatPath,
  isPruneStop,
  joinPath,
  metaDirs,
  metaVolume,
  parentOf,
  tmpOldPath,
  tmpPath,
  trashPath,
  xlMetaBackupName,
  xlMetaName,
} from "./drive_path.ts";
import {
  DriveError,
  type DriveErrorCode,
  type DriveInfo,
  type RenameDataOptions,
  type ShardFileReader,
  type ShardFileWriter,
  type StorageDrive,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
} from "./storage_drive.ts";
import { type WalkSource, walkVolume } from "./walk.ts";
import { checkNamespace, namespaceRuleApplies } from "./namespace.ts";

export interface LocalDriveOptions {
  /** Fresh unique names for tmp and trash entries (default: random UUIDs). */
  randomId?: () => string;
}

const codesByKind: Record<fs.FsErrorKind, DriveErrorCode> = {
  NotFound: "FileNotFound",
  NotDirectory: "FileNotFound",
  Exists: "AccessDenied",
  IsDirectory: "IsDirectory",
  NotEmpty: "IsDirectory",
  NoSpace: "DriveFull",
  AccessDenied: "AccessDenied",
  NameTooLong: "PathTooLong",
  Io: "DriveOffline",
  Other: "DriveOffline",
};

export class LocalDrive implements StorageDrive {
  readonly #root: string;
  readonly #randomId: () => string;

  /**
   * A drive over the directory `root` (also its endpoint name). Nothing is touched until the
   * first call; `open()` (or `cleanupTmp()` at start) also creates the `.minio.sys` layout.
   */
  constructor(root: string, options: LocalDriveOptions = {}) {
    this.endpoint = root;
    this.#root = root.length > 1 ? root.replace(/\/+$/, "") : root;
    this.#randomId = options.randomId ?? randomUuid;
  }

  readonly endpoint: string;

  /**
   * Open the directory `root` as a drive: it must exist and be a directory (DriveOffline
   * otherwise); `.minio.sys/{tmp/.trash,multipart,buckets,config}` are created if missing.
   */
  static async open(root: string, options: LocalDriveOptions = {}): Promise<LocalDrive> {
    const drive = new LocalDrive(root, options);
    await drive.#ensureMetaDirs();
    return drive;
  }

  async #ensureMetaDirs(): Promise<void> {
    const rootStat = await fs.statIfExists(this.#root);
    if (!rootStat?.isDirectory) {
      throw new DriveError(
        "DriveOffline",
        this.endpoint,
        `Cannot open drive: "${this.#root}" is not a directory`,
      );
    }
    try {
      for (const dir of metaDirs) await makeDirsDurably(this.#root, this.#abs(metaVolume, dir));
    } catch (error) {
      throw this.#wrap(error, "prepare .minio.sys");
    }
  }

  /** Run a step that needs `.minio.sys/tmp`; if tmp is missing, create the layout and retry once. */
  async #withMetaDirs<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof fs.FsError && error.kind === "NotFound")) throw error;
      if (await fs.statIfExists(this.#abs(metaVolume, trashPath))) throw error;
      await this.#ensureMetaDirs();
      return await run();
    }
  }

  async info(): Promise<DriveInfo> {
    const space = await this.#attempt(() => fs.statfs(this.#root), "statfs");
    return {
      endpoint: this.endpoint,
      totalBytes: space.totalBytes,
      freeBytes: space.freeBytes,
      usedBytes: Math.max(0, space.totalBytes - space.freeBytes),
      id: await this.#driveId(),
    };
  }

  /** `xl.this` of format.json, "" when the drive is unformatted or the file unreadable. */
  async #driveId(): Promise<string> {
    try {
      const bytes = await fs.readWholeFile(this.#abs(metaVolume, formatPath));
      const id = JSON.parse(new TextDecoder().decode(bytes))?.xl?.this;
      return typeof id === "string" ? id : "";
    } catch {
      return "";
    }
  }

  // Volumes.

  async makeVolume(volume: string): Promise<void> {
    checkVolume(this.endpoint, volume);
    try {
      await fs.makeDir(this.#abs(volume, ""));
      await fs.syncDir(this.#root);
    } catch (error) {
      if (error instanceof fs.FsError && error.kind === "Exists") {
        throw new DriveError(
          "VolumeExists",
          this.endpoint,
          `Cannot create volume "${volume}": it exists`,
        );
      }
      throw await this.#fail(error, volume, "create volume");
    }
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    const entries = await this.#attempt(() => fs.readDir(this.#root), "list volumes");
    const volumes: VolumeInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory || entry.name === metaVolume) continue;
      const info = await fs.statIfExists(this.#abs(entry.name, ""));
      if (info?.isDirectory) volumes.push({ name: entry.name, created: info.birthTime });
    }
    return volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async statVolume(volume: string): Promise<VolumeInfo> {
    checkVolume(this.endpoint, volume);
    const info = await this.#attempt(() => fs.statIfExists(this.#abs(volume, "")), "stat volume");
    if (!info?.isDirectory) throw await this.#volumeMissing(volume);
    return { name: volume, created: info.birthTime };
  }

  async deleteVolume(volume: string, options: { force: boolean }): Promise<void> {
    checkVolume(this.endpoint, volume);
    const dir = this.#abs(volume, "");
    const info = await this.#attempt(() => fs.statIfExists(dir), "stat volume");
    if (!info?.isDirectory) throw await this.#volumeMissing(volume);
    if (!options.force && (await this.#holdsFiles(dir))) {
      throw new DriveError(
        "VolumeNotEmpty",
        this.endpoint,
        `Cannot delete volume "${volume}": it is not empty`,
      );
    }
    await this.#trash(dir, volume);
    await this.#attempt(() => fs.syncDir(this.#root), "sync drive root");
  }

  /** Whether any file lives under `dir` (stops at the first one). */
  async #holdsFiles(dir: string): Promise<boolean> {
    const entries = await this.#attempt(() => fs.readDir(dir), "list volume");
    for (const entry of entries) {
      if (!entry.isDirectory) return true;
      if (await this.#holdsFiles(`${dir}/${entry.name}`)) return true;
    }
    return false;
  }

  // Whole files.

  async readAll(volume: string, path: string): Promise<Uint8Array> {
    this.#check(volume, path);
    try {
      return await fs.readWholeFile(this.#abs(volume, path));
    } catch (error) {
      throw await this.#fail(error, volume, `read ${path}`);
    }
  }

  async writeAll(volume: string, path: string, bytes: Uint8Array): Promise<void> {
    this.#check(volume, path);
    await this.#requireVolume(volume);
    try {
      await this.#withMetaDirs(() => atomicWrite(this.#atomic(), this.#abs(volume, path), bytes));
    } catch (error) {
      throw await this.#fail(error, volume, `write ${path}`);
    }
  }

  async readMetadata(volume: string, path: string): Promise<Uint8Array> {
    this.#check(volume, path);
    try {
      return await fs.readWholeFile(this.#abs(volume, joinPath(path, xlMetaName)));
    } catch (error) {
      if (error instanceof fs.FsError && error.kind === "IsDirectory") {
        throw new DriveError(
          "FileNotFound",
          this.endpoint,
          `Cannot read ${path}/xl.meta: it is a directory`,
        );
      }
      throw await this.#fail(error, volume, `read ${path}/xl.meta`);
    }
  }

  writeMetadata(volume: string, path: string, xlMeta: Uint8Array): Promise<void> {
    return this.writeAll(volume, joinPath(path, xlMetaName), xlMeta);
  }

  // Shard files.

  async createShardFile(volume: string, path: string, sizeBytes: number): Promise<ShardFileWriter> {
    this.#check(volume, path);
    await this.#requireVolume(volume);
    const absolute = this.#abs(volume, path);
    try {
      await makeDirsDurably(this.#root, parentAbs(absolute));
      const file = await fs.openFile(absolute, "createExclusive");
      return new LocalShardWriter({ drive: this, file, absolute, sizeBytes, path });
    } catch (error) {
      if (error instanceof fs.FsError && error.kind === "Exists") {
        throw new DriveError(
          "AccessDenied",
          this.endpoint,
          `Cannot create shard file ${path}: it exists`,
        );
      }
      throw await this.#fail(error, volume, `create ${path}`);
    }
  }

  async readFile(
    volume: string,
    path: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array> {
    this.#check(volume, path);
    checkRange(offset, length);
    let file: fs.OpenFile | undefined;
    try {
      file = await fs.openFile(this.#abs(volume, path), "read");
      const bytes = await file.read(offset, length);
      if (bytes.length < length) {
        throw new DriveError(
          "FileCorrupt",
          this.endpoint,
          `Cannot read ${length} bytes at ${offset} of ${path}: the file ends after ${
            offset + bytes.length
          }`,
        );
      }
      return bytes;
    } catch (error) {
      throw await this.#fail(error, volume, `read ${path}`);
    } finally {
      await file?.close().catch(() => {});
    }
  }

  async openShardReader(volume: string, path: string): Promise<ShardFileReader> {
    this.#check(volume, path);
    let file: fs.OpenFile;
    try {
      file = await fs.openFile(this.#abs(volume, path), "read");
    } catch (error) {
      throw await this.#fail(error, volume, `open ${path}`);
    }
    return new LocalShardReader(
      file,
      { endpoint: this.endpoint, path },
      (error) => this.#fail(error, volume, `read ${path}`),
    );
  }

  async statFile(volume: string, path: string): Promise<{ sizeBytes: number; modTime: Date }> {
    this.#check(volume, path);
    let info: fs.FileStat;
    try {
      info = await fs.stat(this.#abs(volume, path));
    } catch (error) {
      throw await this.#fail(error, volume, `stat ${path}`);
    }
    if (info.isDirectory) {
      throw new DriveError(
        "IsDirectory",
        this.endpoint,
        `Cannot stat file ${path}: it is a directory`,
      );
    }
    return { sizeBytes: info.sizeBytes, modTime: info.modTime };
  }

  // Commit and moves.

  /**
   * §8.1 step 8: stage the new xl.meta in tmp (durable), move the staged data dir into place,
   * write the backup of the previous xl.meta, then rename the staged xl.meta over the live one.
   */
  async renameData(dstVolume: string, dstPath: string, options: RenameDataOptions): Promise<void> {
    this.#check(dstVolume, dstPath);
    await this.#requireVolume(dstVolume);
    if (namespaceRuleApplies(dstVolume)) {
      await checkNamespace(this.#walkSource(dstVolume), this.endpoint, dstPath);
    }
    const objectDir = this.#abs(dstVolume, dstPath);
    // 1. New xl.meta durable in tmp. Crash after: a stray tmp file; the old version is live.
    const stagedMeta = await this.#staged(dstVolume, options.xlMeta);
    let movedDataDir: string | undefined;
    try {
      // 2. Data dir into place. Crash after: unreferenced data dir beside the old xl.meta.
      if (options.stagedDataDir) movedDataDir = await this.#moveDataDir(objectDir, options);
      // 3. Backup of the replaced version. Crash after: old xl.meta live, backup beside it.
      if (options.backup) {
        const backupPath = `${objectDir}/${options.backup.oldDataDir}/${xlMetaBackupName}`;
        checkPath(this.endpoint, options.backup.oldDataDir);
        await atomicWrite(this.#atomic(), backupPath, options.backup.previousXlMeta);
      }
      // 4. Commit: readers now see the new version.
      await commitStaged(this.#root, stagedMeta, `${objectDir}/${xlMetaName}`);
    } catch (error) {
      await fs.removeAll(stagedMeta).catch(() => {});
      if (movedDataDir) await this.#trash(movedDataDir, dstVolume).catch(() => {});
      throw await this.#fail(error, dstVolume, `commit ${dstPath}`);
    }
    // 5. The emptied staging dir (e.g. tmp/<uniqueId>) goes; reserved dirs stay.
    const staged = options.stagedDataDir;
    if (staged) await this.#pruneEmptyParents(staged.volume, parentOf(staged.path));
  }

  async #staged(volume: string, bytes: Uint8Array): Promise<string> {
    try {
      return await this.#withMetaDirs(() => stageFile(this.#atomic(), bytes));
    } catch (error) {
      throw await this.#fail(error, volume, "stage xl.meta");
    }
  }

  /** Rename `<staged volume>/<staged path>` to `<objectDir>/<dataDir>`; returns the new path. */
  async #moveDataDir(objectDir: string, options: RenameDataOptions): Promise<string> {
    const staged = options.stagedDataDir!;
    this.#check(staged.volume, staged.path);
    checkPath(this.endpoint, staged.dataDir);
    const source = this.#abs(staged.volume, staged.path);
    const target = `${objectDir}/${staged.dataDir}`;
    const sourceInfo = await fs.statIfExists(source);
    if (!sourceInfo?.isDirectory) {
      throw new DriveError(
        "FileNotFound",
        this.endpoint,
        `Cannot commit data dir ${staged.path}: it is missing`,
      );
    }
    if (await fs.statIfExists(target)) await this.#trash(target, metaVolume);
    await renameWithParents(this.#root, source, target);
    await fs.syncDir(objectDir);
    return target;
  }

  async renamePath(
    srcVolume: string,
    srcPath: string,
    dstVolume: string,
    dstPath: string,
  ): Promise<void> {
    this.#check(srcVolume, srcPath);
    this.#check(dstVolume, dstPath);
    await this.#requireVolume(dstVolume);
    const source = this.#abs(srcVolume, srcPath);
    const target = this.#abs(dstVolume, dstPath);
    try {
      await renameWithParents(this.#root, source, target);
      await fs.syncDir(parentAbs(target));
      if (parentAbs(source) !== parentAbs(target)) await fs.syncDir(parentAbs(source));
    } catch (error) {
      throw await this.#fail(
        error,
        srcVolume,
        `rename ${srcVolume}/${srcPath} to ${dstVolume}/${dstPath}`,
      );
    }
  }

  async deletePath(volume: string, path: string, options: { recursive: boolean }): Promise<void> {
    this.#check(volume, path);
    const absolute = this.#abs(volume, path);
    const info = await this.#attempt(() => fs.statIfExists(absolute), `stat ${path}`);
    if (!info) {
      await this.#requireVolume(volume);
      return;
    }
    if (info.isDirectory && !options.recursive) {
      try {
        await fs.removeEntry(absolute, true);
      } catch (error) {
        if (error instanceof fs.FsError && error.kind === "NotEmpty") {
          throw new DriveError(
            "IsDirectory",
            this.endpoint,
            `Cannot delete ${path}: it is a non-empty directory`,
          );
        }
        throw await this.#fail(error, volume, `delete ${path}`);
      }
    } else {
      await this.#trash(absolute, volume);
    }
    await this.#pruneEmptyParents(volume, parentOf(path));
  }

  /** Move a file or directory into `.minio.sys/tmp/.trash/<id>` and remove it from there. */
  async #trash(absolute: string, volume: string): Promise<void> {
    const trashEntry = this.#abs(metaVolume, `${trashPath}/${this.#randomId()}`);
    try {
      await this.#withMetaDirs(() => fs.rename(absolute, trashEntry));
    } catch (error) {
      // A full drive cannot always rename across directories: remove in place instead.
      if (!(error instanceof fs.FsError && error.kind === "NoSpace")) {
        throw await this.#fail(error, volume, "move to trash");
      }
      await this.#attempt(() => fs.removeAll(absolute), "remove");
      return;
    }
    await this.#attempt(() => fs.syncDir(parentAbs(absolute)), "sync dir");
    await this.#attempt(() => fs.removeAll(trashEntry), "purge trash");
  }

  /** Remove empty directories from `path` upward, stopping at the volume and reserved dirs. */
  async #pruneEmptyParents(volume: string, path: string): Promise<void> {
    let current = path;
    while (!isPruneStop(volume, current)) {
      try {
        await fs.removeEntry(this.#abs(volume, current), true);
      } catch {
        return; // not empty (or gone): stop
      }
      current = parentOf(current);
    }
  }

  // Listing.

  async listDir(volume: string, path: string): Promise<string[]> {
    checkVolume(this.endpoint, volume);
    checkPath(this.endpoint, path, { allowEmpty: true });
    let entries: fs.DirEntry[];
    try {
      entries = await fs.readDir(this.#abs(volume, path));
    } catch (error) {
      throw await this.#fail(error, volume, `list ${path}`);
    }
    return entries.map((e) => (e.isDirectory ? `${e.name}/` : e.name)).sort();
  }

  async *walk(volume: string, options: WalkOptions): AsyncIterable<WalkEntry> {
    checkVolume(this.endpoint, volume);
    await this.#requireVolume(volume);
    yield* walkVolume(this.#walkSource(volume), volume, options);
  }

  #walkSource(volume: string): WalkSource {
    return {
      list: async (dir) => {
        try {
          return await fs.readDir(this.#abs(volume, dir));
        } catch (error) {
          if (
            error instanceof fs.FsError &&
            (error.kind === "NotFound" || error.kind === "NotDirectory")
          ) {
            return undefined;
          }
          throw await this.#fail(error, volume, `list ${dir}`);
        }
      },
      hasXlMeta: async (dir) => {
        const info = await this.#attempt(
          () => fs.statIfExists(this.#abs(volume, `${dir}/${xlMetaName}`)),
          "stat",
        );
        return info?.isFile ?? false;
      },
      readXlMeta: async (dir) => {
        try {
          return await fs.readWholeFile(this.#abs(volume, `${dir}/${xlMetaName}`));
        } catch (error) {
          if (
            error instanceof fs.FsError &&
            (error.kind === "NotFound" || error.kind === "NotDirectory" ||
              error.kind === "IsDirectory")
          ) {
            return undefined;
          }
          throw await this.#fail(error, volume, `read ${dir}/xl.meta`);
        }
      },
    };
  }

  // Start-up.

  /** Move `.minio.sys/tmp` to `tmp-old/<id>`, recreate `tmp/.trash`, remove `tmp-old`. */
  async cleanupTmp(): Promise<void> {
    const tmp = this.#abs(metaVolume, tmpPath);
    const tmpOld = this.#abs(metaVolume, tmpOldPath);
    await this.#requireRoot();
    try {
      await makeDirsDurably(this.#root, tmpOld);
      if (await fs.statIfExists(tmp)) await fs.rename(tmp, `${tmpOld}/${this.#randomId()}`);
      await fs.removeAll(tmpOld);
    } catch (error) {
      throw await this.#fail(error, metaVolume, "clean up tmp");
    }
    await this.#ensureMetaDirs();
  }

  // Helpers.

  #abs(volume: string, path: string): string {
    return path === "" ? `${this.#root}/${volume}` : `${this.#root}/${volume}/${path}`;
  }

  #atomic() {
    return { root: this.#root, tmpDir: this.#abs(metaVolume, tmpPath), randomId: this.#randomId };
  }

  #check(volume: string, path: string): void {
    checkVolume(this.endpoint, volume);
    checkPath(this.endpoint, path);
  }

  async #requireRoot(): Promise<void> {
    const rootInfo = await fs.statIfExists(this.#root).catch(() => undefined);
    if (!rootInfo?.isDirectory) {
      throw new DriveError(
        "DriveOffline",
        this.endpoint,
        `Cannot reach drive: "${this.#root}" is missing`,
      );
    }
  }

  /** The volume must exist; `.minio.sys` always does (its layout is made on first use). */
  async #requireVolume(volume: string): Promise<void> {
    const info = await this.#attempt(() => fs.statIfExists(this.#abs(volume, "")), "stat volume");
    if (info?.isDirectory) return;
    if (volume === metaVolume) return await this.#ensureMetaDirs();
    throw await this.#volumeMissing(volume);
  }

  async #volumeMissing(volume: string): Promise<DriveError> {
    const rootInfo = await fs.statIfExists(this.#root).catch(() => undefined);
    if (!rootInfo?.isDirectory) {
      return new DriveError(
        "DriveOffline",
        this.endpoint,
        `Cannot reach drive: "${this.#root}" is missing`,
      );
    }
    return new DriveError("VolumeNotFound", this.endpoint, `Cannot find volume "${volume}"`);
  }

  /** Run a file-system step; a missing path there means the drive itself is gone when its root is. */
  async #attempt<T>(run: () => Promise<T>, action: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof fs.FsError && error.kind === "NotFound") await this.#requireRoot();
      throw this.#wrap(error, action);
    }
  }

  /** An error as a DriveError; a missing path is VolumeNotFound when its volume is missing. */
  async #fail(error: unknown, volume: string, action: string): Promise<DriveError> {
    if (
      error instanceof fs.FsError && (error.kind === "NotFound" || error.kind === "NotDirectory")
    ) {
      const volumeInfo = await fs.statIfExists(this.#abs(volume, "")).catch(() => undefined);
      if (!volumeInfo?.isDirectory) return await this.#volumeMissing(volume);
    }
    return this.#wrap(error, action);
  }

  #wrap(error: unknown, action: string): DriveError {
    if (error instanceof DriveError) return error;
    if (error instanceof fs.FsError) {
      return new DriveError(
        codesByKind[error.kind],
        this.endpoint,
        `Cannot ${action}: ${error.errno}`,
        {
          cause: error,
        },
      );
    }
    return new DriveError("DriveOffline", this.endpoint, `Cannot ${action}: ${String(error)}`, {
      cause: error,
    });
  }

  /** For LocalShardWriter: translate its errors in the drive's words. */
  failShardWrite(error: unknown, path: string): DriveError {
    return this.#wrap(error, `write ${path}`);
  }
}

interface ShardWriterParts {
  drive: LocalDrive;
  file: fs.OpenFile;
  absolute: string;
  sizeBytes: number;
  path: string;
}

/** Bytes straight to the exclusively created file; fdatasync on close; short or long is an error. */
class LocalShardWriter implements ShardFileWriter {
  #writtenBytes = 0;
  #closed = false;

  constructor(private readonly parts: ShardWriterParts) {}

  async write(bytes: Uint8Array): Promise<void> {
    const { drive, file, sizeBytes, path } = this.parts;
    if (this.#closed) {
      throw new DriveError("FileCorrupt", drive.endpoint, `Cannot write ${path}: it is closed`);
    }
    if (sizeBytes >= 0 && this.#writtenBytes + bytes.length > sizeBytes) {
      throw new DriveError(
        "FileCorrupt",
        drive.endpoint,
        `Cannot write ${path}: ${
          this.#writtenBytes + bytes.length
        } bytes exceed the declared ${sizeBytes}`,
      );
    }
    try {
      await file.write(bytes);
    } catch (error) {
      throw drive.failShardWrite(error, path);
    }
    this.#writtenBytes += bytes.length;
  }

  async close(): Promise<void> {
    const { drive, file, sizeBytes, path } = this.parts;
    if (this.#closed) return;
    if (sizeBytes >= 0 && this.#writtenBytes !== sizeBytes) {
      await this.abort();
      throw new DriveError(
        "FileCorrupt",
        drive.endpoint,
        `Cannot close ${path}: ${this.#writtenBytes} bytes written, ${sizeBytes} declared`,
      );
    }
    this.#closed = true;
    try {
      await file.datasync();
      await file.close();
    } catch (error) {
      await fs.removeAll(this.parts.absolute).catch(() => {});
      throw drive.failShardWrite(error, path);
    }
  }

  async abort(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.parts.file.close().catch(() => {});
    await fs.removeAll(this.parts.absolute).catch(() => {});
  }
}

function parentAbs(absolute: string): string {
  const slash = absolute.lastIndexOf("/");
  return slash <= 0 ? "/" : absolute.slice(0, slash);
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(
      `readFile: offset ${offset} and length ${length} must be whole numbers ≥ 0`,
    );
  }
}

/** One open file handle of `LocalDrive.openShardReader`, read with positional reads. */
class LocalShardReader implements ShardFileReader {
  #closed = false;

  constructor(
    readonly file: fs.OpenFile,
    readonly where: { endpoint: string; path: string },
    readonly fail: (error: unknown) => Promise<DriveError>,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(offset, length);
    const { endpoint, path } = this.where;
    if (this.#closed) throw new Error(`Bug: a read of ${path} after its reader was closed`);
    let bytes: Uint8Array;
    try {
      bytes = await this.file.read(offset, length);
    } catch (error) {
      throw await this.fail(error);
    }
    if (bytes.length < length) {
      throw new DriveError(
        "FileCorrupt",
        endpoint,
        `Cannot read ${length} bytes at ${offset} of ${path}: the file ends after ${
          offset + bytes.length
        }`,
      );
    }
    return bytes;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.file.close().catch(() => {});
  }
}
