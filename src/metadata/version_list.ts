/**
 * Operations on the version list of one xl.meta (spec §4.12) and the quorum merge of the lists
 * read from several drives (§8.3 step 2).
 *
 * The list helpers change the given `XlMeta` in place and keep it in header sort order.
 */

import type { Version, XlMeta } from "./types.ts";
import { normalizeVersionId, versionKey } from "./uuid_bytes.ts";
import { versionType } from "./version_body.ts";
import {
  compareHeaders,
  type HeaderFields,
  headerFields,
  headerFieldsEqual,
  headersEqual,
  isFreeVersion,
  type VersionHeader,
  versionHeader,
} from "./version_header.ts";
import { sameSignedContent } from "./version_content.ts";

/** Sort order of two versions; headers (and so signatures) are only computed on ties. */
export function compareVersions(a: Version, b: Version): number {
  if (a.modTimeNs !== b.modTimeNs) return a.modTimeNs > b.modTimeNs ? -1 : 1;
  if (a.kind !== b.kind) return versionType[a.kind] - versionType[b.kind];
  return compareHeaders(versionHeader(a), versionHeader(b));
}

/**
 * Adds a version, or replaces the version with the same id (of any type), keeping sort order.
 * `inlineData` is stored under the version's key ("null" for the null version); without it any
 * inline data of a replaced version is dropped. A zero-size inline object passes an empty array.
 */
export function addVersion(meta: XlMeta, version: Version, inlineData?: Uint8Array): XlMeta {
  const id = normalizeVersionId(version.versionId);
  const existing = meta.versions.findIndex((v) => normalizeVersionId(v.versionId) === id);
  if (existing >= 0) meta.versions.splice(existing, 1);
  let position = meta.versions.findIndex((v) => compareVersions(version, v) < 0);
  if (position < 0) position = meta.versions.length;
  meta.versions.splice(position, 0, version);
  if (inlineData !== undefined) meta.inlineData.set(versionKey(id), inlineData);
  else meta.inlineData.delete(versionKey(id));
  return meta;
}

/** Removes a version ("null" or "" for the null version) and its inline data. */
export function deleteVersion(meta: XlMeta, versionId: string): Version | undefined {
  const id = normalizeVersionId(versionId);
  const index = meta.versions.findIndex((v) => normalizeVersionId(v.versionId) === id);
  if (index < 0) return undefined;
  const [removed] = meta.versions.splice(index, 1);
  meta.inlineData.delete(versionKey(id));
  return removed;
}

/** The version with this id ("null" or "" for the null version). */
export function findVersion(meta: XlMeta, versionId: string): Version | undefined {
  const id = normalizeVersionId(versionId);
  return meta.versions.find((v) => normalizeVersionId(v.versionId) === id);
}

/** The newest version that is not a free version; may be a delete marker. */
export function latestVersion(meta: XlMeta): Version | undefined {
  return meta.versions.find((v) => !isFreeVersion(v));
}

// --------------------------------------------------------------------------------------- merge

/**
 * A version in a drive's list, with its header fields; the signature is derived only when a
 * comparison needs it (copies with equal content agree without hashing).
 */
class Entry {
  readonly version: Version;
  readonly fields: HeaderFields;
  #header: VersionHeader | undefined;
  constructor(version: Version) {
    this.version = version;
    this.fields = headerFields(version);
  }
  get header(): VersionHeader {
    this.#header ??= versionHeader(this.version);
    return this.#header;
  }
}

/** Identical headers (as `headersEqual`), deciding on content before hashing. */
function entriesEqual(a: Entry, b: Entry): boolean {
  if (!headerFieldsEqual(a.fields, b.fields)) return false;
  return sameSignedContent(a.version, b.version) ?? headersEqual(a.header, b.header);
}

/** `compareHeaders` of the two entries, hashing only for same ModTime and type. */
function compareEntries(a: Entry, b: Entry): number {
  const fa = a.fields, fb = b.fields;
  if (fa.modTimeNs !== fb.modTimeNs) return fa.modTimeNs > fb.modTimeNs ? -1 : 1;
  if (fa.type !== fb.type) return fa.type - fb.type;
  return compareHeaders(a.header, b.header);
}

const nullId = "";

/** Headers of version 3 carry EcM/EcN; MinIO compares them only when both are non-zero. */
function hasErasure(h: HeaderFields): boolean {
  return h.ecM > 0 && h.ecN > 0;
}

/** Non-strict agreement: same id and type, same EcM/EcN when both have them (§8.3). */
function matchesNotStrict(a: HeaderFields, b: HeaderFields): boolean {
  const same = a.versionId === b.versionId && a.type === b.type && sameErasure(a, b);
  return a.versionId === nullId ? same && a.modTimeNs === b.modTimeNs : same;
}

