/**
 * A drive held in memory, with the local drive's semantics (same errors, same walk order,
 * same path rules), for tests of the object layer. Optional capacity makes writes fail with
 * DriveFull when the stored bytes would exceed it.
 */
import {
  checkPath,
  checkVolume,
  formatPath,
  isPruneStop,
  joinPath,
  metaDirs,
  metaVolume,
  parentOf,
  segmentsOf,
  tmpPath,
  trashPath,
  xlMetaBackupName,
  xlMetaName,
} from "../drive/drive_path.ts";
import {
  DriveError,
  type DriveInfo,
  type RenameDataOptions,
  type ShardFileReader,
  type ShardFileWriter,
  type StorageDrive,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
} from "../drive/storage_drive.ts";
import { type WalkSource, walkVolume } from "../drive/walk.ts";
import { checkNamespace, namespaceRuleApplies } from "../drive/namespace.ts";

export interface MemoryDriveOptions {
  /** Capacity reported by info() and enforced on writes (default 1 TiB). */
  capacityBytes?: number;
  /** Clock for modification times (default: the wall clock). */
  now?: () => Date;
}

type MemoryNode = MemoryDir | MemoryFile;

interface MemoryDir {
  kind: "dir";
  children: Map<string, MemoryNode>;
  modTime: Date;
}

interface MemoryFile {
  kind: "file";
  /** Written pieces; joined into one on first read. */
  chunks: Uint8Array[];
  sizeBytes: number;
  modTime: Date;
}

export class MemoryDrive implements StorageDrive {
  readonly #root: MemoryDir;
  readonly #now: () => Date;
  readonly #capacityBytes: number;
  #usedBytes = 0;
  #openReaders = 0;

  constructor(readonly endpoint: string, options: MemoryDriveOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#capacityBytes = options.capacityBytes ?? 2 ** 40;
    this.#root = this.#newDir();
    for (const dir of metaDirs) {
      this.#ensureDir([metaVolume, ...segmentsOf(dir)], "prepare .minio.sys");
    }
  }

  info(): Promise<DriveInfo> {
    return Promise.resolve({
      endpoint: this.endpoint,
      totalBytes: this.#capacityBytes,
      freeBytes: this.#capacityBytes - this.#usedBytes,
      usedBytes: this.#usedBytes,
      id: this.#driveId(),
    });
  }

