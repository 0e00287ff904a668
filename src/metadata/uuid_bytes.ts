/**
 * UUID text ↔ the 16 raw bytes stored in xl.meta (spec §0.3). The all-zero id is the null
 * version and is written as "" in the model.
 */

import { XlMetaError } from "./xl_meta_error.ts";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lowercase 8-4-4-4-12 text of 16 bytes; "" for 16 zero bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.every((b) => b === 0)) return "";
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** 16 bytes of a UUID text; "", "null" and the all-zero UUID give 16 zero bytes. */
export function uuidToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  if (text === "" || text === "null") return bytes;
  const lower = text.toLowerCase();
  if (!uuidPattern.test(lower)) {
    throw new XlMetaError("corrupt", `Cannot encode version or data dir id "${text}": not a UUID`);
  }
  const hex = lower.replaceAll("-", "");
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The key of a version's inline data and of API version ids: "null" for the null version. */
export function versionKey(versionId: string): string {
  return versionId === "" || versionId === "null" ? "null" : versionId.toLowerCase();
}

/** The model form of an API-level version id: "" for "null". */
export function normalizeVersionId(versionId: string): string {
  return versionId === "null" || versionId === "00000000-0000-0000-0000-000000000000"
    ? ""
    : versionId.toLowerCase();
}
