/**
 * Version headers (`xlMetaV2VersionHeader`, spec §4.4): the small per-version tuple stored
 * before each body in v1.3 files, derived from the body, signed with a drive-independent
 * fingerprint (§4.6) and ordered newest first (§4.4.3).
 */

import { decodeUtf8, encodeUtf8, MsgpackReader, MsgpackWriter } from "./msgpack.ts";
import type { DeleteMarkerVersion, LegacyVersion, ObjectVersion, Version } from "./types.ts";
import { uuidFromBytes, uuidToBytes } from "./uuid_bytes.ts";
import { versionType, writeDelObj, writeV2Obj } from "./version_body.ts";
import { XlMetaError } from "./xl_meta_error.ts";
import { xxh3, xxh64 } from "./xxhash.ts";

/** Header flag bits (`xlFlags`). */
export const headerFlags = { freeVersion: 1, usesDataDir: 2, inlineData: 4 } as const;

/** Current header layout: the 7-array with EcN/EcM (§4.4.1). */
export const headerVersionCurrent = 3;

export interface VersionHeader {
  /** "" for the null version. */
  versionId: string;
  modTimeNs: bigint;
  /** 4 bytes (§4.6). */
  signature: Uint8Array;
  /** 1 object, 2 delete marker, 3 legacy. */
  type: number;
  /** `headerFlags` bits. */
  flags: number;
  /** Parity shards; 0 for non-objects and in header version 1–2 files. */
  ecN: number;
  /** Data shards; 0 for non-objects and in header version 1–2 files. */
  ecM: number;
}

/** MetaSys keys that change header flags (§4.4.2, §4.9). */
export const metaSysKeys = {
  inlineData: "x-minio-internal-inline-data",
  freeVersion: "x-minio-internal-free-version",
  transitionStatus: "x-minio-internal-transition-status",
} as const;

const mask64 = 0xffff_ffff_ffff_ffffn;

// ----------------------------------------------------------------------------------- signature

function hashPair(key: Uint8Array, value: Uint8Array): bigint {
  return ((xxh3(key) ^ 0x4ee3bbaf7ab2506bn) + (xxh3(value) ^ 0x8da4c8da66194257n)) & mask64;
}

/** `hashStrMap` of §4.6: order-independent hash of a str→str map. */
export function hashStrMap(map: Map<string, string>): bigint {
  let acc = 0xc2b40bbac11a7295n;
  for (const [key, value] of map) acc ^= hashPair(encodeUtf8(key), encodeUtf8(value));
  return acc;
}

/** `hashBytesMap` of §4.6: order-independent hash of a str→bytes map. */
export function hashBytesMap(map: Map<string, Uint8Array>): bigint {
  let acc = 0x1bbc7e1dde654743n;
  for (const [key, value] of map) acc ^= hashPair(encodeUtf8(key), value);
  return acc;
}

function fold(c: bigint): Uint8Array {
  const folded = Number((c ^ (c >> 32n)) & 0xffff_ffffn);
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, folded, true);
  return bytes;
}

function objectSignature(version: ObjectVersion): Uint8Array {
  const writer = new MsgpackWriter(512);
  writeV2Obj(writer, version, { ecIndex: 0, withoutMeta: true });
  const c = hashStrMap(version.metaUser) ^ hashBytesMap(version.metaSys);
  return fold(c ^ xxh64(writer.bytes()));
}

function deleteMarkerSignature(marker: DeleteMarkerVersion): Uint8Array {
  const writer = new MsgpackWriter(64);
  writeDelObj(writer, marker, false);
  return fold(hashBytesMap(marker.metaSys) ^ xxh64(writer.bytes()));
}

/**
 * Copies one msgp map value, letting `edit` replace the value of chosen keys; returns the
 * copy. Keys and untouched values are copied byte for byte.
 */
function editMap(
  raw: Uint8Array,
  edit: (key: string, reader: MsgpackReader, writer: MsgpackWriter) => boolean,
): Uint8Array {
  const reader = new MsgpackReader(raw);
  const writer = new MsgpackWriter(raw.length + 16);
  const count = reader.readMapHeader();
  writer.mapHeader(count);
  for (let i = 0; i < count; i++) {
    const keyStart = reader.offset;
    const key = reader.readKey();
    writer.raw(raw.subarray(keyStart, reader.offset));
    if (!edit(key, reader, writer)) writer.raw(reader.readRaw());
  }
  return writer.bytes();
}

function legacyMeta(raw: Uint8Array): Map<string, string> {
  const reader = new MsgpackReader(raw);
  for (let i = reader.readMapHeader(); i > 0; i--) {
    if (reader.readKey() !== "Meta") {
      reader.skip();
      continue;
    }
    const meta = new Map<string, string>();
    if (reader.tryNil()) return meta;
    for (let j = reader.readMapHeader(); j > 0; j--) meta.set(reader.readStr(), reader.readStr());
    return meta;
  }
  return new Map();
}

/** §4.6 legacy rule: Erasure.Index = 0, Minio.Release = "", Meta hashed then nil. */
function legacySignature(version: LegacyVersion): Uint8Array {
  const raw = version.raw as Uint8Array;
  const stripped = editMap(raw, (key, reader, writer) => {
    if (key === "Meta") {
      reader.skip();
      writer.nil();
      return true;
    }
    if (key !== "Erasure" && key !== "Minio") return false;
    const inner = key === "Erasure" ? "Index" : "Release";
    writer.raw(editMap(reader.readRaw(), (innerKey, innerReader, innerWriter) => {
      if (innerKey !== inner) return false;
      innerReader.skip();
      if (inner === "Index") innerWriter.int(0);
      else innerWriter.str("");
      return true;
    }));
    return true;
  });
  return fold(hashStrMap(legacyMeta(raw)) ^ xxh64(stripped));
}