  #driveId(): string {
    const node = this.#find([metaVolume, formatPath]);
    if (node?.kind !== "file") return "";
    try {
      const id = JSON.parse(new TextDecoder().decode(bytesOf(node)))?.xl?.this;
      return typeof id === "string" ? id : "";
    } catch {
      return "";
    }
  }

  // Volumes.

  makeVolume(volume: string): Promise<void> {
    return this.#run(() => {
      checkVolume(this.endpoint, volume);
      if (this.#root.children.has(volume)) {
        throw this.#error("VolumeExists", `Cannot create volume "${volume}": it exists`);
      }
      this.#root.children.set(volume, this.#newDir());
    });
  }

  listVolumes(): Promise<VolumeInfo[]> {
    return this.#run(() => {
      const volumes: VolumeInfo[] = [];
      for (const [name, node] of this.#root.children) {
        if (node.kind === "dir" && name !== metaVolume) {
          volumes.push({ name, created: node.modTime });
        }
      }
      return volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  statVolume(volume: string): Promise<VolumeInfo> {
    return this.#run(() => {
      checkVolume(this.endpoint, volume);
      return { name: volume, created: this.#volume(volume).modTime };
    });
  }

  deleteVolume(volume: string, options: { force: boolean }): Promise<void> {
    return this.#run(() => {
      checkVolume(this.endpoint, volume);
      const dir = this.#volume(volume);
      if (!options.force && holdsFiles(dir)) {
        throw this.#error("VolumeNotEmpty", `Cannot delete volume "${volume}": it is not empty`);
      }
      this.#usedBytes -= sizeOf(dir);
      this.#root.children.delete(volume);
    });
  }

  // Whole files.

  readAll(volume: string, path: string): Promise<Uint8Array> {
    return this.#run(() => {
      this.#check(volume, path);
      return bytesOf(this.#file(volume, path, `read ${path}`)).slice();
    });
  }

  writeAll(volume: string, path: string, bytes: Uint8Array): Promise<void> {
    return this.#run(() => {
      this.#check(volume, path);
      this.#volume(volume);
      this.#putFile(volume, path, bytes.slice(), `write ${path}`);
    });
  }

  readMetadata(volume: string, path: string): Promise<Uint8Array> {
    return this.#run(() => {
      this.#check(volume, path);
      const metaPath = joinPath(path, xlMetaName);
      const node = this.#lookup(volume, metaPath);
      if (node?.kind !== "file") {
        throw this.#error("FileNotFound", `Cannot read ${metaPath}: it is missing`);
      }
      return bytesOf(node).slice();
    });
  }

  writeMetadata(volume: string, path: string, xlMeta: Uint8Array): Promise<void> {
    return this.writeAll(volume, joinPath(path, xlMetaName), xlMeta);
  }

  // Shard files.

  createShardFile(volume: string, path: string, sizeBytes: number): Promise<ShardFileWriter> {
    return this.#run(() => {
      this.#check(volume, path);
      this.#volume(volume);
      const segments = [volume, ...segmentsOf(path)];
      const parent = this.#ensureDir(segments.slice(0, -1), `create ${path}`);
      const name = segments[segments.length - 1];
      if (parent.children.has(name)) {
        throw this.#error("AccessDenied", `Cannot create shard file ${path}: it exists`);
      }
      const file: MemoryFile = { kind: "file", chunks: [], sizeBytes: 0, modTime: this.#now() };
      parent.children.set(name, file);
      return new MemoryShardWriter({ drive: this, file, parent, name, sizeBytes, path });
    });
  }

  /** Readers opened by `openShardReader` and not closed yet (tests check that none leak). */
  get openShardReaders(): number {
    return this.#openReaders;
  }

  openShardReader(volume: string, path: string): Promise<ShardFileReader> {
    return this.#run(() => {
      this.#check(volume, path);
      const file = this.#file(volume, path, `open ${path}`);
      this.#openReaders++;
      return new MemoryShardReader(file, { endpoint: this.endpoint, path }, () => {
        this.#openReaders--;
      });
    });
  }

  readFile(volume: string, path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#run(() => {
      this.#check(volume, path);
      checkRange(offset, length);
      const bytes = bytesOf(this.#file(volume, path, `read ${path}`));
      if (offset + length > bytes.length) {
        throw this.#error(
          "FileCorrupt",
          `Cannot read ${length} bytes at ${offset} of ${path}: the file ends at ${bytes.length}`,
        );
      }
      return bytes.slice(offset, offset + length);
    });
  }

  statFile(volume: string, path: string): Promise<{ sizeBytes: number; modTime: Date }> {
    return this.#run(() => {
      this.#check(volume, path);
      const file = this.#file(volume, path, `stat ${path}`);
      return { sizeBytes: file.sizeBytes, modTime: file.modTime };
    });
  }

  // Commit and moves.

  async renameData(dstVolume: string, dstPath: string, options: RenameDataOptions): Promise<void> {
    await this.#run(() => {
      this.#check(dstVolume, dstPath);
      this.#volume(dstVolume);
    });
    if (namespaceRuleApplies(dstVolume)) {
      await checkNamespace(this.#walkSource(dstVolume), this.endpoint, dstPath);
    }
    return this.#run(() => {
      const staged = options.stagedDataDir;
      if (staged) {
        this.#check(staged.volume, staged.path);
        checkPath(this.endpoint, staged.dataDir);
        if (this.#lookup(staged.volume, staged.path)?.kind !== "dir") {
          throw this.#error("FileNotFound", `Cannot commit data dir ${staged.path}: it is missing`);
        }
      }
      if (options.backup) checkPath(this.endpoint, options.backup.oldDataDir);
      // Same order as the local drive; in memory the steps cannot fail halfway.
      const objectSegments = [dstVolume, ...segmentsOf(dstPath)];
      this.#ensureDir(objectSegments, `commit ${dstPath}`);
      if (staged) {
        const target = joinPath(dstPath, staged.dataDir);
        this.#removeNode(dstVolume, target);
        this.#move(staged.volume, staged.path, dstVolume, target);
      }
      if (options.backup) {
        const backupPath = joinPath(dstPath, options.backup.oldDataDir, xlMetaBackupName);
        this.#putFile(dstVolume, backupPath, options.backup.previousXlMeta.slice(), "write backup");
      }
      this.#putFile(
        dstVolume,
        joinPath(dstPath, xlMetaName),
        options.xlMeta.slice(),
        "commit xl.meta",
      );
      if (staged) this.#prune(staged.volume, parentOf(staged.path));
    });
  }

  renamePath(
    srcVolume: string,
    srcPath: string,
    dstVolume: string,
    dstPath: string,
  ): Promise<void> {
    return this.#run(() => {
      this.#check(srcVolume, srcPath);
      this.#check(dstVolume, dstPath);
      this.#volume(dstVolume);
      this.#move(srcVolume, srcPath, dstVolume, dstPath);
    });
  }

  deletePath(volume: string, path: string, options: { recursive: boolean }): Promise<void> {
    return this.#run(() => {
      this.#check(volume, path);
      this.#volume(volume);
      const node = this.#lookup(volume, path);
      if (!node) return;
      if (node.kind === "dir" && !options.recursive && node.children.size > 0) {
        throw this.#error("IsDirectory", `Cannot delete ${path}: it is a non-empty directory`);
      }
      this.#removeNode(volume, path);
      this.#prune(volume, parentOf(path));
    });
  }

  // Listing.

  listDir(volume: string, path: string): Promise<string[]> {
    return this.#run(() => {
      checkVolume(this.endpoint, volume);
      checkPath(this.endpoint, path, { allowEmpty: true });
      this.#volume(volume);
      const node = this.#lookup(volume, path);
      if (node?.kind !== "dir") {
        throw this.#error("FileNotFound", `Cannot list ${path}: it is not a directory`);
      }
      return [...node.children].map(([name, child]) => (child.kind === "dir" ? `${name}/` : name))
        .sort();
    });
  }

  async *walk(volume: string, options: WalkOptions): AsyncIterable<WalkEntry> {
    await this.#run(() => {
      checkVolume(this.endpoint, volume);
      this.#volume(volume);
    });
    yield* walkVolume(this.#walkSource(volume), volume, options);
  }

  #walkSource(volume: string): WalkSource {
    return {
      list: (dir) => {
        const node = this.#lookup(volume, dir);
        if (node?.kind !== "dir") return Promise.resolve(undefined);
        return Promise.resolve(
          [...node.children].map(([name, child]) => ({ name, isDirectory: child.kind === "dir" })),
        );
      },
      hasXlMeta: (dir) =>
        Promise.resolve(this.#lookup(volume, joinPath(dir, xlMetaName))?.kind === "file"),
      readXlMeta: (dir) => {
        const node = this.#lookup(volume, joinPath(dir, xlMetaName));
        return Promise.resolve(node?.kind === "file" ? bytesOf(node).slice() : undefined);
      },
    };
  }

  cleanupTmp(): Promise<void> {
    return this.#run(() => {
      this.#removeNode(metaVolume, tmpPath);
      this.#ensureDir([metaVolume, ...segmentsOf(trashPath)], "clean up tmp");
    });
  }

  // Tree helpers.

  /** Everything async and in a microtask, like a real drive; errors become rejections. */
  #run<T>(body: () => T): Promise<T> {
    return Promise.resolve().then(body);
  }

  #newDir(): MemoryDir {
    return { kind: "dir", children: new Map(), modTime: this.#now() };
  }

  #check(volume: string, path: string): void {
    checkVolume(this.endpoint, volume);
    checkPath(this.endpoint, path);
  }

  #error(code: DriveError["code"], message: string): DriveError {
    return new DriveError(code, this.endpoint, message);
  }

  #volume(volume: string): MemoryDir {
    const node = this.#root.children.get(volume);
    if (node?.kind !== "dir") throw this.#error("VolumeNotFound", `Cannot find volume "${volume}"`);
    return node;
  }

  #find(segments: string[]): MemoryNode | undefined {
    let node: MemoryNode = this.#root;
    for (const segment of segments) {
      if (node.kind !== "dir") return undefined;
      const child: MemoryNode | undefined = node.children.get(segment);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** The node at `path` of an existing volume (VolumeNotFound otherwise). */
  #lookup(volume: string, path: string): MemoryNode | undefined {
    this.#volume(volume);
    return this.#find([volume, ...segmentsOf(path)]);
  }

  #file(volume: string, path: string, action: string): MemoryFile {
    const node = this.#lookup(volume, path);
    if (!node) throw this.#error("FileNotFound", `Cannot ${action}: it is missing`);
    if (node.kind === "dir") {
      throw this.#error("IsDirectory", `Cannot ${action}: it is a directory`);
    }
    return node;
  }

  /** mkdir -p from the drive root; a file in the way is FileNotFound (ENOTDIR). */
  #ensureDir(segments: string[], action: string): MemoryDir {
    let dir = this.#root;
    for (const segment of segments) {
      let child = dir.children.get(segment);
      if (!child) {
        child = this.#newDir();
        dir.children.set(segment, child);
      }
      if (child.kind !== "dir") {
        throw this.#error("FileNotFound", `Cannot ${action}: a parent is a file`);
      }
      dir = child;
    }
    return dir;
  }

  #putFile(volume: string, path: string, bytes: Uint8Array, action: string): void {
    const segments = [volume, ...segmentsOf(path)];
    const parent = this.#ensureDir(segments.slice(0, -1), action);
    const name = segments[segments.length - 1];
    const existing = parent.children.get(name);
    if (existing?.kind === "dir") {
      throw this.#error("IsDirectory", `Cannot ${action}: it is a directory`);
    }
    this.reserveBytes(bytes.length - (existing?.sizeBytes ?? 0), action);
    parent.children.set(name, {
      kind: "file",
      chunks: [bytes],
      sizeBytes: bytes.length,
      modTime: this.#now(),
    });
  }

  /** Account for bytes about to be stored; DriveFull beyond the capacity. */
  reserveBytes(deltaBytes: number, action: string): void {
    if (deltaBytes > 0 && this.#usedBytes + deltaBytes > this.#capacityBytes) {
      throw this.#error("DriveFull", `Cannot ${action}: ${deltaBytes} more bytes do not fit`);
    }
    this.#usedBytes += deltaBytes;
  }

  /** Detach a node (missing is fine) and release its bytes. */
  #removeNode(volume: string, path: string): void {
    const segments = [volume, ...segmentsOf(path)];
    const parent = this.#find(segments.slice(0, -1));
    if (parent?.kind !== "dir") return;
    const name = segments[segments.length - 1];
    const node = parent.children.get(name);
    if (!node) return;
    this.#usedBytes -= sizeOf(node);
    parent.children.delete(name);
  }

  /** rename(2): parents created; a file replaces a file; a directory replaces an empty one. */
  #move(srcVolume: string, srcPath: string, dstVolume: string, dstPath: string): void {
    const source = this.#lookup(srcVolume, srcPath);
    if (!source) {
      throw this.#error("FileNotFound", `Cannot rename ${srcVolume}/${srcPath}: it is missing`);
    }
    const dstSegments = [dstVolume, ...segmentsOf(dstPath)];
    const srcSegments = [srcVolume, ...segmentsOf(srcPath)];
    if (dstSegments.join("/").startsWith(srcSegments.join("/") + "/")) {
      throw this.#error("AccessDenied", `Cannot rename ${srcPath} into itself`);
    }
    const parent = this.#ensureDir(dstSegments.slice(0, -1), `rename to ${dstPath}`);
    const name = dstSegments[dstSegments.length - 1];
    const existing = parent.children.get(name);
    if (existing === source) return;
    if (
      existing &&
      (existing.kind !== source.kind || (existing.kind === "dir" && existing.children.size > 0))
    ) {
      throw this.#error(
        "IsDirectory",
        `Cannot rename to ${dstVolume}/${dstPath}: a directory is in the way`,
      );
    }
    if (existing) this.#usedBytes -= sizeOf(existing);
    const srcParent = this.#find(srcSegments.slice(0, -1)) as MemoryDir;
    srcParent.children.delete(srcSegments[srcSegments.length - 1]);
    parent.children.set(name, source);
  }

  /** Remove empty directories from `path` upward, stopping at the volume and reserved dirs. */
  #prune(volume: string, path: string): void {
    let current = path;
    while (!isPruneStop(volume, current)) {
      const node = this.#find([volume, ...segmentsOf(current)]);
      if (node?.kind !== "dir" || node.children.size > 0) return;
      this.#removeNode(volume, current);
      current = parentOf(current);
    }
  }
}

