/**
 * AWS Signature Version 4 verification for S3: the `Authorization` header and presigned query
 * strings. Pure: the clock and the credential store are passed in.
 *
 * The result, `VerifiedRequest`, says who signed and how the body must be read (plain, hashed,
 * or aws-chunked with per-chunk signatures); the body itself is checked by `payload_hash.ts`
 * and `aws_chunked.ts` while it streams.
 */
import { clockSkewMaxMs, presignedExpiryMaxSeconds } from "../limits.ts";
import { AuthError } from "./auth_error.ts";
import {
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  parseQuery,
  type QueryParam,
} from "./sigv4_canonical.ts";
import {
  deriveSigningKey,
  formatAmzDate,
  parseAmzDate,
  requestStringToSign,
  s3Service,
  scopeString,
  signatureHex,
  signaturesEqual,
  type SigningContext,
  type SigningScope,
  sigV4Algorithm,
  sigV4Terminator,
} from "./sigv4_signing.ts";

/** The parts of an HTTP request that a signature covers, as received. */
export interface SignedRequestParts {
  method: string;
  /** The path as on the wire, percent-encoded, without the query. */
  rawPath: string;
  /** The query as on the wire, without the leading `?` (may be empty). */
  rawQuery: string;
  headers: Headers;
}

export type Identity =
  | { kind: "anonymous" }
  | { kind: "root" | "user"; accessKey: string };

/** How the request body must be read and checked. */
export type PayloadMode =
  | { kind: "unsigned" }
  | { kind: "sha256"; hex: string }
  | {
    kind: "aws-chunked-signed";
    seedSignature: string;
    signing: SigningContext;
    /** Whether a signed trailer (`x-amz-trailer-signature`) follows the last chunk. */
    trailer: boolean;
    /** Trailer header names the client declared in `x-amz-trailer`. */
    trailerNames: string[];
    decodedLengthBytes: number;
  }
  | {
    kind: "aws-chunked-unsigned-trailer";
    trailerNames: string[];
    decodedLengthBytes: number;
  };

export interface VerifiedRequest {
  identity: Identity;
  payload: PayloadMode;
  /** The signing key and scope, when the request was signed (needed for chunk signatures). */
  signingContext?: SigningContext;
  /** The region named in the credential scope (any region is accepted and echoed back). */
  region?: string;
  /** Whether authentication came from the query string (presigned URL). */
  presigned: boolean;
}

export interface CredentialStore {
  /** The root user's access key: requests signed with it get `kind: "root"`. */
  rootAccessKey: string;
  /** The secret for an access key, or undefined when the key is unknown. */
  lookupSecret(accessKey: string): string | undefined;
}

export interface VerifyOptions {
  credentials: CredentialStore;
  /** The server clock, epoch milliseconds. */
  nowMs: number;
}

const unsignedPayload = "UNSIGNED-PAYLOAD";
const streamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const streamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** Verifies the request's signature (if any) and classifies its payload. */
export function verifyRequest(parts: SignedRequestParts, options: VerifyOptions): VerifiedRequest {
  const query = parseQuery(parts.rawQuery);
  const authorization = parts.headers.get("authorization");
  const queryAuth = query.some((p) => isQueryAuthParam(p.name));
  if (authorization !== null && queryAuth) {
    throw new AuthError(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified",
    );
  }
  if (authorization !== null) return verifyHeaderAuth(parts, query, authorization, options);
  if (queryAuth) return verifyPresigned(parts, query, options);
  rejectSigV2Query(query);
  return {
    identity: { kind: "anonymous" },
    payload: anonymousPayload(parts.headers),
    presigned: false,
  };
}

function isQueryAuthParam(name: string): boolean {
  return name === "X-Amz-Algorithm" || name === "X-Amz-Credential" || name === "X-Amz-Signature";
}

function rejectSigV2Query(query: QueryParam[]): void {
  if (query.some((p) => p.name === "AWSAccessKeyId" || p.name === "Signature")) {
    throw new AuthError(
      "InvalidRequest",
      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    );
  }
}

// ---- Authorization header ----

interface ParsedAuthorization {
  scope: SigningScope;
  signedHeaders: string[];
  signature: string;
}

