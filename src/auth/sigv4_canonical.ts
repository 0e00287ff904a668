/**
 * The pieces of a SigV4 canonical request, built from the request as received.
 *
 * S3 rules: the path is URI-encoded once (decode what the client sent, re-encode with AWS
 * UriEncode, keep `/`), never normalised (`//`, `.` and `..` stay); query parameters are decoded,
 * re-encoded and sorted by name then value; header values are trimmed and runs of spaces folded.
 */
import { queryParamsMax } from "../limits.ts";
import { AuthError, type AuthErrorCode } from "./auth_error.ts";
import { percentDecodeBytes, uriEncodeBytes } from "./uri_encoding.ts";

/** One query parameter: decoded text (for lookups) and its canonical encoding. */
export interface QueryParam {
  name: string;
  value: string;
  encodedName: string;
  encodedValue: string;
}

const utf8 = new TextDecoder();

/** Splits a raw query string (no leading `?`) into parameters in wire order. */
export function parseQuery(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    if (params.length >= queryParamsMax) {
      throw new AuthError(
        "InvalidArgument",
        `Cannot accept more than ${queryParamsMax} query parameters`,
      );
    }
    const equals = piece.indexOf("=");
    const rawName = equals < 0 ? piece : piece.slice(0, equals);
    const rawValue = equals < 0 ? "" : piece.slice(equals + 1);
    const options = { plusIsSpace: true, errorCode: "InvalidArgument" as const };
    const nameBytes = percentDecodeBytes(rawName, options);
    const valueBytes = percentDecodeBytes(rawValue, options);
    params.push({
      name: utf8.decode(nameBytes),
      value: utf8.decode(valueBytes),
      encodedName: uriEncodeBytes(nameBytes, false),
      encodedValue: uriEncodeBytes(valueBytes, false),
    });
  }
  return params;
}

/** Canonical query string: `name=value` pairs sorted by encoded name, then encoded value. */
export function canonicalQuery(params: QueryParam[]): string {
  return params
    .map((p) => [p.encodedName, p.encodedValue] as const)
    .sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical URI of an S3 request: the path decoded once and re-encoded with AWS UriEncode. */
export function canonicalPath(rawPath: string, errorCode: AuthErrorCode): string {
  if (rawPath === "") return "/";
  const bytes = percentDecodeBytes(rawPath, { plusIsSpace: false, errorCode });
  return uriEncodeBytes(bytes, true);
}

/** One `name:value\n` line per signed header, values trimmed with inner whitespace folded. */
export function canonicalHeaders(headers: Headers, signedHeaders: string[]): string {
  let out = "";
  for (const name of signedHeaders) {
    const value = headers.get(name) ?? "";
    out += `${name}:${value.replace(/[ \t]+/g, " ").trim()}\n`;
  }
  return out;
}
