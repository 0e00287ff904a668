/**
 * Who may use the admin API and the metrics: the root user only.
 *
 * - Admin API: a SigV4-signed request (header or presigned) by the root access key.
 * - Metrics: the same, or `Authorization: Bearer <JWT>` as MinIO's `mc admin prometheus
 *   generate` makes it: HS512 (HS256 and HS384 accepted too) signed with the root secret key,
 *   `sub` (or `accessKey`) = the root access key, `exp` in the future. With
 *   MINIO_PROMETHEUS_AUTH_TYPE=public the metrics need nothing.
 */
import { type CredentialStore, verifyRequest } from "../auth/mod.ts";

export interface RootCredentials {
  accessKey: string;
  secretKey: string;
}

/** Why a request was refused, in words for the JSON error body. */
export class AdminAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminAuthError";
  }
}

/** Throws AdminAuthError unless the request is SigV4-signed by the root user. */
export function requireRootSignature(
  request: Request,
  credentials: RootCredentials,
  nowMs: number,
): void {
  const url = new URL(request.url);
  const store: CredentialStore = {
    rootAccessKey: credentials.accessKey,
    lookupSecret: (accessKey) =>
      accessKey === credentials.accessKey ? credentials.secretKey : undefined,
  };
  let identity;
  try {
    const verified = verifyRequest(
      {
        method: request.method,
        rawPath: url.pathname,
        rawQuery: url.search.slice(1),
        headers: request.headers,
      },
      { credentials: store, nowMs },
    );
    identity = verified.identity;
  } catch (error) {
    throw new AdminAuthError(`Cannot authenticate the request: ${(error as Error).message}`);
  }
  if (identity.kind !== "root") {
    throw new AdminAuthError(
      "Cannot use the admin API or metrics without a signature by the root credentials",
    );
  }
}

/** Throws AdminAuthError unless the request carries a valid root bearer JWT or root signature. */
export async function requireMetricsAccess(
  request: Request,
  credentials: RootCredentials,
  nowMs: number,
): Promise<void> {
  const authorization = request.headers.get("authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer === null) return requireRootSignature(request, credentials, nowMs);
  await verifyJwt(bearer[1], credentials, nowMs);
}

const hashByAlgorithm: Record<string, string> = {
  HS256: "SHA-256",
  HS384: "SHA-384",
  HS512: "SHA-512",
};

async function verifyJwt(
  token: string,
  credentials: RootCredentials,
  nowMs: number,
): Promise<void> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new AdminAuthError("Cannot read the bearer token: not a JWT");
  const header = decodeJson(parts[0]);
  const claims = decodeJson(parts[1]);
  const hashName = hashByAlgorithm[String(header.alg)];
  if (hashName === undefined) {
    throw new AdminAuthError(
      `Cannot accept the bearer token: algorithm "${header.alg}" is not HS256/384/512`,
    );
  }
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(credentials.secretKey),
    { name: "HMAC", hash: hashName },
    false,
    ["verify"],
  );
  const signature = base64UrlDecode(parts[2]);
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (!await crypto.subtle.verify("HMAC", key, signature, signed)) {
    throw new AdminAuthError(
      "Cannot accept the bearer token: its signature does not match the root secret",
    );
  }
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) {
    throw new AdminAuthError("Cannot accept the bearer token: it has expired (or has no exp)");
  }
  const subject = claims.sub ?? claims.accessKey;
  if (subject !== credentials.accessKey) {
    throw new AdminAuthError("Cannot accept the bearer token: its subject is not the root user");
  }
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(base64UrlDecode(part)));
    if (value !== null && typeof value === "object") return value;
  } catch {
    // answered below
  }
  throw new AdminAuthError("Cannot read the bearer token: a part is not base64url JSON");
}

function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new AdminAuthError("Cannot read the bearer token: bad base64url");
  }
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") +
    "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
