/**
 * The `xl.meta` file codec (spec §4): framing, payload, CRC and inline data.
 *
 * Reads every layout MinIO has written (1.0 bare map; 1.1/1.2 bin-wrapped legacy map, 1.2 with
 * CRC; 1.3 indexed payload with header versions 1–3 and meta versions 1–3) and writes only
 * 1.3 / header 3 / meta 3. Pure and synchronous; corrupt input is an `XlMetaError`.
 *
 * Load-time repairs follow MinIO's: for meta version < 3, bogus compression indexes written by
 * releases 2023-12-02 … 2024-10-29 are cleared (`repairPartIndices`). The meta version < 2
 * delete-marker timestamp fix changes only MinIO's in-memory time zone, nothing in this model.
 */

import { decodeUtf8, MsgpackError, MsgpackReader, MsgpackWriter } from "./msgpack.ts";
import type { Version, XlMeta } from "./types.ts";
import { decodeInlineData, writeInlineData } from "./inline_data.ts";
import { decodeVersionBody, encodeVersionBody, readVersionBody } from "./version_body.ts";
import {
  compareHeaders,
  decodeHeader,
  encodeHeader,
  headerVersionCurrent,
  type VersionHeader,
  versionHeader,
} from "./version_header.ts";
import { XlMetaError } from "./xl_meta_error.ts";
import { xxh64 } from "./xxhash.ts";

export { XlMetaError } from "./xl_meta_error.ts";
export type { XlMetaErrorCode } from "./xl_meta_error.ts";
export { writtenByVersionDefault } from "./version_body.ts";
export {
  compareHeaders,
  headerFlags,
  isFreeVersion,
  type VersionHeader,
  versionHeader,
  versionSignature,
} from "./version_header.ts";
export {
  addVersion,
  deleteVersion,
  findVersion,
  latestVersion,
  type MergeOptions,
  mergeVersions,
} from "./version_list.ts";

/** `xlHeader`: "XL2 ". */
const magic = [0x58, 0x4c, 0x32, 0x20];
/** Bytes 4..7 of a version 1.0 file: ASCII "1   ". */
const asciiVersion10 = [0x31, 0x20, 0x20, 0x20];
/** `xlMetaVersion`: the newest meta version read and the one written. */
const metaVersionCurrent = 3;
const minorVersionCurrent = 3;

export interface DecodeOptions {
  /** Parse the inline data section (default true); false leaves `inlineData` empty. */
  withInlineData?: boolean;
}

/** How a file was laid out, for diagnostics and compatibility tests. */
export interface XlMetaLayout {
  major: number;
  minor: number;
  /** Only for 1.3 files. */
  headerVersion?: number;
  metaVersion?: number;
  /**
   * The headers stored in a 1.3 file, in file order (before any re-sorting); re-derived for a
   * version that a load-time repair changed.
   */
  storedHeaders?: VersionHeader[];
}

export interface DecodedXlMeta {
  meta: XlMeta;
  layout: XlMetaLayout;
}

// ------------------------------------------------------------------------------------ decoding

function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  return prefix.every((b, i) => bytes[offset + i] === b);
}

function sortVersions(entries: { version: Version; header: VersionHeader }[]): Version[] {
  // Array.prototype.sort is stable, so equal headers keep file order.
  return entries.sort((a, b) => compareHeaders(a.header, b.header)).map((e) => e.version);
}

/** The legacy `{"Versions": [...]}` map of 1.0–1.2 files (§4.10.1). */
function readLegacyMap(reader: MsgpackReader): Version[] {
  const versions: Version[] = [];
  for (let i = reader.readMapHeader(); i > 0; i--) {
    if (reader.readKey() !== "Versions") {
      reader.skip();
      continue;
    }
    if (reader.tryNil()) continue;
    for (let j = reader.readArrayHeader(); j > 0; j--) versions.push(readVersionBody(reader));
  }
  return sortVersions(versions.map((version) => ({ version, header: versionHeader(version) })));
}

function checkCrc(payload: Uint8Array, storedCrc: number): void {
  const computed = Number(xxh64(payload) & 0xffff_ffffn);
  if (computed !== storedCrc) {
    throw new XlMetaError(
      "crcMismatch",
      `Cannot load xl.meta: CRC ${storedCrc.toString(16)} != computed ${computed.toString(16)}`,
    );
  }
}

/** The indexed payload of a 1.3 file (§4.3). */
function readIndexedPayload(payload: Uint8Array, layout: XlMetaLayout): Version[] {
  const reader = new MsgpackReader(payload);
  const headerVersion = reader.readUint(0xff);
  const metaVersion = reader.readUint(0xff);
  if (headerVersion > headerVersionCurrent || metaVersion > metaVersionCurrent) {
    throw new XlMetaError(
      "unsupportedVersion",
      `Cannot load xl.meta: header version ${headerVersion}, meta version ${metaVersion}`,
    );
  }
  if (headerVersion < 1) throw new XlMetaError("corrupt", "Cannot load xl.meta: header version 0");
  const count = reader.readInt();
  if (count < 0 || 2 * count > reader.remaining) {
    throw new XlMetaError("corrupt", `Cannot load xl.meta: version count ${count}`);
  }
  const entries: { version: Version; header: VersionHeader }[] = [];
  for (let i = 0; i < count; i++) {
    const header = decodeHeader(reader.readBin(), headerVersion);
    const version = decodeVersionBody(reader.readBin());
    if (metaVersion < metaVersionCurrent && repairPartIndices(version)) {
      entries.push({ version, header: versionHeader(version) });
    } else entries.push({ version, header });
  }
  if (reader.remaining !== 0) {
    throw new XlMetaError(
      "corrupt",
      `Cannot load xl.meta: ${reader.remaining} bytes after versions`,
    );
  }
  Object.assign(layout, { headerVersion, metaVersion });
  layout.storedHeaders = entries.map((e) => e.header);
  return sortVersions(entries);
}

