/**
 * Listings across pools and erasure sets: ListObjects, ListObjectVersions, ListMultipartUploads.
 *
 * Every drive of a set walks the bucket in sorted order (`drive.walk`, recursive); the walks of
 * one set are merged key by key, and for each key the drives' `xl.meta` are merged with the
 * metadata quorum (spec §8.3) into one version list, newest first. The sets' streams are then
 * merged into one sorted stream (a key lives in one set per pool; when two pools hold the same
 * key the one with the newest latest version wins). Memory stays bounded whatever the bucket
 * holds: a few read-ahead entries per drive, and the directory-object names of the directories
 * on each walk's current path.
 *
 * Order is JavaScript string order (UTF-16 code units), the order the drives' walks use; it
 * equals S3's UTF-8 byte order except between U+E000–U+FFFF and characters beyond U+FFFF.
 *
 * Delimiter roll-up follows S3: a key whose remainder after `prefix` contains the delimiter is
 * reported once as the common prefix ending at its first delimiter. Keys and common prefixes
 * form one sorted sequence of entries; a page holds the entries sorting after the marker, at
 * most `maxKeys` of them. Within a common prefix a few keys are skipped in the stream; past
 * that the walks restart after the prefix, so a prefix holding a million keys costs one
 * restart, not a million entries, and many small prefixes cost no restart at all.
 */
import type { StorageDrive, WalkEntry } from "../drive/storage_drive.ts";
import { listKeysMax, listPrefixSkipEntriesMax, listWalkReadAheadEntries } from "../limits.ts";
import { decodeXlMeta, mergeVersions } from "../metadata/xl_meta.ts";
import type { ObjectVersion, Version, XlMeta } from "../metadata/types.ts";
import type {
  ListObjectsOptions,
  ListObjectsResult,
  ListUploadsResult,
  ListVersionsOptions,
  ListVersionsResult,
  MultipartUploadInfo,
  ObjectInfo,
  VersioningState,
} from "./object_layer.ts";
import { ObjectError } from "./object_layer.ts";
import { isNotFound, metadataMergeQuorum } from "./quorum.ts";
import { toObjectInfo } from "./object_info.ts";
import { decodeDirObject, dirObjectSuffix, encodeDirObject } from "./placement.ts";

/** The drives of one erasure set, as a listing sees them. */
export interface ListSet {
  poolIndex: number;
  drives: readonly StorageDrive[];
}

/** One key of a bucket with its merged versions, newest first. */
export interface ListedKey {
  key: string;
  versions: Version[];
  poolIndex: number;
}

export interface ScanOptions {
  bucket: string;
  prefix: string;
  /** Only keys sorting strictly after this. */
  after: string;
  /** Heal walks: every key any drive holds, even below quorum (its versions may be empty). */
  anyDrive?: boolean;
}

/** The greatest string sorting before `key` that a walk's strict `after` can start from. */
export function justBefore(key: string): string {
  if (key === "") return "";
  const last = key.charCodeAt(key.length - 1);
  const head = key.slice(0, -1);
  return last === 0 ? head : head + String.fromCharCode(last - 1) + "\uffff";
}

/** Past the keys that start with `prefix` (all but those continuing with U+FFFF, a noncharacter). */
function pastPrefix(prefix: string): string {
  return prefix + "\uffff";
}

/**
 * The S3 common prefix `key` rolls up into, or undefined when it is listed as itself.
 * Exported for the bucket-emptiness and upload listings, which roll up the same way.
 */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === "") return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * Merge the `xl.meta` copies of one key read from the drives of a set into the versions that a
 * quorum of the set's drives agree on. Copies that fail to decode count as absent.
 */
export function mergeSetMetadata(
  copies: readonly (Uint8Array | undefined)[],
  driveCount: number,
): Version[] {
  const quorum = metadataMergeQuorum(driveCount);
  // The common case: the copies list the same versions. Once more than N − quorum copies agree
  // on a list, no other version can reach quorum, so the rest need not be decoded.
  const enough = driveCount - quorum + 1;
  let agreed: Version[] | undefined;
  let agreeing = 0;
  for (const bytes of copies) {
    const meta = decodeCopy(bytes);
    if (meta === undefined) continue;
    if (agreed === undefined) agreed = meta.versions;
    else if (!sameVersionList(meta.versions, agreed)) {
      return mergeVersions(copies.map(decodeCopy), quorum);
    }
    if (++agreeing >= enough && agreeing >= quorum) return agreed;
  }
  return agreed !== undefined && agreeing >= quorum ? agreed : [];
}

