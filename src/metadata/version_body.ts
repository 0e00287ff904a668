/**
 * One xl.meta version body (`xlMetaV2Version`, spec §4.5): a msgp map holding a `V2Obj`
 * (object), a `DelObj` (delete marker) or a `V1Obj` (legacy object), plus `"v"`.
 *
 * Decoding accepts any key order, str or bin keys and any integer width (§4.1.2); encoding
 * writes MinIO's key order and encodings exactly (§4.1.1, §4.5.1), because the same bytes feed
 * the version signature (§4.6).
 */

import { MsgpackReader, MsgpackWriter, timeToUnixNs } from "./msgpack.ts";
import type {
  DeleteMarkerVersion,
  LegacyVersion,
  ObjectPart,
  ObjectVersion,
  Version,
} from "./types.ts";
import { uuidFromBytes, uuidToBytes } from "./uuid_bytes.ts";
import { XlMetaError } from "./xl_meta_error.ts";

/** `VersionType` values (§4.4.1). */
export const versionType = { object: 1, deleteMarker: 2, legacy: 3 } as const;

/** `ErasureAlgorithm` ReedSolomon and `ChecksumAlgo` HighwayHash: the only valid values. */
const reedSolomonAlgo = 1;
const highwayHashAlgo = 1;

/**
 * The `"v"` written for versions that carry none: RELEASE.2025-04-22T22-12-26Z as Unix seconds.
 * Any plausible release works (§13); this one is after the PartIdx repair window that meta
 * version 3 closes, so MinIO applies no load-time fixes to what we write.
 */
export const writtenByVersionDefault = 1745359946n;

// ------------------------------------------------------------------------------------ decoding

interface V2ObjFields {
  id: Uint8Array;
  dataDir: Uint8Array;
  ecAlgo: number;
  ecM: number;
  ecN: number;
  ecBSize: number;
  ecIndex: number;
  ecDist: number[];
  cSumAlgo: number;
  partNums: number[];
  partETags: string[] | null;
  partSizes: number[];
  partASizes: number[] | null;
  partIdx: Uint8Array[] | undefined;
  size: number;
  mTime: bigint;
  metaSys: Map<string, Uint8Array>;
  metaUsr: Map<string, string>;
}

function readArray<T>(reader: MsgpackReader, readItem: () => T): T[] {
  if (reader.tryNil()) return [];
  const items: T[] = [];
  for (let i = reader.readArrayHeader(); i > 0; i--) items.push(readItem());
  return items;
}

function readNullableArray<T>(reader: MsgpackReader, readItem: () => T): T[] | null {
  if (reader.tryNil()) return null;
  return readArray(reader, readItem);
}

export function readBytesMap(reader: MsgpackReader): Map<string, Uint8Array> {
  const map = new Map<string, Uint8Array>();
  if (reader.tryNil()) return map;
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readStr();
    map.set(key, reader.readBin());
  }
  return map;
}

export function readStrMap(reader: MsgpackReader): Map<string, string> {
  const map = new Map<string, string>();
  if (reader.tryNil()) return map;
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readStr();
    map.set(key, reader.readStr());
  }
  return map;
}

function emptyV2Obj(): V2ObjFields {
  return {
    id: new Uint8Array(16),
    dataDir: new Uint8Array(16),
    ecAlgo: 0,
    ecM: 0,
    ecN: 0,
    ecBSize: 0,
    ecIndex: 0,
    ecDist: [],
    cSumAlgo: 0,
    partNums: [],
    partETags: null,
    partSizes: [],
    partASizes: null,
    partIdx: undefined,
    size: 0,
    mTime: 0n,
    metaSys: new Map(),
    metaUsr: new Map(),
  };
}

