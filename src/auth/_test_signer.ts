// deno-lint-ignore-file no-explicit-any
/**
 * Test helpers: sign requests with the AWS SDK's own signer (`@smithy/signature-v4`), the
 * independent oracle for aistor's verifier, and turn the result into `SignedRequestParts`.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, hmacSha256 } from "../platform/crypto.ts";
import type { SignedRequestParts } from "./sigv4.ts";

export const testAccessKey = "AKIAIOSFODNN7EXAMPLE";
export const testSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const testRegion = "us-east-1";

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

/** The SHA-256 / HMAC-SHA256 constructor shape the SDK signer wants. */
class Sha256 {
  #key?: Uint8Array;
  #chunks: Uint8Array[] = [];
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    if (secret !== undefined) this.#key = toBytes(secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#chunks.push(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let offset = 0;
    for (const c of this.#chunks) {
      all.set(c, offset);
      offset += c.length;
    }
    if (this.#key !== undefined) return Promise.resolve(hmacSha256(this.#key, all));
    return Promise.resolve(createHash("sha256").update(all).digest());
  }
  reset(): void {
    this.#chunks = [];
  }
}

export function sdkSigner(
  options: { accessKey?: string; secretKey?: string; region?: string; sessionToken?: string } = {},
): SignatureV4 {
  return new SignatureV4({
    service: "s3",
    region: options.region ?? testRegion,
    credentials: {
      accessKeyId: options.accessKey ?? testAccessKey,
      secretAccessKey: options.secretKey ?? testSecretKey,
      sessionToken: options.sessionToken,
    },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
}

/** Encodes an object key as AWS SDKs put it on the wire: every reserved byte escaped, `/` kept. */
export function wireKey(key: string): string {
  return key.split("/").map((segment) =>
    encodeURIComponent(segment).replace(
      /[!'()*]/g,
      (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
    )
  ).join("/");
}

export interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

function toSmithy(request: SdkRequest) {
  return {
    method: request.method,
    protocol: "http:",
    hostname: "localhost",
    port: 9000,
    path: request.path,
    query: request.query ?? {},
    headers: { host: "localhost:9000", ...request.headers } as Record<string, string>,
    body: request.body,
  };
}

/** A query string as a browser or SDK would send it (encodeURIComponent, not AWS UriEncode). */
export function wireQuery(query: Record<string, string | string[] | null | undefined>): string {
  const pieces: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      pieces.push(
        v === null || v === undefined
          ? encodeURIComponent(name)
          : `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
      );
    }
  }
  return pieces.join("&");
}

/** Signs with the Authorization header at `signingDate`. */
export async function signWithSdk(
  request: SdkRequest,
  signingDate: Date,
  signer: SignatureV4 = sdkSigner(),
): Promise<SignedRequestParts> {
  const signed = await signer.sign(toSmithy(request) as any, { signingDate }) as any;
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery: wireQuery(signed.query),
    headers: new Headers(signed.headers),
  };
}

/** Presigns (query-string auth) at `signingDate`, valid for `expiresInSeconds`. */
export async function presignWithSdk(
  request: SdkRequest,
  signingDate: Date,
  expiresInSeconds: number,
  signer: SignatureV4 = sdkSigner(),
): Promise<SignedRequestParts> {
  // As the S3 presigner does: the payload is declared UNSIGNED-PAYLOAD and not sent.
  const smithy = toSmithy(request);
  smithy.headers = { ...smithy.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  const signed = await signer.presign(smithy as any, {
    signingDate,
    expiresIn: expiresInSeconds,
    unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    unsignableHeaders: new Set(["x-amz-content-sha256"]),
  }) as any;
  const headers = new Headers(signed.headers);
  headers.delete("x-amz-content-sha256");
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery: wireQuery(signed.query),
    headers,
  };
}

/** Splits a URL string into raw path and raw query without normalising the path. */
export function partsFromUrl(
  method: string,
  url: string,
  headers: HeadersInit,
): SignedRequestParts {
  const afterScheme = url.slice(url.indexOf("//") + 2);
  const pathAndQuery = afterScheme.slice(afterScheme.indexOf("/"));
  const question = pathAndQuery.indexOf("?");
  return {
    method,
    rawPath: question < 0 ? pathAndQuery : pathAndQuery.slice(0, question),
    rawQuery: question < 0 ? "" : pathAndQuery.slice(question + 1),
    headers: new Headers(headers),
  };
}
