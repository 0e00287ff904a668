/**
 * Whether two copies of a version (from different drives) carry the same signed content: the
 * structural equality that the version signature (spec §4.6) fingerprints. Comparing fields is
 * much cheaper than hashing, so the quorum merge compares first and hashes only to break ties.
 *
 * Included, as in the signature: id, data dir, EcM/EcN/block size/distribution, parts (number,
 * ETag, sizes), compression indexes, size, ModTime, MetaSys and MetaUsr (as maps). Excluded:
 * EcIndex (differs per drive) and `writtenByVersion`.
 */

import type { DeleteMarkerVersion, ObjectVersion, Version } from "./types.ts";

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

function bytesMapsEqual(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || !bytesEqual(value, other)) return false;
  }
  return true;
}

function strMapsEqual(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    if (b.get(key) !== value) return false;
  }
  return true;
}

function objectsEqual(a: ObjectVersion, b: ObjectVersion): boolean {
  const ea = a.erasure, eb = b.erasure;
  const sameErasure = ea.dataShards === eb.dataShards && ea.parityShards === eb.parityShards &&
    ea.blockSizeBytes === eb.blockSizeBytes && ea.distribution.length === eb.distribution.length &&
    ea.distribution.every((shard, i) => shard === eb.distribution[i]);
  const sameParts = a.parts.length === b.parts.length && a.parts.every((part, i) => {
    const other = b.parts[i];
    return part.number === other.number && part.etag === other.etag &&
      part.sizeBytes === other.sizeBytes && part.actualSizeBytes === other.actualSizeBytes;
  });
  const indicesA = a.partIndices ?? [], indicesB = b.partIndices ?? [];
  const sameIndices = indicesA.length === indicesB.length &&
    indicesA.every((index, i) => bytesEqual(index, indicesB[i]));
  return a.versionId === b.versionId && a.dataDir === b.dataDir && sameErasure && sameParts &&
    sameIndices && a.sizeBytes === b.sizeBytes && a.modTimeNs === b.modTimeNs &&
    bytesMapsEqual(a.metaSys, b.metaSys) && strMapsEqual(a.metaUser, b.metaUser);
}

function markersEqual(a: DeleteMarkerVersion, b: DeleteMarkerVersion): boolean {
  return a.versionId === b.versionId && a.modTimeNs === b.modTimeNs &&
    bytesMapsEqual(a.metaSys, b.metaSys);
}

/**
 * True when both copies have the same signed content; undefined for legacy versions, whose
 * drive-specific fields sit inside raw bytes (compare their signatures instead).
 */
export function sameSignedContent(a: Version, b: Version): boolean | undefined {
  if (a.kind === "object" && b.kind === "object") return objectsEqual(a, b);
  if (a.kind === "deleteMarker" && b.kind === "deleteMarker") return markersEqual(a, b);
  if (a.kind === "legacy" || b.kind === "legacy") return undefined;
  return false;
}