function readV2ObjField(reader: MsgpackReader, key: string, f: V2ObjFields): void {
  const int = () => reader.readInt();
  switch (key) {
    case "ID":
      f.id = reader.readBinFixed(16);
      return;
    case "DDir":
      f.dataDir = reader.readBinFixed(16);
      return;
    case "EcAlgo":
      f.ecAlgo = reader.readUint(255);
      return;
    case "EcM":
      f.ecM = int();
      return;
    case "EcN":
      f.ecN = int();
      return;
    case "EcBSize":
      f.ecBSize = int();
      return;
    case "EcIndex":
      f.ecIndex = int();
      return;
    case "EcDist":
      f.ecDist = readArray(reader, () => reader.readUint(255));
      return;
    case "CSumAlgo":
      f.cSumAlgo = reader.readUint(255);
      return;
    case "PartNums":
      f.partNums = readArray(reader, int);
      return;
    case "PartETags":
      f.partETags = readNullableArray(reader, () => reader.readStr());
      return;
    case "PartSizes":
      f.partSizes = readArray(reader, int);
      return;
    case "PartASizes":
      f.partASizes = readNullableArray(reader, int);
      return;
    case "PartIdx":
      f.partIdx = readNullableArray(reader, () => reader.readBin()) ?? undefined;
      return;
    case "Size":
      f.size = int();
      return;
    case "MTime":
      f.mTime = reader.readInt64();
      return;
    case "MetaSys":
      f.metaSys = readBytesMap(reader);
      return;
    case "MetaUsr":
      f.metaUsr = readStrMap(reader);
      return;
    default:
      reader.skip();
  }
}

function corrupt(message: string): never {
  throw new XlMetaError("corrupt", message);
}

function checkV2Obj(f: V2ObjFields): void {
  const id = uuidFromBytes(f.id) || "null";
  if (f.ecAlgo !== reedSolomonAlgo) corrupt(`Cannot decode version "${id}": EcAlgo ${f.ecAlgo}`);
  if (f.cSumAlgo !== highwayHashAlgo) {
    corrupt(`Cannot decode version "${id}": CSumAlgo ${f.cSumAlgo}`);
  }
  if (f.ecM <= 0 || f.ecN < 0 || f.ecM < f.ecN) {
    corrupt(`Cannot decode version "${id}": EcM ${f.ecM} EcN ${f.ecN}`);
  }
  if (f.mTime <= 0n) corrupt(`Cannot decode version "${id}": MTime ${f.mTime}`);
  const partCount = f.partNums.length;
  const lengthsMatch = f.partSizes.length === partCount &&
    (f.partETags === null || f.partETags.length === partCount) &&
    (f.partASizes === null || f.partASizes.length === partCount);
  if (!lengthsMatch) corrupt(`Cannot decode version "${id}": part arrays differ in length`);
}

function objectFromFields(f: V2ObjFields, writtenByVersion: bigint | undefined): ObjectVersion {
  checkV2Obj(f);
  const parts: ObjectPart[] = f.partNums.map((number, i) => ({
    number,
    etag: f.partETags?.[i] ?? "",
    sizeBytes: f.partSizes[i],
    actualSizeBytes: f.partASizes?.[i] ?? f.partSizes[i],
  }));
  const version: ObjectVersion = {
    kind: "object",
    versionId: uuidFromBytes(f.id),
    dataDir: uuidFromBytes(f.dataDir),
    erasure: {
      dataShards: f.ecM,
      parityShards: f.ecN,
      blockSizeBytes: f.ecBSize,
      index: f.ecIndex,
      distribution: f.ecDist,
    },
    parts,
    sizeBytes: f.size,
    modTimeNs: f.mTime,
    metaSys: f.metaSys,
    metaUser: f.metaUsr,
  };
  if (f.partIdx !== undefined) version.partIndices = f.partIdx;
  if (writtenByVersion !== undefined) version.writtenByVersion = writtenByVersion;
  return version;
}

function readV2Obj(reader: MsgpackReader): V2ObjFields {
  const fields = emptyV2Obj();
  for (let i = reader.readMapHeader(); i > 0; i--) readV2ObjField(reader, reader.readKey(), fields);
  return fields;
}

