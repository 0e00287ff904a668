/**
 * Client side of the admin API: SigV4-sign a bodiless request with the root credentials, as
 * `aistor admin` sends it. The server checks it with `auth/`'s verifier (independent code).
 */
import { hash, hmacSha256 } from "../platform/crypto.ts";

export interface SigningCredentials {
  accessKey: string;
  secretKey: string;
}

const emptyBodySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** AWS UriEncode of one path segment or query component: unreserved characters stay. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** `/a/b c` → `/a/b%20c`, each segment encoded, slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(uriEncode).join("/");
}

/**
 * The headers (host, x-amz-date, x-amz-content-sha256, authorization) that sign `method url`
 * with an empty body at `nowMs`, region us-east-1, service s3.
 */
export function signedHeaders(
  method: string,
  url: URL,
  credentials: SigningCredentials,
  nowMs: number,
): Record<string, string> {
  const amzDate = new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": emptyBodySha256Hex,
    "x-amz-date": amzDate,
  };
  const names = Object.keys(headers).sort();
  const query = [...url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalRequest = [
    method,
    encodePath(decodeURIComponent(url.pathname)), // S3: decoded once, then each segment encoded
    query,
    names.map((name) => `${name}:${headers[name]}\n`).join(""),
    names.join(";"),
    emptyBodySha256Hex,
  ].join("\n");
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${
    toHex(hash("sha256", canonicalRequest))
  }`;
  let key: Uint8Array = hmacSha256("AWS4" + credentials.secretKey, date);
  for (const part of ["us-east-1", "s3", "aws4_request"]) key = hmacSha256(key, part);
  const signature = toHex(hmacSha256(key, stringToSign));
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKey}/${scope}, SignedHeaders=${
      names.join(";")
    }, Signature=${signature}`;
  return headers;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
