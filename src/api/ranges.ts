/**
 * The `Range` header of GetObject / HeadObject as S3 reads it: one `bytes=` range, resolved
 * against the object size. Syntax S3 ignores (other units, several ranges, start > end) yields
 * the whole object; a range that starts past the end is InvalidRange (416).
 */
import { S3Error } from "./s3_errors.ts";

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** undefined = serve the whole object. Throws InvalidRange (with `Content-Range: bytes * /size`). */
export function resolveRange(header: string | null, sizeBytes: number): ByteRange | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined; // malformed, other units or several ranges: whole object
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") return suffixRange(Number(last), sizeBytes);
  const start = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < start) return undefined;
  if (start >= sizeBytes) throw unsatisfiable(sizeBytes);
  return { start, end: Math.min(end, sizeBytes - 1) };
}

function suffixRange(lengthBytes: number, sizeBytes: number): ByteRange {
  if (lengthBytes === 0 || sizeBytes === 0) throw unsatisfiable(sizeBytes);
  return { start: Math.max(0, sizeBytes - lengthBytes), end: sizeBytes - 1 };
}

function unsatisfiable(sizeBytes: number): S3Error {
  return new S3Error("InvalidRange", undefined, {
    headers: { "Content-Range": `bytes */${sizeBytes}` },
  });
}

/** `Content-Range` value for a served range. */
export function contentRange(range: ByteRange, sizeBytes: number): string {
  return `bytes ${range.start}-${range.end}/${sizeBytes}`;
}