function readDelObj(
  reader: MsgpackReader,
  writtenByVersion: bigint | undefined,
): DeleteMarkerVersion {
  let id: Uint8Array = new Uint8Array(16);
  let modTimeNs = 0n;
  let metaSys = new Map<string, Uint8Array>();
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readKey();
    if (key === "ID") id = reader.readBinFixed(16);
    else if (key === "MTime") modTimeNs = reader.readInt64();
    else if (key === "MetaSys") metaSys = readBytesMap(reader);
    else reader.skip();
  }
  const versionId = uuidFromBytes(id);
  if (modTimeNs <= 0n) corrupt(`Cannot decode delete marker "${versionId}": MTime ${modTimeNs}`);
  const marker: DeleteMarkerVersion = { kind: "deleteMarker", versionId, modTimeNs, metaSys };
  if (writtenByVersion !== undefined) marker.writtenByVersion = writtenByVersion;
  return marker;
}

/** The parts of a V1Obj needed to list and sort it (§4.10.2). */
function legacyModTimeNs(raw: Uint8Array): bigint {
  const reader = new MsgpackReader(raw);
  for (let i = reader.readMapHeader(); i > 0; i--) {
    if (reader.readKey() !== "Stat") {
      reader.skip();
      continue;
    }
    for (let j = reader.readMapHeader(); j > 0; j--) {
      if (reader.readKey() === "ModTime") return timeToUnixNs(reader.readTime());
      reader.skip();
    }
  }
  return corrupt("Cannot decode legacy version: V1Obj has no Stat.ModTime");
}

function legacyFromRaw(raw: Uint8Array, writtenByVersion: bigint | undefined): LegacyVersion {
  const version: LegacyVersion = {
    kind: "legacy",
    versionId: "",
    modTimeNs: legacyModTimeNs(raw),
    raw: raw.slice(),
  };
  if (writtenByVersion !== undefined) version.writtenByVersion = writtenByVersion;
  return version;
}

/** Decodes one `xlMetaV2Version` map from the reader's position. */
export function readVersionBody(reader: MsgpackReader): Version {
  let type = 0;
  let v2: V2ObjFields | undefined;
  let delObj: MsgpackReader | undefined;
  let v1Raw: Uint8Array | undefined;
  let writtenByVersion: bigint | undefined;
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readKey();
    if (key === "Type") type = reader.readUint(255);
    else if (key === "V2Obj") v2 = reader.tryNil() ? undefined : readV2Obj(reader);
    else if (key === "DelObj") {
      delObj = reader.tryNil() ? undefined : new MsgpackReader(reader.readRaw());
    } else if (key === "V1Obj") v1Raw = reader.tryNil() ? undefined : reader.readRaw();
    else if (key === "v") writtenByVersion = reader.readUint64();
    else reader.skip();
  }
  if (type === versionType.object && v2) return objectFromFields(v2, writtenByVersion);
  if (type === versionType.deleteMarker && delObj) return readDelObj(delObj, writtenByVersion);
  if (type === versionType.legacy && v1Raw) return legacyFromRaw(v1Raw, writtenByVersion);
  return corrupt(`Cannot decode version body: type ${type} without its object`);
}

/** Decodes a version body held in its own byte array (trailing bytes are an error). */
export function decodeVersionBody(bytes: Uint8Array): Version {
  const reader = new MsgpackReader(bytes);
  const version = readVersionBody(reader);
  if (reader.remaining !== 0) {
    corrupt(`Cannot decode version body: ${reader.remaining} trailing bytes`);
  }
  return version;
}

// ------------------------------------------------------------------------------------ encoding

export function writeBytesMap(writer: MsgpackWriter, map: Map<string, Uint8Array>): void {
  writer.mapHeader(map.size);
  for (const [key, value] of map) writer.str(key).bin(value);
}

export function writeStrMap(writer: MsgpackWriter, map: Map<string, string>): void {
  writer.mapHeader(map.size);
  for (const [key, value] of map) writer.str(key).str(value);
}

/** What `V2Obj` holds besides its metadata maps, for encoding and for the signature. */
export interface V2ObjEncodeOptions {
  /** EcIndex to write (the signature uses 0). */
  ecIndex: number;
  /** Write MetaSys/MetaUsr as nil (the signature does, §4.6). */
  withoutMeta: boolean;
}