interface MemoryShardWriterParts {
  drive: MemoryDrive;
  file: MemoryFile;
  parent: MemoryDir;
  name: string;
  sizeBytes: number;
  path: string;
}

/** The file node itself, held like a file handle: a rename or delete of its path does not affect it. */
class MemoryShardReader implements ShardFileReader {
  #closed = false;

  constructor(
    readonly file: MemoryFile,
    readonly where: { endpoint: string; path: string },
    readonly onClose: () => void,
  ) {}

  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve().then(() => {
      checkRange(offset, length);
      const { endpoint, path } = this.where;
      if (this.#closed) throw new Error(`Bug: a read of ${path} after its reader was closed`);
      const bytes = bytesOf(this.file);
      if (offset + length > bytes.length) {
        throw new DriveError(
          "FileCorrupt",
          endpoint,
          `Cannot read ${length} bytes at ${offset} of ${path}: the file ends at ${bytes.length}`,
        );
      }
      return bytes.slice(offset, offset + length);
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.onClose();
    }
    return Promise.resolve();
  }
}

class MemoryShardWriter implements ShardFileWriter {
  #closed = false;

  constructor(private readonly parts: MemoryShardWriterParts) {}

  write(bytes: Uint8Array): Promise<void> {
    return Promise.resolve().then(() => {
      const { drive, file, sizeBytes, path } = this.parts;
      if (this.#closed) {
        throw new DriveError("FileCorrupt", drive.endpoint, `Cannot write ${path}: it is closed`);
      }
      if (sizeBytes >= 0 && file.sizeBytes + bytes.length > sizeBytes) {
        throw new DriveError(
          "FileCorrupt",
          drive.endpoint,
          `Cannot write ${path}: ${
            file.sizeBytes + bytes.length
          } bytes exceed the declared ${sizeBytes}`,
        );
      }
      drive.reserveBytes(bytes.length, `write ${path}`);
      file.chunks.push(bytes.slice());
      file.sizeBytes += bytes.length;
    });
  }