/** RELEASE.2023-12-02T10-51-33Z and RELEASE.2024-10-29T16-01-48Z as MinIO dates them. */
const bogusPartIndexWindow = { afterSeconds: 1701471618n, beforeSeconds: 1730156418n };
/** MinIO's `compMinIndexSize`: parts up to 8 MiB never needed an index. */
const compressionIndexMinBytes = 8 << 20;

/**
 * Clears the compression indexes that releases in the bogus window wrote for small S2-compressed
 * parts (MinIO PR 20575), as MinIO does when it loads meta version < 3. True if changed.
 */
export function repairPartIndices(version: Version): boolean {
  if (version.kind !== "object" || !version.partIndices?.length) return false;
  const written = version.writtenByVersion ?? 0n;
  const compression = version.metaSys.get("X-Minio-Internal-compression");
  const isS2 = compression !== undefined &&
    decodeUtf8(compression) === "klauspost/compress/s2";
  const inWindow = written > bogusPartIndexWindow.afterSeconds &&
    written < bogusPartIndexWindow.beforeSeconds;
  if (!isS2 || !inWindow) return false;
  const indices = version.partIndices;
  let changed = false;
  version.parts.forEach((part, i) => {
    if (i >= indices.length) return;
    if (part.actualSizeBytes <= compressionIndexMinBytes && indices[i].length > 0) {
      indices[i] = new Uint8Array(0);
      changed = true;
    }
  });
  if (changed && indices.every((index) => index.length === 0)) delete version.partIndices;
  return changed;
}

function readFramed(
  bytes: Uint8Array,
  layout: XlMetaLayout,
  options: DecodeOptions,
): XlMeta {
  const reader = new MsgpackReader(bytes, 8);
  const payload = reader.readBin();
  if (layout.minor >= 2) checkCrc(payload, reader.readUint(0xffff_ffff));
  const versions = layout.minor === 3
    ? readIndexedPayload(payload, layout)
    : readLegacyFromPayload(payload);
  const withInline = options.withInlineData ?? true;
  const inlineBytes = bytes.subarray(reader.offset);
  return { versions, inlineData: withInline ? decodeInlineData(inlineBytes) : new Map() };
}

function readLegacyFromPayload(payload: Uint8Array): Version[] {
  const reader = new MsgpackReader(payload);
  const versions = readLegacyMap(reader);
  if (reader.remaining !== 0) {
    throw new XlMetaError("corrupt", `Cannot load xl.meta: ${reader.remaining} bytes after map`);
  }
  return versions;
}

function readLayout(bytes: Uint8Array): XlMetaLayout {
  if (bytes.length <= 8 || !startsWith(bytes, magic)) {
    throw new XlMetaError("notXlMeta", 'Cannot load xl.meta: missing "XL2 " header');
  }
  if (startsWith(bytes, asciiVersion10, 4)) return { major: 1, minor: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = view.getUint16(4, true);
  const minor = view.getUint16(6, true);
  if (major !== 1 || minor > minorVersionCurrent) {
    throw new XlMetaError("unsupportedVersion", `Cannot load xl.meta: version ${major}.${minor}`);
  }
  return { major, minor };
}

/** Decodes an xl.meta file and reports its layout (stored headers included). */
export function decodeXlMetaFile(bytes: Uint8Array, options: DecodeOptions = {}): DecodedXlMeta {
  const layout = readLayout(bytes);
  try {
    if (layout.minor === 0) {
      const versions = readLegacyMap(new MsgpackReader(bytes, 8));
      return { meta: { versions, inlineData: new Map() }, layout };
    }
    return { meta: readFramed(bytes, layout, options), layout };
  } catch (error) {
    if (error instanceof MsgpackError) {
      throw new XlMetaError("corrupt", `Cannot load xl.meta: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Decodes an xl.meta file of any version MinIO wrote (§4.2). */
export function decodeXlMeta(bytes: Uint8Array, options: DecodeOptions = {}): XlMeta {
  return decodeXlMetaFile(bytes, options).meta;
}

// ------------------------------------------------------------------------------------ encoding

function encodePayload(versions: Version[]): Uint8Array {
  const entries = versions.map((version) => ({ version, header: versionHeader(version) }));
  entries.sort((a, b) => compareHeaders(a.header, b.header));
  const writer = new MsgpackWriter(1024);
  writer.uint(headerVersionCurrent).uint(metaVersionCurrent).int(entries.length);
  for (const { version, header } of entries) {
    writer.bin(encodeHeader(header));
    writer.bin(encodeVersionBody(version));
  }
  return writer.bytes();
}

/**
 * Encodes as xl.meta 1.3 (header version 3, meta version 3): magic, versions, bin32 payload,
 * CRC, inline data (§4.2). Versions are written in header sort order whatever their order in
 * `meta`.
 */
export function encodeXlMeta(meta: XlMeta): Uint8Array {
  const payload = encodePayload(meta.versions);
  const writer = new MsgpackWriter(payload.length + 64);
  writer.raw(new Uint8Array([...magic, 1, 0, minorVersionCurrent, 0]));
  writer.bin32Header(payload.length).raw(payload);
  writer.uint32Fixed(Number(xxh64(payload) & 0xffff_ffffn));
  writeInlineData(writer, meta.inlineData);
  return writer.bytes();
}
