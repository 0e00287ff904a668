/**
 * Legacy `xl.json` (spec §4.10.3), the JSON metadata of pre-2020 (CRCMOD) deployments. It is
 * read into a `LegacyVersion` whose `raw` is the `V1Obj` msgp map MinIO stores when it converts
 * such an object into xl.meta (§4.10.2; data dir "legacy"), so it lists, sorts and re-encodes
 * like any legacy version. Never written new.
 */

import { goZeroTime, MsgpackWriter, timeFromUnixNs } from "./msgpack.ts";
import type { LegacyVersion } from "./types.ts";
import { XlMetaError } from "./xl_meta_error.ts";

/** Checksum algorithm names → MinIO's `BitrotAlgorithm` numbers. */
const checksumAlgorithms: Record<string, number> = {
  sha256: 1,
  highwayhash256: 2,
  highwayhash256S: 3,
  blake2b: 4,
};

interface XlJson {
  version?: string;
  format?: string;
  stat?: { size?: number; modTime?: string; name?: string; dir?: boolean; mode?: number };
  erasure?: {
    algorithm?: string;
    data?: number;
    parity?: number;
    blockSize?: number;
    index?: number;
    distribution?: number[];
    checksum?: { name?: string; algorithm?: string; hash?: string }[];
  };
  minio?: { release?: string };
  meta?: Record<string, string>;
  parts?: { number?: number; etag?: string; size?: number; actualSize?: number }[];
}

function corrupt(message: string): never {
  throw new XlMetaError("corrupt", `Cannot load xl.json: ${message}`);
}

/** RFC 3339 with up to 9 fractional digits → Unix nanoseconds. */
export function parseRfc3339Ns(text: string): bigint {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) corrupt(`time "${text}" is not RFC 3339`);
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) corrupt(`time "${text}" is not a date`);
  const fraction = BigInt((match[2] ?? "").padEnd(9, "0"));
  return BigInt(ms) * 1_000_000n + fraction;
}

function hexBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) corrupt(`checksum "${hex}" is not hex`);
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

function writeStat(w: MsgpackWriter, stat: XlJson["stat"], modTimeNs: bigint): void {
  w.str("Stat").mapHeader(5);
  w.str("Size").int(stat?.size ?? 0);
  w.str("ModTime").time(timeFromUnixNs(modTimeNs));
  w.str("Name").str(stat?.name ?? "");
  w.str("Dir").bool(stat?.dir ?? false);
  w.str("Mode").uint(stat?.mode ?? 0);
}

function writeErasure(w: MsgpackWriter, erasure: XlJson["erasure"]): void {
  const checksums = erasure?.checksum ?? [];
  w.str("Erasure").mapHeader(7);
  w.str("Algorithm").str(erasure?.algorithm ?? "");
  w.str("DataBlocks").int(erasure?.data ?? 0);
  w.str("ParityBlocks").int(erasure?.parity ?? 0);
  w.str("BlockSize").int(erasure?.blockSize ?? 0);
  w.str("Index").int(erasure?.index ?? 0);
  w.str("Distribution").arrayHeader(erasure?.distribution?.length ?? 0);
  for (const shard of erasure?.distribution ?? []) w.int(shard);
  w.str("Checksums").arrayHeader(checksums.length);
  for (const checksum of checksums) {
    const partNumber = Number(/^part\.(\d+)$/.exec(checksum.name ?? "")?.[1] ?? 0);
    w.mapHeader(3).str("PartNumber").int(partNumber);
    w.str("Algorithm").uint(checksumAlgorithms[checksum.algorithm ?? ""] ?? 0);
    w.str("Hash").bin(hexBytes(checksum.hash ?? ""));
  }
}

function writeParts(w: MsgpackWriter, parts: XlJson["parts"]): void {
  w.str("Parts").arrayHeader(parts?.length ?? 0);
  for (const part of parts ?? []) {
    w.mapHeader(5);
    w.str("e").str(part.etag ?? "");
    w.str("n").int(part.number ?? 0);
    w.str("s").int(part.size ?? 0);
    w.str("as").int(part.actualSize ?? part.size ?? 0);
    w.str("mt").time(goZeroTime);
  }
}

/** Reads an `xl.json` document into the legacy version MinIO would convert it to. */
export function decodeXlJson(bytes: Uint8Array): LegacyVersion {
  let doc: XlJson;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new XlMetaError("corrupt", "Cannot load xl.json: not JSON", { cause: error });
  }
  if (typeof doc !== "object" || doc === null) corrupt("not an object");
  if (doc.format !== "xl") corrupt(`format "${doc.format}"`);
  if (doc.version !== "1.0.0" && doc.version !== "1.0.1") corrupt(`version "${doc.version}"`);
  const modTimeNs = parseRfc3339Ns(doc.stat?.modTime ?? "");
  const meta = Object.entries(doc.meta ?? {});
  const w = new MsgpackWriter(1024).mapHeader(9);
  w.str("Version").str(doc.version);
  w.str("Format").str(doc.format);
  writeStat(w, doc.stat, modTimeNs);
  writeErasure(w, doc.erasure);
  w.str("Minio").mapHeader(1).str("Release").str(doc.minio?.release ?? "");
  w.str("Meta").mapHeader(meta.length);
  for (const [key, value] of meta) w.str(key).str(String(value));
  writeParts(w, doc.parts);
  w.str("VersionID").str("");
  w.str("DataDir").str("legacy");
  return { kind: "legacy", versionId: "", modTimeNs, raw: w.bytes() };
}