/** One drive's copy decoded without inline data; a corrupt copy counts as absent (heal repairs it). */
function decodeCopy(bytes: Uint8Array | undefined): XlMeta | undefined {
  if (bytes === undefined) return undefined;
  try {
    return decodeXlMeta(bytes, { withInlineData: false });
  } catch {
    return undefined;
  }
}

function sameVersionList(a: readonly Version[], b: readonly Version[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (
      a[i].versionId !== b[i].versionId || a[i].modTimeNs !== b[i].modTimeNs ||
      a[i].kind !== b[i].kind
    ) {
      return false;
    }
    if (a[i].kind === "object" && !sameShape(a[i] as ObjectVersion, b[i] as ObjectVersion)) {
      return false;
    }
  }
  return true;
}

/** What the non-strict merge compares besides id, time and type: the erasure geometry. */
function sameShape(a: ObjectVersion, b: ObjectVersion): boolean {
  return a.erasure.dataShards === b.erasure.dataShards &&
    a.erasure.parityShards === b.erasure.parityShards;
}

/**
 * The merged versions of one key in one set, read point-wise (no walk): used to find which
 * pool holds a key. Empty when a quorum of drives does not hold it.
 */
export async function readKeyVersions(
  set: ListSet,
  bucket: string,
  encodedKey: string,
): Promise<Version[]> {
  const copies = await Promise.all(
    set.drives.map((drive) => drive.readMetadata(bucket, encodedKey).catch(() => undefined)),
  );
  return mergeSetMetadata(copies, set.drives.length);
}

/**
 * One drive's walk in key order, with its current head; a failing drive ends (counted failed).
 *
 * The drive walks stored names in byte order, where a directory object `x/` (stored
 * `x__XLDIR__`) sorts after everything under `x/` and after siblings such as `x0`. To yield
 * keys in S3 order the cursor ignores the walk's directory objects and takes them from a
 * listing of each directory it passes through instead ("levels"): before yielding a key, every
 * pending directory object of its directories that sorts before it is yielded first. Only the
 * directories on the current path are held, and of each only its directory-object names.
 */
class DriveCursor {
  readonly #drive: StorageDrive;
  readonly #bucket: string;
  readonly #iterator: ReadAhead<WalkEntry>;
  /** Directory (`""` or ending in `/`) where the walk starts; levels above it are never read. */
  readonly #rootDir: string;
  readonly #prefix: string;
  readonly #after: string;
  /** Per directory on the current path: its directory objects not yet yielded, ascending. */
  readonly #levels = new Map<string, string[]>();
  readonly #ready: { key: string; xlMeta: Uint8Array }[] = [];
  #walkDone = false;
  #prefixDirPending: boolean;
  head: { key: string; xlMeta: Uint8Array } | undefined;
  failed = false;

  constructor(drive: StorageDrive, options: ScanOptions) {
    this.#drive = drive;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#after = options.after;
    this.#rootDir = options.prefix.slice(0, options.prefix.lastIndexOf("/") + 1);
    // `photos/` itself is stored as `photos__XLDIR__` above the walk's root: read it directly.
    this.#prefixDirPending = options.prefix.endsWith("/") && options.prefix > options.after;
    // Decoded `after` is right for every name but directory objects, which come from levels.
    const walkOptions = {
      prefix: options.prefix,
      recursive: true,
      ...(options.after === "" ? {} : { after: options.after }),
    };
    this.#iterator = new ReadAhead(drive.walk(options.bucket, walkOptions)[Symbol.asyncIterator]());
  }

  async advance(): Promise<void> {
    try {
      this.head = await this.#next();
    } catch {
      this.head = undefined;
      this.failed = true;
    }
  }

