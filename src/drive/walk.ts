/**
 * The sorted walk of a volume shared by every drive (local, memory): objects are directories
 * holding `xl.meta` (never descended into), other directories are prefixes. Names are the
 * stored names (`__XLDIR__` included); order is the lexical order of the yielded names, where
 * a prefix sorts as its name plus `/`.
 */
import type { WalkEntry, WalkOptions } from "./storage_drive.ts";
import { metaVolume, xlMetaName } from "./drive_path.ts";

/** What a drive must answer for the walk; paths are relative to the volume, "" is its root. */
export interface WalkSource {
  /** Entries of a directory; undefined when it is missing or not a directory. */
  list(dir: string): Promise<{ name: string; isDirectory: boolean }[] | undefined>;
  /** Whether the directory holds an `xl.meta` file. */
  hasXlMeta(dir: string): Promise<boolean>;
  /** The directory's `xl.meta`, undefined when it vanished meanwhile. */
  readXlMeta(dir: string): Promise<Uint8Array | undefined>;
}

interface Candidate {
  path: string;
  /** The sort key: the path, plus "/" for a prefix. */
  key: string;
  isObject: boolean;
}

export async function* walkVolume(
  source: WalkSource,
  volume: string,
  options: WalkOptions,
): AsyncGenerator<WalkEntry> {
  const slash = options.prefix.lastIndexOf("/");
  const baseDir = options.prefix.slice(0, slash + 1);
  const namePrefix = options.prefix.slice(slash + 1);
  yield* walkDir(source, { volume, options, dir: baseDir, namePrefix });
}

interface WalkStep {
  volume: string;
  options: WalkOptions;
  /** "" or a path ending in "/". */
  dir: string;
  namePrefix: string;
}

async function* walkDir(source: WalkSource, step: WalkStep): AsyncGenerator<WalkEntry> {
  const { options } = step;
  const candidates = await candidatesOf(source, step);
  for (const candidate of candidates) {
    const after = options.after;
    if (candidate.isObject) {
      if (after !== undefined && compareNames(candidate.key, after) <= 0) continue;
      const xlMeta = await source.readXlMeta(candidate.path);
      if (xlMeta) yield { kind: "object", name: candidate.path, xlMeta };
    } else if (options.recursive) {
      if (
        after !== undefined && compareNames(candidate.key, after) <= 0 &&
        !after.startsWith(candidate.key)
      ) continue;
      yield* walkDir(source, { ...step, dir: candidate.key, namePrefix: "" });
    } else {
      if (after !== undefined && compareNames(candidate.key, after) <= 0) continue;
      yield { kind: "prefix", name: candidate.key };
    }
  }
}

/** The directories of `step.dir` matching the name prefix, classified and sorted. */
async function candidatesOf(source: WalkSource, step: WalkStep): Promise<Candidate[]> {
  const dirPath = step.dir.endsWith("/") ? step.dir.slice(0, -1) : step.dir;
  const entries = await source.list(dirPath);
  if (!entries) return [];
  // A directory that holds xl.meta is an object: its sub-directories are data dirs.
  if (dirPath !== "" && entries.some((e) => !e.isDirectory && e.name === xlMetaName)) return [];
  const skipMeta = dirPath === "" && step.volume !== metaVolume;
  const after = step.options.after;
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith(step.namePrefix)) continue;
    if (skipMeta && entry.name === metaVolume) continue;
    const path = step.dir + entry.name;
    // Both the object name and the prefix name sort at or before `after`: skip without a stat.
    const asPrefix = path + "/";
    if (after !== undefined && compareNames(asPrefix, after) <= 0 && !after.startsWith(asPrefix)) {
      continue;
    }
    const isObject = await source.hasXlMeta(path);
    candidates.push({ path, key: isObject ? path : path + "/", isObject });
  }
  return candidates.sort((a, b) => compareNames(a.key, b.key));
}

/**
 * Order of UTF-8 bytes (= code point order), which S3 listings use. UTF-16 code-unit order
 * differs only between surrogates and U+E000..U+FFFF, so those are shifted before comparing.
 */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(codeUnit: number): number {
  if (codeUnit >= 0xd800 && codeUnit <= 0xdfff) return codeUnit + 0x2000;
  if (codeUnit >= 0xe000) return codeUnit - 0x800;
  return codeUnit;
}
