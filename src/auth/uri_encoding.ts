/**
 * AWS `UriEncode` and its inverse, at the byte level, for SigV4 canonical requests.
 *
 * AWS encodes every byte except the unreserved set `A-Z a-z 0-9 - . _ ~` as `%XX` (uppercase hex);
 * object paths keep `/`. Decoding then re-encoding makes the canonical form independent of how a
 * client chose to escape optional characters (`!`, `(`, `+` in paths, ...), as S3 does.
 */
import { AuthError, type AuthErrorCode } from "./auth_error.ts";

const utf8 = new TextEncoder();
const hexDigits = "0123456789ABCDEF";

function isUnreserved(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2e || byte === 0x5f ||
    byte === 0x7e;
}

/** AWS UriEncode of raw bytes; `/` stays literal when `keepSlash`. */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (const byte of bytes) {
    if (isUnreserved(byte) || (keepSlash && byte === 0x2f)) {
      out += String.fromCharCode(byte);
    } else {
      out += "%" + hexDigits[byte >> 4] + hexDigits[byte & 15];
    }
  }
  return out;
}

/** AWS UriEncode of a string's UTF-8 bytes. */
export function uriEncode(text: string, keepSlash: boolean): string {
  return uriEncodeBytes(utf8.encode(text), keepSlash);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

export interface PercentDecodeOptions {
  /** Query strings (form encoding) carry a space as `+`; paths do not. */
  plusIsSpace: boolean;
  /** The error code to raise on a malformed escape. */
  errorCode: AuthErrorCode;
}

/** Decodes `%XX` escapes to bytes; other characters contribute their UTF-8 bytes. */
export function percentDecodeBytes(text: string, options: PercentDecodeOptions): Uint8Array {
  const source = utf8.encode(text);
  const out = new Uint8Array(source.length);
  let length = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i];
    if (byte === 0x25) {
      const high = i + 2 < source.length ? hexValue(source[i + 1]) : -1;
      const low = high >= 0 ? hexValue(source[i + 2]) : -1;
      if (low < 0) {
        throw new AuthError(options.errorCode, `Cannot decode "${text}": bad percent escape`);
      }
      out[length++] = high * 16 + low;
      i += 2;
    } else if (byte === 0x2b && options.plusIsSpace) {
      out[length++] = 0x20;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16);
  return out;
}

/** Bytes of a lowercase or uppercase hex string, or undefined when it is not hex of even length. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
