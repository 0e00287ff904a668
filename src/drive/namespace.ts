/**
 * MinIO's rule that a name in a bucket is an object or a prefix, never both: `a/x` cannot be
 * written while `a` is an object (ParentIsObject), and `a` cannot be written while `a/` holds
 * other objects (ObjectExistsAsDirectory). Each drive checks it in `renameData`, so the check
 * and the commit are one drive operation; the object layer counts the answers per quorum.
 *
 * A directory holding `xl.meta` is an object; its sub-directories are its data dirs. A
 * directory without `xl.meta` is a prefix when it holds any sub-directory other than a
 * UUID-named one without `xl.meta` (a data dir left behind by an interrupted first write).
 */
import { metaVolume, xlMetaName } from "./drive_path.ts";
import { DriveError } from "./storage_drive.ts";

const dataDirPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a directory name can be a data dir of a version (a UUID). */
export function isDataDirName(name: string): boolean {
  return dataDirPattern.test(name);
}

/** Whether the rule applies to the volume (buckets; `.minio.sys` keeps its own layout). */
export function namespaceRuleApplies(volume: string): boolean {
  return volume !== metaVolume;
}

/** The proper ancestors of a path, outermost first: "a/b/c" → ["a", "a/b"]. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join("/"));
}

/** What the drive must answer for the check; paths are relative to the volume. */
export interface NamespaceSource {
  /** Whether `<dir>/xl.meta` is a file. */
  hasXlMeta(dir: string): Promise<boolean>;
  /** Entries of a directory, undefined when it is missing. */
  list(dir: string): Promise<{ name: string; isDirectory: boolean }[] | undefined>;
}

/** Throw ParentIsObject / ObjectExistsAsDirectory when writing `path` would break the rule. */
export async function checkNamespace(
  source: NamespaceSource,
  endpoint: string,
  path: string,
): Promise<void> {
  for (const ancestor of ancestorsOf(path)) {
    if (await source.hasXlMeta(ancestor)) {
      throw new DriveError(
        "ParentIsObject",
        endpoint,
        `Cannot write "${path}": its parent "${ancestor}" is an object`,
      );
    }
  }
  const entries = await source.list(path);
  // An object (xl.meta here): its directories are its data dirs.
  if (entries === undefined || entries.some((e) => !e.isDirectory && e.name === xlMetaName)) {
    return;
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue; // a stray file is no object
    const childPath = `${path}/${entry.name}`;
    // A UUID-named directory without xl.meta is a data dir left by an interrupted first write.
    if (isDataDirName(entry.name) && !(await source.hasXlMeta(childPath))) continue;
    throw new DriveError(
      "ObjectExistsAsDirectory",
      endpoint,
      `Cannot write "${path}": objects exist under "${path}/"`,
    );
  }
}