  async #next(): Promise<{ key: string; xlMeta: Uint8Array } | undefined> {
    if (this.#prefixDirPending) {
      this.#prefixDirPending = false;
      const xlMeta = await this.#readDirObject(this.#prefix);
      if (xlMeta !== undefined) return { key: this.#prefix, xlMeta };
    }
    for (;;) {
      const ready = this.#ready.shift();
      if (ready !== undefined) return ready;
      if (this.#walkDone) return undefined;
      const step = await this.#iterator.next();
      if (step.done) {
        this.#walkDone = true;
        await this.#flushBefore(undefined);
        continue;
      }
      if (step.value.kind !== "object") continue;
      const name = step.value.name;
      await this.#enterLevelsOf(name);
      if (name.endsWith(dirObjectSuffix)) continue; // yielded from its level, in key order
      await this.#flushBefore(name);
      this.#ready.push({ key: name, xlMeta: step.value.xlMeta });
    }
  }

  /** Read the directory objects of every directory of `name` under the root, once each. */
  async #enterLevelsOf(name: string): Promise<void> {
    const dirs = ancestorDirs(name, this.#rootDir);
    for (const dir of [...this.#levels.keys()]) {
      if (!dirs.includes(dir) && this.#levels.get(dir)!.length === 0) this.#levels.delete(dir);
    }
    for (const dir of dirs) {
      if (this.#levels.has(dir)) continue;
      this.#levels.set(dir, await this.#dirObjectsOf(dir));
    }
  }

  async #dirObjectsOf(dir: string): Promise<string[]> {
    let names: string[];
    try {
      names = await this.#drive.listDir(this.#bucket, dir.endsWith("/") ? dir.slice(0, -1) : dir);
    } catch {
      return [];
    }
    const suffix = dirObjectSuffix + "/";
    return names
      .filter((name) => name.endsWith(suffix))
      .map((name) => decodeDirObject(dir + name.slice(0, -1)))
      .filter((key) => key.startsWith(this.#prefix) && key > this.#after)
      .sort();
  }

  /** Queue (in order) the pending directory objects sorting before `key` (all when undefined). */
  async #flushBefore(key: string | undefined): Promise<void> {
    const due: string[] = [];
    for (const pending of this.#levels.values()) {
      while (pending.length > 0 && (key === undefined || pending[0] < key)) {
        due.push(pending.shift()!);
      }
    }
    due.sort();
    for (const dirKey of due) {
      const xlMeta = await this.#readDirObject(dirKey);
      if (xlMeta !== undefined) this.#ready.push({ key: dirKey, xlMeta });
    }
  }

  async #readDirObject(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#drive.readMetadata(this.#bucket, encodeDirObject(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    try {
      await this.#iterator.return();
    } catch {
      // Closing a failed walk has nothing left to release.
    }
  }
}

/**
 * Keeps up to `listWalkReadAheadEntries` calls of a walk in flight, so that a drive reads its
 * next entries while the merge waits for the other drives and sets.
 */
class ReadAhead<T> {
  readonly #source: AsyncIterator<T>;
  readonly #pending: Promise<IteratorResult<T>>[] = [];
  #done = false;

  constructor(source: AsyncIterator<T>) {
    this.#source = source;
  }

  next(): Promise<IteratorResult<T>> {
    while (!this.#done && this.#pending.length < listWalkReadAheadEntries) {
      const step = this.#source.next();
      // Rejections are observed by whoever takes the step; never left unhandled meanwhile.
      step.then((result) => {
        if (result.done) this.#done = true;
      }, () => {
        this.#done = true;
      });
      this.#pending.push(step);
    }
    return this.#pending.shift() ?? Promise.resolve({ done: true, value: undefined });
  }

  async return(): Promise<void> {
    this.#done = true;
    await Promise.allSettled(this.#pending.splice(0));
    await this.#source.return?.();
  }
}

/** The directories (each ending in `/`) from `rootDir` down to the one holding `name`. */
function ancestorDirs(name: string, rootDir: string): string[] {
  const dirs: string[] = [rootDir];
  let at = name.indexOf("/", rootDir.length);
  while (at >= 0) {
    dirs.push(name.slice(0, at + 1));
    at = name.indexOf("/", at + 1);
  }
  return dirs;
}

/** The merged keys of one set, sorted, each with the versions a quorum of drives agree on. */
export async function* scanSet(set: ListSet, options: ScanOptions): AsyncGenerator<ListedKey> {
  const cursors = set.drives.map((drive) => new DriveCursor(drive, options));
  try {
    await Promise.all(cursors.map((cursor) => cursor.advance()));
    for (;;) {
      if (options.anyDrive !== true) requireListQuorum(cursors, set.drives.length);
      const key = smallestHead(cursors);
      if (key === undefined) return;
      const holders = cursors.filter((cursor) => cursor.head?.key === key);
      const versions = mergeSetMetadata(holders.map((c) => c.head!.xlMeta), set.drives.length);
      await Promise.all(holders.map((cursor) => cursor.advance()));
      const inRange = key.startsWith(options.prefix) && key > options.after;
      if (inRange && (versions.length > 0 || options.anyDrive === true)) {
        yield { key, versions, poolIndex: set.poolIndex };
      }
    }
  } finally {
    await Promise.all(cursors.map((cursor) => cursor.close()));
  }
}

function smallestHead(cursors: readonly DriveCursor[]): string | undefined {
  let smallest: string | undefined;
  for (const cursor of cursors) {
    const key = cursor.head?.key;
    if (key !== undefined && (smallest === undefined || key < smallest)) smallest = key;
  }
  return smallest;
}

function requireListQuorum(cursors: readonly DriveCursor[], driveCount: number): void {
  const failed = cursors.filter((cursor) => cursor.failed).length;
  if (driveCount - failed >= metadataMergeQuorum(driveCount)) return;
  throw new ObjectError(
    "ReadQuorum",
    `Cannot list: ${failed} of ${driveCount} drives of a set failed to walk`,
  );
}

/** Sorted merge of every set of every pool; a key held by two pools keeps the newer one. */
export async function* scanAll(
  sets: readonly ListSet[],
  options: ScanOptions,
): AsyncGenerator<ListedKey> {
  const streams = sets.map((set) => scanSet(set, options));
  const heads: (ListedKey | undefined)[] = await Promise.all(streams.map(nextOf));
  try {
    for (;;) {
      let best: number | undefined;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head === undefined) continue;
        if (best === undefined || head.key < heads[best]!.key) best = i;
        else if (head.key === heads[best]!.key && newerThan(head, heads[best]!)) best = i;
      }
      if (best === undefined) return;
      const chosen = heads[best]!;
      const same = heads.flatMap((head, i) => (head?.key === chosen.key ? [i] : []));
      await Promise.all(same.map(async (i) => (heads[i] = await nextOf(streams[i]))));
      yield chosen;
    }
  } finally {
    await Promise.all(streams.map((stream) => stream.return(undefined)));
  }
}

async function nextOf(stream: AsyncGenerator<ListedKey>): Promise<ListedKey | undefined> {
  const step = await stream.next();
  return step.done ? undefined : step.value;
}

function newerThan(a: ListedKey, b: ListedKey): boolean {
  return a.versions[0].modTimeNs > b.versions[0].modTimeNs;
}

/** What a listing needs besides the sets: the bucket and how to present versions. */
export interface ListContext {
  sets: readonly ListSet[];
  bucket: string;
  versioning: VersioningState;
}

function clampMaxKeys(maxKeys: number): number {
  if (!Number.isFinite(maxKeys) || maxKeys < 0) return listKeysMax;
  return Math.min(Math.floor(maxKeys), listKeysMax);
}

/** One listed entry: a key's version or a common prefix, in page order. */
type PageEntry<T> = { prefix: string } | { key: string; item: T };

/**
 * The shared paging loop: walk from `startAfter`, roll keys up into common prefixes, skip
 * entries at or before the marker (`isAfterMarker`), stop after `maxKeys` entries and report
 * whether one more exists. `expand` turns one key into its entries (one for ListObjects, one
 * per version for ListObjectVersions, none for a hidden key).
 */
async function collectPage<T>(
  context: ListContext,
  options: { prefix: string; delimiter: string; startAfter: string; maxKeys: number },
  expand: (listed: ListedKey) => T[],
  isAfterMarker: (name: string, item: T | undefined) => boolean,
): Promise<{ entries: PageEntry<T>[]; isTruncated: boolean }> {
  const entries: PageEntry<T>[] = [];
  if (options.maxKeys === 0) return { entries, isTruncated: false };
  let walkAfter = options.startAfter;
  let lastPrefix: string | undefined;
  let skippedInPrefix = 0;
  for (;;) {
    let restartAfter: string | undefined;
    const scan = scanAll(context.sets, {
      bucket: context.bucket,
      prefix: options.prefix,
      after: walkAfter,
    });
    try {
      for await (const listed of scan) {
        if (lastPrefix !== undefined && listed.key.startsWith(lastPrefix)) {
          // Inside a common prefix already counted: skip a few keys, then jump past it.
          // (Keys holding U+FFFF sort past the restart point: never restart at the same place.)
          const past = pastPrefix(lastPrefix);
          if (++skippedInPrefix < listPrefixSkipEntriesMax || past === walkAfter) continue;
          restartAfter = past;
          break;
        }
        const prefix = commonPrefixOf(listed.key, options.prefix, options.delimiter);
        const items = expand(listed);
        if (items.length === 0) continue;
        if (prefix !== undefined) {
          if (isAfterMarker(prefix, undefined)) {
            if (entries.length === options.maxKeys) return { entries, isTruncated: true };
            entries.push({ prefix });
          }
          lastPrefix = prefix;
          skippedInPrefix = 0;
          continue;
        }
        for (const item of items) {
          if (!isAfterMarker(listed.key, item)) continue;
          if (entries.length === options.maxKeys) return { entries, isTruncated: true };
          entries.push({ key: listed.key, item });
        }
      }
    } finally {
      await scan.return(undefined);
    }
    if (restartAfter === undefined) return { entries, isTruncated: false };
    walkAfter = restartAfter;
  }
}

/** ListObjects (v1 and v2): latest versions that are not delete markers, plus common prefixes. */
export async function listObjects(
  context: ListContext,
  options: ListObjectsOptions,
): Promise<ListObjectsResult> {
  const maxKeys = clampMaxKeys(options.maxKeys);
  const { entries, isTruncated } = await collectPage<ObjectInfo>(
    context,
    { prefix: options.prefix, delimiter: options.delimiter, startAfter: options.after, maxKeys },
    (listed) => {
      const latest = listed.versions[0];
      if (latest.kind === "deleteMarker") return [];
      return [latestInfo(context, listed)];
    },
    (name) => name > options.after,
  );
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let nextAfter = "";
  for (const entry of entries) {
    if ("prefix" in entry) {
      prefixes.push(entry.prefix);
      nextAfter = entry.prefix;
    } else {
      objects.push(entry.item);
      nextAfter = entry.key;
    }
  }
  return { objects, prefixes, isTruncated, nextAfter };
}

function latestInfo(context: ListContext, listed: ListedKey): ObjectInfo {
  return toObjectInfo(context.bucket, listed.key, listed.versions[0], {
    versioning: context.versioning,
    isLatest: true,
  });
}

/** The version id text S3 shows in version listings and markers ("null" for the null version). */
export function versionIdText(version: Version): string {
  return version.versionId === "" ? "null" : version.versionId;
}

interface ListedVersion {
  info: ObjectInfo;
  rank: number;
  idText: string;
}

/**
 * ListObjectVersions: every version and delete marker, by key, newest first within a key.
 * The page starts after (keyMarker, versionIdMarker): the versions of keyMarker older than the
 * marker version, then the keys after keyMarker. Without a versionIdMarker all of keyMarker's
 * versions are skipped.
 */
export async function listObjectVersions(
  context: ListContext,
  options: ListVersionsOptions,
): Promise<ListVersionsResult> {
  const maxKeys = clampMaxKeys(options.maxKeys);
  const { keyMarker, versionIdMarker } = options;
  let markerRank = Number.POSITIVE_INFINITY;
  const startAfter = versionIdMarker !== "" && keyMarker !== "" ? justBefore(keyMarker) : keyMarker;
  const { entries, isTruncated } = await collectPage<ListedVersion>(
    context,
    { prefix: options.prefix, delimiter: options.delimiter, startAfter, maxKeys },
    (listed) => {
      const items = listed.versions.map((version, rank) => ({
        info: toObjectInfo(context.bucket, listed.key, version, {
          versioning: context.versioning,
          isLatest: rank === 0,
        }),
        rank,
        idText: versionIdText(version),
      }));
      if (listed.key === keyMarker && versionIdMarker !== "") {
        const found = items.find((item) => item.idText === versionIdMarker);
        markerRank = found === undefined ? Number.POSITIVE_INFINITY : found.rank;
      }
      return items;
    },
    (name, item) => {
      if (name !== keyMarker) return name > keyMarker;
      // The key marker itself (or a prefix equal to it): only versions older than the marker.
      return item !== undefined && item.rank > markerRank;
    },
  );
  const versions: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let nextKeyMarker = "";
  let nextVersionIdMarker = "";
  for (const entry of entries) {
    if ("prefix" in entry) {
      prefixes.push(entry.prefix);
      nextKeyMarker = entry.prefix;
      nextVersionIdMarker = "";
    } else {
      versions.push(entry.item.info);
      nextKeyMarker = entry.key;
      nextVersionIdMarker = entry.item.idText;
    }
  }
  if (!isTruncated) {
    nextKeyMarker = "";
    nextVersionIdMarker = "";
  }
  return { versions, prefixes, isTruncated, nextKeyMarker, nextVersionIdMarker };
}

export interface ListUploadsOptions {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  uploadIdMarker: string;
  maxUploads: number;
}

/** S3 order of uploads: by key, then by initiation time, then by id. */
function compareUploads(a: MultipartUploadInfo, b: MultipartUploadInfo): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  const byTime = a.initiated.getTime() - b.initiated.getTime();
  if (byTime !== 0) return byTime;
  return a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0;
}

