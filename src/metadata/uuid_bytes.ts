/**
 * UUID text ↔ the 16 raw bytes stored in xl.meta (spec §0.3). The all-zero id is the null
 * version and is written as "" in the model.
 */

import { XlMetaError } from "./xl_meta_error.ts";

const hexPairs = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase 8-4-4-4-12 text of 16 bytes; "" for 16 zero bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  let zero = true;
  let text = "";
  for (let i = 0; i < 16; i++) {
    if (bytes[i] !== 0) zero = false;
    if (i === 4 || i === 6 || i === 8 || i === 10) text += "-";
    text += hexPairs[bytes[i]];
  }
  return zero ? "" : text;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** 16 bytes of a UUID text; "", "null" and the all-zero UUID give 16 zero bytes. */
export function uuidToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  if (text === "" || text === "null") return bytes;
  let valid = text.length === 36;
  for (let i = 0, j = 0; valid && i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      valid = text.charCodeAt(i) === 0x2d;
      continue;
    }
    const digit = hexDigit(text.charCodeAt(i));
    valid = digit >= 0;
    bytes[j >> 1] |= (j & 1) === 0 ? digit << 4 : digit;
    j++;
  }
  if (!valid) {
    throw new XlMetaError("corrupt", `Cannot encode version or data dir id "${text}": not a UUID`);
  }
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
