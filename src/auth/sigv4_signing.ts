/**
 * SigV4 primitives shared by header, presigned, streaming-chunk and POST-policy verification:
 * the signing key, the credential scope, the string to sign, and constant-time comparison.
 */
import { hash, hmacSha256, timingSafeEqual } from "../platform/crypto.ts";
import { toHex } from "./uri_encoding.ts";

export const sigV4Algorithm = "AWS4-HMAC-SHA256";
export const sigV4Terminator = "aws4_request";
export const s3Service = "s3";
/** SHA-256 of the empty string, used in chunk strings to sign. */
export const emptySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** What a signature is bound to: the credential scope and the request time. */
export interface SigningScope {
  accessKey: string;
  /** YYYYMMDD, from the credential. */
  date: string;
  region: string;
  service: string;
}

/** Everything needed to verify later signatures of the same request (chunks, trailers). */
export interface SigningContext {
  signingKey: Uint8Array;
  /** `date/region/service/aws4_request`. */
  scope: string;
  /** The request time as signed, `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
}

export function scopeString(scope: SigningScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/${sigV4Terminator}`;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretKey: string, scope: SigningScope): Uint8Array {
  const dateKey = hmacSha256("AWS4" + secretKey, scope.date);
  const regionKey = hmacSha256(dateKey, scope.region);
  const serviceKey = hmacSha256(regionKey, scope.service);
  return hmacSha256(serviceKey, sigV4Terminator);
}

export function sha256Hex(data: Uint8Array | string): string {
  return toHex(hash("sha256", data));
}

/** The string to sign of a request: algorithm, time, scope, hash of the canonical request. */
export function requestStringToSign(context: SigningContext, canonicalRequest: string): string {
  return `${sigV4Algorithm}\n${context.amzDate}\n${context.scope}\n${sha256Hex(canonicalRequest)}`;
}

export function signatureHex(signingKey: Uint8Array, stringToSign: string): string {
  return toHex(hmacSha256(signingKey, stringToSign));
}

const ascii = new TextEncoder();

/** Constant-time comparison of two signatures given as hex text (case-sensitive, as AWS). */
export function signaturesEqual(expectedHex: string, givenHex: string): boolean {
  return timingSafeEqual(ascii.encode(expectedHex), ascii.encode(givenHex));
}

/** Parses `YYYYMMDDTHHMMSSZ` into epoch milliseconds, or undefined when malformed. */
export function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  if (
    back.getUTCDate() !== day || back.getUTCHours() !== hour || back.getUTCMonth() !== month - 1
  ) {
    return undefined;
  }
  return ms;
}

/** Formats epoch milliseconds as `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}
