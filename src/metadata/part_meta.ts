/**
 * `part.N.meta` of a multipart upload (spec §9.3): msgp `ObjectPartInfo`, a fixmap with keys
 * e, n, s, as, mt, then i and crc only when present.
 */

import {
  MsgpackError,
  MsgpackReader,
  MsgpackWriter,
  timeFromUnixNs,
  timeToUnixNs,
} from "./msgpack.ts";
import { readStrMap, writeStrMap } from "./version_body.ts";
import { XlMetaError } from "./xl_meta_error.ts";

export interface ObjectPartInfo {
  /** e: hex MD5 of the part data. */
  etag: string;
  /** n: part number 1..10000. */
  number: number;
  /** s: stored size (after compression/encryption). */
  sizeBytes: number;
  /** as: size as uploaded. */
  actualSizeBytes: number;
  /** mt: upload time, Unix nanoseconds. */
  modTimeNs: bigint;
  /** i: compression index, only for compressed parts. */
  index?: Uint8Array;
  /** crc: checksums by algorithm name (CRC32, CRC32C, SHA1, SHA256, CRC64NVME). */
  checksums?: Map<string, string>;
}

export function encodePartInfo(info: ObjectPartInfo): Uint8Array {
  const hasIndex = info.index !== undefined && info.index.length > 0;
  const hasChecksums = info.checksums !== undefined && info.checksums.size > 0;
  const writer = new MsgpackWriter(128);
  writer.mapHeader(5 + (hasIndex ? 1 : 0) + (hasChecksums ? 1 : 0));
  writer.str("e").str(info.etag);
  writer.str("n").int(info.number);
  writer.str("s").int(info.sizeBytes);
  writer.str("as").int(info.actualSizeBytes);
  writer.str("mt").time(timeFromUnixNs(info.modTimeNs));
  if (hasIndex) writer.str("i").bin(info.index!);
  if (hasChecksums) writeStrMap(writer.str("crc"), info.checksums!);
  return writer.bytes();
}

function readPartField(reader: MsgpackReader, key: string, info: ObjectPartInfo): void {
  switch (key) {
    case "e":
      info.etag = reader.readStr();
      return;
    case "n":
      info.number = reader.readInt();
      return;
    case "s":
      info.sizeBytes = reader.readInt();
      return;
    case "as":
      info.actualSizeBytes = reader.readInt();
      return;
    case "mt":
      info.modTimeNs = timeToUnixNs(reader.readTime());
      return;
    case "i":
      if (!reader.tryNil()) info.index = reader.readBin().slice();
      return;
    case "crc":
      info.checksums = readStrMap(reader);
      return;
    default:
      reader.skip();
  }
}

export function decodePartInfo(bytes: Uint8Array): ObjectPartInfo {
  const info: ObjectPartInfo = {
    etag: "",
    number: 0,
    sizeBytes: 0,
    actualSizeBytes: 0,
    modTimeNs: 0n,
  };
  try {
    const reader = new MsgpackReader(bytes);
    for (let i = reader.readMapHeader(); i > 0; i--) readPartField(reader, reader.readKey(), info);
  } catch (error) {
    if (!(error instanceof MsgpackError)) throw error;
    throw new XlMetaError("corrupt", `Cannot load part metadata: ${error.message}`, {
      cause: error,
    });
  }
  return info;
}
