/**
 * The sorted walk of a volume shared by every drive (local, memory): objects are directories
 * holding `xl.meta` (never descended into), other directories are prefixes. Names are the
 * stored names (`__XLDIR__` included); order is the lexical order of the yielded names, where
 * a prefix sorts as its name plus `/`.
 */
import type { WalkEntry, WalkOptions } from "./storage_drive.ts";
import { metaVolume, xlMetaName } from "./drive_path.ts";
import { walkStatConcurrency, walkXlMetaReadAhead } from "../limits.ts";

/** What a drive must answer for the walk; paths are relative to the volume, "" is its root. */
export interface WalkSource {
  /** Entries of a directory; undefined when it is missing or not a directory. */
  list(dir: string): Promise<{ name: string; isDirectory: boolean }[] | undefined>;
  /** Whether the directory holds an `xl.meta` file. */
  hasXlMeta(dir: string): Promise<boolean>;
  /** The directory's `xl.meta`, undefined when it vanished meanwhile. */
  readXlMeta(dir: string): Promise<Uint8Array | undefined>;
}

/**
 * A directory of the walk. Whether it is an object decides its sort key (`name` or `name/`),
 * but only against a sibling that extends its name with a character below "/" (such as
 * `a` and `a-b`); for every other directory both keys sort alike, so it stays "unknown"
 * until its `xl.meta` is read (one read instead of a stat and a read).
 */
interface Candidate {
  path: string;
  /** The sort key: the path, plus "/" for a known prefix. */
  key: string;
  kind: "object" | "prefix" | "unknown";
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
  const after = options.after;
  const candidates = await candidatesOf(source, step);
  const reads = new XlMetaReadAhead(source, candidates);
  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index];
    if (candidate.kind !== "prefix") {
      const xlMeta = await reads.take(index);
      if (xlMeta) {
        if (after === undefined || compareNames(candidate.path, after) > 0) {
          yield { kind: "object", name: candidate.path, xlMeta };
        }
        continue;
      }
      if (candidate.kind === "object") continue; // removed meanwhile
    }
    const key = candidate.path + "/";
    if (options.recursive) {
      if (after !== undefined && compareNames(key, after) <= 0 && !after.startsWith(key)) continue;
      yield* walkDir(source, { ...step, dir: key, namePrefix: "" });
    } else {
      if (after !== undefined && compareNames(key, after) <= 0) continue;
      yield { kind: "prefix", name: key };
    }
  }
}

/**
 * Reads of the objects' `xl.meta` in walk order, at most `walkXlMetaReadAhead` ahead of the
 * one taken. A read started but never taken (the consumer stopped) has its failure ignored.
 */
class XlMetaReadAhead {
  readonly #pending = new Map<number, Promise<Uint8Array | undefined>>();
  #nextIndex = 0;

  constructor(
    private readonly source: WalkSource,
    private readonly candidates: readonly Candidate[],
  ) {}

  take(index: number): Promise<Uint8Array | undefined> {
    this.#fill(index);
    const read = this.#pending.get(index)!;
    this.#pending.delete(index);
    return read;
  }

  #fill(index: number): void {
    this.#nextIndex = Math.max(this.#nextIndex, index);
    while (this.#pending.size < walkXlMetaReadAhead && this.#nextIndex < this.candidates.length) {
      const at = this.#nextIndex++;
      const candidate = this.candidates[at];
      if (candidate.kind === "prefix") continue;
      const read = this.source.readXlMeta(candidate.path);
      read.catch(() => {}); // observed when taken; ignored if never taken
      this.#pending.set(at, read);
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
  const paths: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith(step.namePrefix)) continue;
    if (skipMeta && entry.name === metaVolume) continue;
    const path = step.dir + entry.name;
    // Both the object name and the prefix name sort at or before `after`: skip without a stat.
    const asPrefix = path + "/";
    if (after !== undefined && compareNames(asPrefix, after) <= 0 && !after.startsWith(asPrefix)) {
      continue;
    }
    paths.push(path);
  }
  const ambiguous = ambiguousPaths(paths);
  const isObject = await mapBounded(
    ambiguous,
    walkStatConcurrency,
    (path) => source.hasXlMeta(path),
  );
  const known = new Map(ambiguous.map((path, i) => [path, isObject[i]]));
  const candidates = paths.map((path): Candidate => {
    const object = known.get(path);
    if (object === undefined) return { path, key: path, kind: "unknown" };
    return object ? { path, key: path, kind: "object" } : { path, key: path + "/", kind: "prefix" };
  });
  return candidates.sort((a, b) => compareNames(a.key, b.key));
}

/** Paths with a sibling that extends them by a character sorting below "/" (`a` and `a-b`). */
function ambiguousPaths(paths: readonly string[]): string[] {
  const sorted = [...paths].sort(compareNames);
  const ambiguous: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const path = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].startsWith(path); j++) {
      if (sorted[j].charCodeAt(path.length) < 0x2f) {
        ambiguous.push(path);
        break;
      }
    }
  }
  return ambiguous;
}

/** `step` over every item with at most `concurrency` calls in flight; results in item order. */
async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  step: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await step(items[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
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