function verifyHeaderAuth(
  parts: SignedRequestParts,
  query: QueryParam[],
  authorization: string,
  options: VerifyOptions,
): VerifiedRequest {
  const parsed = parseAuthorization(authorization);
  rejectSecurityToken(parts.headers.get("x-amz-security-token"));
  const hashedPayload = parts.headers.get("x-amz-content-sha256");
  if (hashedPayload === null) {
    throw new AuthError(
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  const { amzDate, dateMs } = requestTime(parts.headers);
  if (parsed.scope.date !== amzDate.slice(0, 8)) {
    throw new AuthError(
      "AuthorizationHeaderMalformed",
      `Invalid credential date "${parsed.scope.date}". This date is not the same as X-Amz-Date: "${
        amzDate.slice(0, 8)
      }".`,
    );
  }
  const secret = lookupSecret(parsed.scope.accessKey, options.credentials);
  checkSkew(dateMs, options.nowMs);
  const context = signingContextFor(secret, parsed.scope, amzDate);
  const canonical = canonicalRequest(parts, {
    query,
    signedHeaders: parsed.signedHeaders,
    hashedPayload,
    errorCode: "AuthorizationHeaderMalformed",
  });
  const payload = signedPayload(hashedPayload, parts.headers, parsed.signature, context);
  checkSignature(context, canonical, parsed.signature);
  return {
    identity: identityFor(parsed.scope.accessKey, options.credentials),
    payload,
    signingContext: context,
    region: parsed.scope.region,
    presigned: false,
  };
}

function parseAuthorization(authorization: string): ParsedAuthorization {
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== sigV4Algorithm) {
    throw new AuthError(
      "InvalidRequest",
      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    );
  }
  const fields = new Map<string, string>();
  for (const item of authorization.slice(space + 1).split(",")) {
    const trimmed = item.trim();
    const equals = trimmed.indexOf("=");
    if (equals <= 0 || fields.has(trimmed.slice(0, equals))) {
      throw malformedHeader(`Cannot parse "${trimmed}": expected Name=Value once`);
    }
    fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformedHeader(
      "The authorization header is malformed; it must contain Credential, SignedHeaders and Signature",
    );
  }
  return {
    scope: parseCredential(credential, "AuthorizationHeaderMalformed"),
    signedHeaders: parseSignedHeaders(signedHeaders, "AuthorizationHeaderMalformed"),
    signature: parseSignature(signature, "AuthorizationHeaderMalformed"),
  };
}

function malformedHeader(message: string): AuthError {
  return new AuthError("AuthorizationHeaderMalformed", message);
}

type ParseErrorCode = "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError";

/** `accessKey/YYYYMMDD/region/s3/aws4_request`; the access key is everything before the last four parts. */
function parseCredential(credential: string, errorCode: ParseErrorCode): SigningScope {
  const pieces = credential.split("/");
  if (pieces.length < 5 || pieces[0] === "") {
    throw new AuthError(errorCode, `Cannot parse credential "${credential}": expected 5 parts`);
  }
  const [date, region, service, terminator] = pieces.slice(-4);
  if (!/^\d{8}$/.test(date)) {
    throw new AuthError(errorCode, `Cannot parse credential date "${date}": expected YYYYMMDD`);
  }
  if (service !== s3Service) {
    throw new AuthError(
      errorCode,
      `Credential should be scoped to correct service: '${s3Service}'.`,
    );
  }
  if (terminator !== sigV4Terminator) {
    throw new AuthError(
      errorCode,
      `Credential should be scoped with a valid terminator: '${sigV4Terminator}', not '${terminator}'.`,
    );
  }
  if (region === "") throw new AuthError(errorCode, "Credential has an empty region");
  return { accessKey: pieces.slice(0, -4).join("/"), date, region, service };
}

function parseSignedHeaders(list: string, errorCode: ParseErrorCode): string[] {
  const names = list.split(";");
  for (const name of names) {
    if (name === "" || name !== name.toLowerCase() || /\s/.test(name)) {
      throw new AuthError(errorCode, `Cannot use signed header "${name}": not a lowercase name`);
    }
  }
  if (!names.includes("host")) {
    throw new AuthError(errorCode, "SignedHeaders must include host");
  }
  return names;
}

function parseSignature(signature: string, errorCode: ParseErrorCode): string {
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new AuthError(errorCode, `Cannot use signature "${signature}": expected 64 hex digits`);
  }
  return signature;
}