/** The 4-byte signature of a version (§4.6). */
export function versionSignature(version: Version): Uint8Array {
  if (version.kind === "object") return objectSignature(version);
  if (version.kind === "deleteMarker") return deleteMarkerSignature(version);
  try {
    return legacySignature(version);
  } catch {
    return new Uint8Array([0x65, 0x72, 0x72, 0x00]);
  }
}

// -------------------------------------------------------------------------------- derivation

function objectFlags(version: ObjectVersion): number {
  let flags = 0;
  const transition = version.metaSys.get(metaSysKeys.transitionStatus);
  const transitioned = transition !== undefined &&
    decodeUtf8(transition) === "complete";
  // MinIO also keeps UsesDataDir for a transitioned object restored on disk; that depends on
  // the restore expiry and the clock, so here the presence of x-amz-restore stands for it.
  const restored = [...version.metaUser.keys()].some((k) => k.toLowerCase() === "x-amz-restore");
  if (!transitioned || restored) flags |= headerFlags.usesDataDir;
  if (version.metaSys.has(metaSysKeys.inlineData)) flags |= headerFlags.inlineData;
  return flags;
}

/** True for a delete marker that only tracks tiered data to free (hidden from listings). */
export function isFreeVersion(version: Version): boolean {
  return version.kind === "deleteMarker" && version.metaSys.has(metaSysKeys.freeVersion);
}

/** A header without its signature: everything cheap to derive. */
export type HeaderFields = Omit<VersionHeader, "signature">;

/** The header fields MinIO derives from a version body (§4.4.2), signature aside. */
export function headerFields(version: Version): HeaderFields {
  const fields: HeaderFields = {
    versionId: version.versionId,
    modTimeNs: version.modTimeNs,
    type: versionType[version.kind],
    flags: 0,
    ecN: 0,
    ecM: 0,
  };
  if (version.kind === "object") {
    fields.flags = objectFlags(version);
    fields.ecN = version.erasure.parityShards & 0xff;
    fields.ecM = version.erasure.dataShards & 0xff;
  } else if (isFreeVersion(version)) fields.flags = headerFlags.freeVersion;
  return fields;
}

/** The header MinIO derives from a version body (§4.4.2). */
export function versionHeader(version: Version): VersionHeader {
  return { ...headerFields(version), signature: versionSignature(version) };
}

// -------------------------------------------------------------------------------- sort order

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * Negative when `a` sorts before `b` (§4.4.3): newer ModTime, then smaller Type, larger
 * Signature, larger VersionID, larger Flags. Zero for identical headers.
 */
export function compareHeaders(a: VersionHeader, b: VersionHeader): number {
  if (a.modTimeNs !== b.modTimeNs) return a.modTimeNs > b.modTimeNs ? -1 : 1;
  if (a.type !== b.type) return a.type - b.type;
  const bySignature = compareBytes(b.signature, a.signature);
  if (bySignature !== 0) return bySignature;
  const byId = compareBytes(uuidToBytes(b.versionId), uuidToBytes(a.versionId));
  if (byId !== 0) return byId;
  return b.flags - a.flags;
}

/** Identical header fields, signature aside. */
export function headerFieldsEqual(a: HeaderFields, b: HeaderFields): boolean {
  return a.versionId === b.versionId && a.modTimeNs === b.modTimeNs && a.type === b.type &&
    a.flags === b.flags && a.ecN === b.ecN && a.ecM === b.ecM;
}

/** Identical headers, field by field (EcN/EcM included). */
export function headersEqual(a: VersionHeader, b: VersionHeader): boolean {
  return headerFieldsEqual(a, b) && compareBytes(a.signature, b.signature) === 0;
}

// -------------------------------------------------------------------------------- wire format

/** Encodes a header as header version 3 (fixarray of 7). */
export function encodeHeader(header: VersionHeader): Uint8Array {
  const writer = new MsgpackWriter(48);
  writer.arrayHeader(7);
  writer.bin(uuidToBytes(header.versionId));
  writer.int(header.modTimeNs);
  writer.bin(header.signature);
  writer.uint(header.type);
  writer.uint(header.flags);
  writer.uint(header.ecN);
  writer.uint(header.ecM);
  return writer.bytes();
}

const headerFieldCounts: Record<number, number> = { 1: 4, 2: 5, 3: 7 };

/** Decodes a stored header of the given header version (1, 2 or 3). */
export function decodeHeader(bytes: Uint8Array, headerVersion: number): VersionHeader {
  const reader = new MsgpackReader(bytes);
  const count = reader.readArrayHeader();
  if (count !== headerFieldCounts[headerVersion]) {
    throw new XlMetaError(
      "corrupt",
      `Cannot decode header: ${count} fields for header version ${headerVersion}`,
    );
  }
  const versionId = uuidFromBytes(reader.readBinFixed(16));
  const modTimeNs = reader.readInt64();
  const signature = headerVersion >= 2 ? reader.readBinFixed(4).slice() : new Uint8Array(4);
  const type = reader.readUint(255);
  const flags = reader.readUint(255);
  const ecN = headerVersion >= 3 ? reader.readUint(255) : 0;
  const ecM = headerVersion >= 3 ? reader.readUint(255) : 0;
  if (reader.remaining !== 0) {
    throw new XlMetaError("corrupt", `Cannot decode header: ${reader.remaining} trailing bytes`);
  }
  if (type < versionType.object || type > versionType.legacy) {
    throw new XlMetaError("corrupt", `Cannot decode header: version type ${type}`);
  }
  return { versionId, modTimeNs, signature, type, flags, ecN, ecM };
}