  async close(): Promise<void> {
    await Promise.resolve();
    const { drive, file, sizeBytes, path } = this.parts;
    if (this.#closed) return;
    if (sizeBytes >= 0 && file.sizeBytes !== sizeBytes) {
      await this.abort();
      throw new DriveError(
        "FileCorrupt",
        drive.endpoint,
        `Cannot close ${path}: ${file.sizeBytes} bytes written, ${sizeBytes} declared`,
      );
    }
    this.#closed = true;
  }

  abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const { drive, file, parent, name } = this.parts;
      if (parent.children.get(name) === file) {
        parent.children.delete(name);
        drive.reserveBytes(-file.sizeBytes, "abort");
      }
    }
    return Promise.resolve();
  }
}

function bytesOf(file: MemoryFile): Uint8Array {
  if (file.chunks.length === 1) return file.chunks[0];
  const joined = new Uint8Array(file.sizeBytes);
  let offset = 0;
  for (const chunk of file.chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  file.chunks = [joined];
  return joined;
}

function sizeOf(node: MemoryNode): number {
  if (node.kind === "file") return node.sizeBytes;
  let total = 0;
  for (const child of node.children.values()) total += sizeOf(child);
  return total;
}

function holdsFiles(dir: MemoryDir): boolean {
  for (const child of dir.children.values()) {
    if (child.kind === "file" || holdsFiles(child)) return true;
  }
  return false;
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(
      `readFile: offset ${offset} and length ${length} must be whole numbers ≥ 0`,
    );
  }
}