function rejectSecurityToken(token: string | null | undefined): void {
  if (token !== null && token !== undefined) {
    throw new AuthError("InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
}

/** The signed request time from `x-amz-date`, else from the HTTP `Date` header. */
function requestTime(headers: Headers): { amzDate: string; dateMs: number } {
  const amzDate = headers.get("x-amz-date");
  if (amzDate !== null) {
    const dateMs = parseAmzDate(amzDate);
    if (dateMs === undefined) {
      throw new AuthError("AccessDenied", `Cannot parse X-Amz-Date "${amzDate}"`);
    }
    return { amzDate, dateMs };
  }
  const httpDate = headers.get("date");
  const dateMs = httpDate === null ? NaN : Date.parse(httpDate);
  if (Number.isNaN(dateMs)) {
    throw new AuthError(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  }
  return { amzDate: formatAmzDate(dateMs), dateMs };
}

function checkSkew(dateMs: number, nowMs: number): void {
  if (Math.abs(nowMs - dateMs) > clockSkewMaxMs) {
    throw new AuthError(
      "RequestTimeTooSkewed",
      "The difference between the request time and the server's time is too large.",
    );
  }
}

function lookupSecret(accessKey: string, credentials: CredentialStore): string {
  const secret = credentials.lookupSecret(accessKey);
  if (secret === undefined) {
    throw new AuthError(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  return secret;
}

function identityFor(accessKey: string, credentials: CredentialStore): Identity {
  return { kind: accessKey === credentials.rootAccessKey ? "root" : "user", accessKey };
}

function signingContextFor(secret: string, scope: SigningScope, amzDate: string): SigningContext {
  return { signingKey: deriveSigningKey(secret, scope), scope: scopeString(scope), amzDate };
}

interface CanonicalInputs {
  query: QueryParam[];
  signedHeaders: string[];
  hashedPayload: string;
  errorCode: ParseErrorCode;
}

function canonicalRequest(parts: SignedRequestParts, inputs: CanonicalInputs): string {
  return [
    parts.method,
    canonicalPath(parts.rawPath, inputs.errorCode),
    canonicalQuery(inputs.query),
    canonicalHeaders(parts.headers, inputs.signedHeaders),
    inputs.signedHeaders.join(";"),
    inputs.hashedPayload,
  ].join("\n");
}

function checkSignature(context: SigningContext, canonical: string, givenHex: string): void {
  const expected = signatureHex(context.signingKey, requestStringToSign(context, canonical));
  if (!signaturesEqual(expected, givenHex)) {
    throw new AuthError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
}

// ---- Payload modes ----

function signedPayload(
  hashedPayload: string,
  headers: Headers,
  seedSignature: string,
  signing: SigningContext,
): PayloadMode {
  if (hashedPayload === streamingSigned || hashedPayload === streamingSignedTrailer) {
    return {
      kind: "aws-chunked-signed",
      seedSignature,
      signing,
      trailer: hashedPayload === streamingSignedTrailer,
      trailerNames: trailerNames(headers),
      decodedLengthBytes: decodedLength(headers),
    };
  }
  return plainOrUnsignedTrailer(hashedPayload, headers);
}

function anonymousPayload(headers: Headers): PayloadMode {
  const hashedPayload = headers.get("x-amz-content-sha256");
  if (hashedPayload === null) return { kind: "unsigned" };
  if (hashedPayload === streamingSigned || hashedPayload === streamingSignedTrailer) {
    throw new AuthError("InvalidRequest", `Cannot use ${hashedPayload} without a signature`);
  }
  return plainOrUnsignedTrailer(hashedPayload, headers);
}

function plainOrUnsignedTrailer(hashedPayload: string, headers: Headers): PayloadMode {
  if (hashedPayload === unsignedPayload) return { kind: "unsigned" };
  if (hashedPayload === streamingUnsignedTrailer) {
    return {
      kind: "aws-chunked-unsigned-trailer",
      trailerNames: trailerNames(headers),
      decodedLengthBytes: decodedLength(headers),
    };
  }
  if (/^[0-9a-fA-F]{64}$/.test(hashedPayload)) {
    return { kind: "sha256", hex: hashedPayload.toLowerCase() };
  }
  if (hashedPayload.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")) {
    throw new AuthError("InvalidRequest", "Signature Version 4A (ECDSA) is not supported");
  }
  throw new AuthError(
    "InvalidArgument",
    `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value, not "${hashedPayload}".`,
  );
}

function decodedLength(headers: Headers): number {
  const text = headers.get("x-amz-decoded-content-length");
  if (text === null) {
    throw new AuthError(
      "MissingContentLength",
      "You must provide the x-amz-decoded-content-length HTTP header with aws-chunked bodies.",
    );
  }
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new AuthError("InvalidArgument", `Cannot use x-amz-decoded-content-length "${text}"`);
  }
  return Number(text);
}

function trailerNames(headers: Headers): string[] {
  const text = headers.get("x-amz-trailer");
  if (text === null) return [];
  return text.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
}

// ---- Presigned query ----

function verifyPresigned(
  parts: SignedRequestParts,
  query: QueryParam[],
  options: VerifyOptions,
): VerifiedRequest {
  const params = presignParams(query);
  const scope = parseCredential(params.credential, "AuthorizationQueryParametersError");
  const signedHeaders = parseSignedHeaders(
    params.signedHeaders,
    "AuthorizationQueryParametersError",
  );
  const signature = parseSignature(params.signature, "AuthorizationQueryParametersError");
  const dateMs = parseAmzDate(params.amzDate);
  if (dateMs === undefined) {
    throw queryError(`Cannot parse X-Amz-Date "${params.amzDate}": expected YYYYMMDDTHHMMSSZ`);
  }
  if (scope.date !== params.amzDate.slice(0, 8)) {
    throw queryError(`Invalid credential date "${scope.date}": not the date of X-Amz-Date`);
  }
  const expiresSeconds = parseExpires(params.expires);
  rejectSecurityToken(params.securityToken ?? parts.headers.get("x-amz-security-token"));
  const secret = lookupSecret(scope.accessKey, options.credentials);
  checkPresignedTime(dateMs, expiresSeconds, options.nowMs);
  const context = signingContextFor(secret, scope, params.amzDate);
  // AWS signs presigned URLs over UNSIGNED-PAYLOAD unless the URL (or, as some clients do,
  // a header) carries X-Amz-Content-Sha256.
  const hashedPayload = params.contentSha256 ?? parts.headers.get("x-amz-content-sha256") ??
    unsignedPayload;
  const canonical = canonicalRequest(parts, {
    query: query.filter((p) => p.name !== "X-Amz-Signature"),
    signedHeaders,
    hashedPayload,
    errorCode: "AuthorizationQueryParametersError",
  });
  const payload = presignedPayload(hashedPayload);
  checkSignature(context, canonical, signature);
  return {
    identity: identityFor(scope.accessKey, options.credentials),
    payload,
    signingContext: context,
    region: scope.region,
    presigned: true,
  };
}

interface PresignParams {
  credential: string;
  amzDate: string;
  expires: string;
  signedHeaders: string;
  signature: string;
  securityToken?: string;
  contentSha256?: string;
}

function presignParams(query: QueryParam[]): PresignParams {
  const get = (name: string): string | undefined => {
    const found = query.filter((p) => p.name === name);
    if (found.length > 1) throw queryError(`Query parameter ${name} appears more than once`);
    return found[0]?.value;
  };
  const algorithm = get("X-Amz-Algorithm");
  if (algorithm !== sigV4Algorithm) {
    throw queryError(
      `X-Amz-Algorithm only supports "${sigV4Algorithm}", not "${algorithm ?? ""}"`,
    );
  }
  const required = (name: string): string => {
    const value = get(name);
    if (value === undefined) {
      throw queryError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      );
    }
    return value;
  };
  return {
    credential: required("X-Amz-Credential"),
    amzDate: required("X-Amz-Date"),
    expires: required("X-Amz-Expires"),
    signedHeaders: required("X-Amz-SignedHeaders"),
    signature: required("X-Amz-Signature"),
    securityToken: get("X-Amz-Security-Token"),
    contentSha256: get("X-Amz-Content-Sha256"),
  };
}

function queryError(message: string): AuthError {
  return new AuthError("AuthorizationQueryParametersError", message);
}

function parseExpires(text: string): number {
  if (!/^\d{1,7}$/.test(text)) {
    throw queryError(`X-Amz-Expires should be a number of seconds, not "${text}"`);
  }
  const seconds = Number(text);
  if (seconds > presignedExpiryMaxSeconds) {
    throw queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  return seconds;
}

function checkPresignedTime(dateMs: number, expiresSeconds: number, nowMs: number): void {
  if (dateMs - nowMs > clockSkewMaxMs) {
    throw new AuthError("AccessDenied", "Request is not valid yet");
  }
  if (nowMs > dateMs + expiresSeconds * 1000) {
    throw new AuthError("AccessDenied", "Request has expired");
  }
}

function presignedPayload(hashedPayload: string): PayloadMode {
  if (hashedPayload === unsignedPayload) return { kind: "unsigned" };
  if (/^[0-9a-fA-F]{64}$/.test(hashedPayload)) {
    return { kind: "sha256", hex: hashedPayload.toLowerCase() };
  }
  throw queryError(`Cannot use X-Amz-Content-Sha256 "${hashedPayload}" in a presigned URL`);
}