function withoutSignature(h: HeaderFields): VersionHeader {
  return { ...h, signature: new Uint8Array(4) };
}

function sameErasure(a: HeaderFields, b: HeaderFields): boolean {
  return !hasErasure(a) || !hasErasure(b) || (a.ecM === b.ecM && a.ecN === b.ecN);
}

/**
 * Same id as `trigger`, but headers that cannot be reconciled: the most common header wins
 * (non-strict: signatures ignored, and only headers whose EcM/EcN agree with `trigger` count).
 */
function countById(tops: Entry[], trigger: HeaderFields, strict: boolean): [Entry, number] {
  const groups: { key: Entry; entry: Entry; count: number }[] = [];
  for (const entry of tops) {
    if (entry.fields.versionId !== trigger.versionId) continue;
    if (!strict && !sameErasure(entry.fields, trigger)) continue;
    const group = groups.find((g) =>
      strict ? entriesEqual(g.key, entry) : headerFieldsEqual(g.key.fields, entry.fields)
    );
    if (group) {
      group.count++;
      group.entry = entry;
    } else groups.push({ key: entry, entry, count: 1 });
  }
  groups.sort((a, b) =>
    b.count - a.count || (strict ? compareEntries(a.key, b.key) : compareFields(a.key, b.key))
  );
  return [groups[0].entry, groups[0].count];
}

/** Sort order with signatures ignored (the non-strict counting key). */
function compareFields(a: Entry, b: Entry): number {
  return compareHeaders(withoutSignature(a.fields), withoutSignature(b.fields));
}

/** The newest top header and how many drives agree with it. */
function pickLatest(tops: Entry[], strict: boolean): [Entry, number] {
  let latest = tops[0];
  let count = 1;
  for (const entry of tops.slice(1)) {
    const h = entry.fields;
    if (entriesEqual(entry, latest)) {
      count++;
    } else if (compareEntries(entry, latest) < 0) {
      const agrees = !strict && matchesNotStrict(h, latest.fields);
      // Same id but irreconcilable: count. (MinIO takes the newer header with count 1 here,
      // which makes the outcome depend on drive order; counting does not.)
      if (!agrees && h.versionId === latest.fields.versionId) {
        return countById(tops, h, strict);
      }
      count = agrees ? count + 1 : 1;
      latest = entry;
    } else if (!strict && matchesNotStrict(h, latest.fields)) {
      count++;
    } else if (h.versionId === latest.fields.versionId) {
      return countById(tops, h, strict);
    }
  }
  return [latest, count];
}

/** Drops from the front of each list what the chosen entry consumed or made obsolete. */
function dropConsumed(lists: Entry[][], latest: Entry, emitted: Set<string>): void {
  const chosen = latest.fields;
  for (const list of lists) {
    while (list.length > 0) {
      const h = list[0].fields;
      // An identical header has the same id, so the id test covers MinIO's "same header" one.
      const consumed = h.modTimeNs > chosen.modTimeNs || h.versionId === chosen.versionId ||
        emitted.has(h.versionId);
      if (!consumed) break;
      list.shift();
    }
  }
}

export interface MergeOptions {
  /** Require identical headers, signatures included (default false; forced for quorum 1). */
  strict?: boolean;
  /** Stop after this many merged versions (e.g. 1 to find the latest); default all. */
  limit?: number;
}

/**
 * Merges the version lists read from several drives (undefined = drive without xl.meta) into
 * the versions present on at least `quorum` drives, newest first (§8.3 step 2). Non-strict by
 * default: drives agree on a version when id, type and EcM/EcN match, whatever the signature.
 * With quorum 1 the merge is strict, as in MinIO. Signatures are computed only for versions
 * the merge reaches, so `limit: 1` costs little on objects with many versions.
 */
export function mergeVersions(
  metas: (XlMeta | undefined)[],
  quorum: number,
  options: MergeOptions = {},
): Version[] {
  const q = Math.max(1, quorum);
  const strict = (options.strict ?? false) || q === 1;
  const limit = options.limit ?? Infinity;
  const lists: Entry[][] = metas.filter((m) => m !== undefined).map((m) =>
    m.versions.map((version) => new Entry(version))
  );
  if (lists.length < q) return [];
  if (lists.length === 1) return lists[0].slice(0, limit).map((e) => e.version);
  const merged: Version[] = [];
  const emitted = new Set<string>();
  while (merged.length < limit) {
    const tops = lists.filter((list) => list.length > 0).map((list) => list[0]);
    if (tops.length < q) break;
    const [latest, count] = pickLatest(tops, strict);
    if (count >= q) {
      merged.push(latest.version);
      emitted.add(latest.fields.versionId);
    }
    dropConsumed(lists, latest, emitted);
  }
  return merged;
}
