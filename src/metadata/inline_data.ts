/**
 * The inline data section after the xl.meta CRC (spec §4.8): version byte 1, then a msgp map
 * of version id text → this drive's bitrot-framed shard bytes. Empty when no version has inline
 * data. Entries keep insertion order (a `Map` gives exactly that).
 */

import { MsgpackReader, MsgpackWriter } from "./msgpack.ts";
import { XlMetaError } from "./xl_meta_error.ts";

/** `xlMetaInlineDataVer`. */
const inlineDataVersion = 1;

/** Decodes the section; an empty input is an empty map. Values are copies. */
export function decodeInlineData(bytes: Uint8Array): Map<string, Uint8Array> {
  const entries = new Map<string, Uint8Array>();
  if (bytes.length === 0) return entries;
  if (bytes[0] !== inlineDataVersion) {
    throw new XlMetaError("unsupportedVersion", `Cannot read inline data: version ${bytes[0]}`);
  }
  const reader = new MsgpackReader(bytes, 1);
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readStr();
    if (key === "") throw new XlMetaError("corrupt", "Cannot read inline data: empty key");
    entries.set(key, reader.readBin().slice());
  }
  if (reader.remaining !== 0) {
    throw new XlMetaError("corrupt", `Cannot read inline data: ${reader.remaining} trailing bytes`);
  }
  return entries;
}

/** Appends the section (nothing at all for an empty map). */
export function writeInlineData(writer: MsgpackWriter, entries: Map<string, Uint8Array>): void {
  if (entries.size === 0) return;
  writer.raw(new Uint8Array([inlineDataVersion]));
  writer.mapHeader(entries.size);
  for (const [key, value] of entries) writer.str(key).bin(value);
}