/** Writes the `V2Obj` map exactly as MinIO's marshaller does (§4.5.1). */
export function writeV2Obj(
  writer: MsgpackWriter,
  version: ObjectVersion,
  options: V2ObjEncodeOptions,
): void {
  const { erasure, parts } = version;
  // msgp "omitempty": an empty PartIdx is left out like a missing one.
  const hasPartIdx = (version.partIndices?.length ?? 0) > 0;
  writer.mapHeader(hasPartIdx ? 18 : 17);
  writer.str("ID").bin(uuidToBytes(version.versionId));
  writer.str("DDir").bin(uuidToBytes(version.dataDir));
  writer.str("EcAlgo").uint(reedSolomonAlgo);
  writer.str("EcM").int(erasure.dataShards);
  writer.str("EcN").int(erasure.parityShards);
  writer.str("EcBSize").int(erasure.blockSizeBytes);
  writer.str("EcIndex").int(options.ecIndex);
  writer.str("EcDist").arrayHeader(erasure.distribution.length);
  for (const shard of erasure.distribution) writer.uint(shard);
  writer.str("CSumAlgo").uint(highwayHashAlgo);
  writer.str("PartNums").arrayHeader(parts.length);
  for (const part of parts) writer.int(part.number);
  writer.str("PartETags");
  if (parts.every((part) => part.etag === "")) writer.nil();
  else {
    writer.arrayHeader(parts.length);
    for (const part of parts) writer.str(part.etag);
  }
  writer.str("PartSizes").arrayHeader(parts.length);
  for (const part of parts) writer.int(part.sizeBytes);
  writer.str("PartASizes");
  if (options.withoutMeta && parts.length === 0) writer.nil();
  else {
    writer.arrayHeader(parts.length);
    for (const part of parts) writer.int(part.actualSizeBytes);
  }
  if (hasPartIdx && version.partIndices) {
    writer.str("PartIdx").arrayHeader(version.partIndices.length);
    for (const index of version.partIndices) writer.bin(index);
  }
  writer.str("Size").int(version.sizeBytes);
  writer.str("MTime").int(version.modTimeNs);
  writer.str("MetaSys");
  if (options.withoutMeta) writer.nil();
  else writeBytesMap(writer, version.metaSys);
  writer.str("MetaUsr");
  if (options.withoutMeta) writer.nil();
  else writeStrMap(writer, version.metaUser);
}

/** Writes the `DelObj` map; the signature form omits MetaSys (§4.5.2, §4.6). */
export function writeDelObj(
  writer: MsgpackWriter,
  marker: DeleteMarkerVersion,
  withMetaSys: boolean,
): void {
  writer.mapHeader(withMetaSys ? 3 : 2);
  writer.str("ID").bin(uuidToBytes(marker.versionId));
  writer.str("MTime").int(marker.modTimeNs);
  if (withMetaSys) writeBytesMap(writer.str("MetaSys"), marker.metaSys);
}

function legacyRaw(version: LegacyVersion): Uint8Array {
  if (!(version.raw instanceof Uint8Array)) {
    throw new XlMetaError("corrupt", "Cannot encode legacy version: raw is not msgp bytes");
  }
  return version.raw;
}

/** Encodes one version body map (§4.5): Type, V1Obj|V2Obj|DelObj, v. */
export function writeVersionBody(writer: MsgpackWriter, version: Version): void {
  writer.mapHeader(3);
  writer.str("Type").uint(versionType[version.kind]);
  if (version.kind === "object") {
    writeV2Obj(writer.str("V2Obj"), version, {
      ecIndex: version.erasure.index,
      withoutMeta: false,
    });
  } else if (version.kind === "deleteMarker") writeDelObj(writer.str("DelObj"), version, true);
  else writer.str("V1Obj").raw(legacyRaw(version));
  writer.str("v").uint(version.writtenByVersion ?? writtenByVersionDefault);
}

export function encodeVersionBody(version: Version): Uint8Array {
  const writer = new MsgpackWriter(512);
  writeVersionBody(writer, version);
  return writer.bytes();
}
