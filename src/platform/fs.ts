/**
 * File-system calls for the local drive, over node:fs/promises (the same under Deno and Bun).
 * Every failure is an FsError whose `kind` says what happened in the drive's terms, so that
 * nothing above this file looks at errno strings.
 */
import * as fs from "node:fs/promises";
import { constants } from "node:fs";

export type FsErrorKind =
  | "NotFound" // ENOENT
  | "Exists" // EEXIST
  | "NotDirectory" // ENOTDIR: a path component is a file
  | "IsDirectory" // EISDIR
  | "NotEmpty" // ENOTEMPTY / EEXIST on rename of a directory
  | "NoSpace" // ENOSPC / EDQUOT
  | "AccessDenied" // EACCES / EPERM / EROFS
  | "NameTooLong" // ENAMETOOLONG
  | "Io" // EIO / ENOTCONN / ESTALE / ENXIO / ENODEV: the device is failing or gone
  | "Other";

export class FsError extends Error {
  constructor(
    readonly kind: FsErrorKind,
    readonly errno: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${errno} on ${path}`, options);
    this.name = "FsError";
  }
}

const kindsByErrno: Record<string, FsErrorKind> = {
  ENOENT: "NotFound",
  EEXIST: "Exists",
  ENOTDIR: "NotDirectory",
  EISDIR: "IsDirectory",
  ENOTEMPTY: "NotEmpty",
  ENOSPC: "NoSpace",
  EDQUOT: "NoSpace",
  EACCES: "AccessDenied",
  EPERM: "AccessDenied",
  EROFS: "AccessDenied",
  ENAMETOOLONG: "NameTooLong",
  EIO: "Io",
  ENOTCONN: "Io",
  ESTALE: "Io",
  ENXIO: "Io",
  ENODEV: "Io",
};

function wrap(error: unknown, path: string): FsError {
  if (error instanceof FsError) return error;
  const errno = (error as { code?: string })?.code ?? "UNKNOWN";
  return new FsError(kindsByErrno[errno] ?? "Other", errno, path, { cause: error });
}

async function call<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrap(error, path);
  }
}

export interface FileStat {
  isDirectory: boolean;
  isFile: boolean;
  sizeBytes: number;
  modTime: Date;
  birthTime: Date;
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

export interface FsStat {
  totalBytes: number;
  freeBytes: number;
}

/** An open file; positional reads and appending writes. */
export interface OpenFile {
  /** Read up to `length` bytes at `position`; fewer only at end of file. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Write all of `bytes` at the current end. */
  write(bytes: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export type OpenMode =
  | "read" // O_RDONLY
  | "createExclusive" // O_CREAT | O_EXCL | O_WRONLY, mode 0666
  | "createTruncate"; // O_CREAT | O_TRUNC | O_WRONLY, mode 0666

const flagsByMode: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  createExclusive: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
  createTruncate: constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY,
};

export async function openFile(path: string, mode: OpenMode): Promise<OpenFile> {
  const handle = await call(path, () => fs.open(path, flagsByMode[mode], 0o666));
  return {
    read: (position, length) => call(path, () => readAt(handle, position, length)),
    write: (bytes) => call(path, () => writeAll(handle, bytes)),
    sync: () => call(path, () => handle.sync()),
    datasync: () => call(path, () => handle.datasync()),
    close: () => call(path, () => handle.close()),
  };
}

async function readAt(
  handle: fs.FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function writeAll(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written);
    written += result.bytesWritten;
  }
}

export async function readWholeFile(path: string): Promise<Uint8Array> {
  const buffer = await call(path, () => fs.readFile(path));
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export async function stat(path: string): Promise<FileStat> {
  const s = await call(path, () => fs.stat(path));
  return {
    isDirectory: s.isDirectory(),
    isFile: s.isFile(),
    sizeBytes: s.size,
    modTime: s.mtime,
    birthTime: s.birthtime ?? s.mtime,
  };
}

/** stat, or undefined when nothing is there (ENOENT / ENOTDIR). */
export async function statIfExists(path: string): Promise<FileStat | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (error instanceof FsError && (error.kind === "NotFound" || error.kind === "NotDirectory")) {
      return undefined;
    }
    throw error;
  }
}

export async function statfs(path: string): Promise<FsStat> {
  const s = await call(path, () => fs.statfs(path));
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
}

/** Entries of a directory with their types (unsorted). */
export async function readDir(path: string): Promise<DirEntry[]> {
  const entries = await call(path, () => fs.readdir(path, { withFileTypes: true }));
  return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() }));
}

/** mkdir -p with mode 0777 (umask applies). */
export async function makeDirAll(path: string): Promise<void> {
  await call(path, () => fs.mkdir(path, { recursive: true, mode: 0o777 }));
}

/** mkdir of one directory; Exists when it is already there. */
export async function makeDir(path: string): Promise<void> {
  await call(path, () => fs.mkdir(path, { mode: 0o777 }));
}

export async function rename(from: string, to: string): Promise<void> {
  await call(`${from} -> ${to}`, () => fs.rename(from, to));
}

/** Remove a file or an empty directory. */
export async function removeEntry(path: string, isDirectory: boolean): Promise<void> {
  await call(path, () => (isDirectory ? fs.rmdir(path) : fs.unlink(path)));
}

/** rm -rf; missing is fine. */
export async function removeAll(path: string): Promise<void> {
  await call(path, () => fs.rm(path, { recursive: true, force: true }));
}

/** fsync a directory so that renames and creations inside it are durable. */
export async function syncDir(path: string): Promise<void> {
  const handle = await call(path, () => fs.open(path, constants.O_RDONLY));
  try {
    await call(path, () => handle.sync());
  } finally {
    await handle.close();
  }
}

/** A fresh empty directory under the system temp dir (tests and benchmarks). */
export async function makeTempDir(prefix: string): Promise<string> {
  const { tmpdir } = await import("node:os");
  return await call(tmpdir(), () => fs.mkdtemp(`${tmpdir()}/${prefix}`));
}