/**
 * ListMultipartUploads over the uploads of every set (each set reports its own, unpaged):
 * sorted, rolled up by delimiter, and paged after (keyMarker, uploadIdMarker).
 */
export function pageUploads(
  perSet: readonly MultipartUploadInfo[][],
  options: ListUploadsOptions,
): ListUploadsResult {
  const maxUploads = clampMaxKeys(options.maxUploads);
  const all = perSet.flat().filter((upload) => upload.key.startsWith(options.prefix));
  all.sort(compareUploads);
  const markerIndex = options.uploadIdMarker === ""
    ? -1
    : all.findIndex((u) => u.key === options.keyMarker && u.uploadId === options.uploadIdMarker);
  const uploads: MultipartUploadInfo[] = [];
  const prefixes: string[] = [];
  let nextKeyMarker = "";
  let nextUploadIdMarker = "";
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const upload = all[i];
    const prefix = commonPrefixOf(upload.key, options.prefix, options.delimiter);
    const name = prefix ?? upload.key;
    if (!uploadAfterMarker(name, i, markerIndex, options)) continue;
    if (prefix !== undefined && prefix === prefixes.at(-1)) continue;
    if (count === maxUploads) {
      return { uploads, prefixes, isTruncated: true, nextKeyMarker, nextUploadIdMarker };
    }
    count++;
    if (prefix !== undefined) {
      prefixes.push(prefix);
      nextKeyMarker = prefix;
      nextUploadIdMarker = "";
    } else {
      uploads.push(upload);
      nextKeyMarker = upload.key;
      nextUploadIdMarker = upload.uploadId;
    }
  }
  return { uploads, prefixes, isTruncated: false, nextKeyMarker: "", nextUploadIdMarker: "" };
}

function uploadAfterMarker(
  name: string,
  index: number,
  markerIndex: number,
  options: ListUploadsOptions,
): boolean {
  if (options.keyMarker === "") return true;
  if (name !== options.keyMarker) return name > options.keyMarker;
  // Same key as the marker: with an upload id marker, only the uploads after it.
  return options.uploadIdMarker !== "" && markerIndex >= 0 && index > markerIndex;
}
