/**
 * Path rules every drive enforces (defence in depth: callers validate too). A volume is one
 * segment; a path is `/`-separated segments, none empty, `.` or `..`, none with NUL, none over
 * 255 bytes (`keySegmentMaxBytes`).
 */
import { keySegmentMaxBytes } from "../limits.ts";
import { DriveError } from "./storage_drive.ts";

/** The reserved volume holding format.json, tmp, multipart, bucket metadata and config. */
export const metaVolume = ".minio.sys";
export const tmpPath = "tmp";
export const trashPath = "tmp/.trash";
export const tmpOldPath = "tmp-old";
export const formatPath = "format.json";
export const xlMetaName = "xl.meta";
export const xlMetaBackupName = "xl.meta.bkp";

/** Directories of `.minio.sys` created when a drive is opened (§1.1); never pruned. */
export const metaDirs: readonly string[] = ["tmp", "tmp/.trash", "multipart", "buckets", "config"];

const encoder = new TextEncoder();

export function checkVolume(endpoint: string, volume: string): void {
  if (volume.includes("/")) throw badPath(endpoint, volume, "a volume is one path segment");
  checkSegment(endpoint, volume, volume);
}

/** `allowEmpty`: the empty path names the volume itself (listDir, walk). */
export function checkPath(
  endpoint: string,
  path: string,
  options?: { allowEmpty?: boolean },
): void {
  if (path === "" && options?.allowEmpty) return;
  if (path.startsWith("/")) throw badPath(endpoint, path, "it is absolute");
  for (const segment of path.split("/")) checkSegment(endpoint, path, segment);
}

/** The path's segments ([] for the volume itself). */
export function segmentsOf(path: string): string[] {
  return path === "" ? [] : path.split("/");
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Whether pruning empty parents must stop at `path` of `volume` (the reserved meta dirs). */
export function isPruneStop(volume: string, path: string): boolean {
  return path === "" || (volume === metaVolume && metaDirs.includes(path));
}

function checkSegment(endpoint: string, path: string, segment: string): void {
  if (segment === "") throw badPath(endpoint, path, "it has an empty segment");
  if (segment === "." || segment === "..") {
    throw badPath(endpoint, path, `it has a "${segment}" segment`);
  }
  if (segment.includes("\0")) throw badPath(endpoint, path, "it contains a NUL byte");
  if (encoder.encode(segment).length > keySegmentMaxBytes) {
    throw new DriveError(
      "PathTooLong",
      endpoint,
      `Cannot use path "${path}": a segment is longer than ${keySegmentMaxBytes} bytes`,
    );
  }
}

function badPath(endpoint: string, path: string, why: string): DriveError {
  return new DriveError(
    "AccessDenied",
    endpoint,
    `Cannot use path ${JSON.stringify(path)}: ${why}`,
  );
}
