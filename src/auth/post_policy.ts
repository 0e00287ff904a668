/**
 * Browser-based uploads (`POST /bucket` with `multipart/form-data`): verify the SigV4 signature
 * over the base64 policy document, check the policy's expiration and conditions against the form,
 * and return what the API needs to store the object.
 *
 * The file's size is known only once it has streamed, so `content-length-range` is returned for
 * the API to enforce with `checkPostContentLength()`.
 */
import { AuthError } from "./auth_error.ts";
import type { CredentialStore, Identity } from "./sigv4.ts";
import {
  deriveSigningKey,
  parseAmzDate,
  s3Service,
  signatureHex,
  signaturesEqual,
  type SigningScope,
  sigV4Algorithm,
  sigV4Terminator,
} from "./sigv4_signing.ts";

export interface PostPolicyRequest {
  /** The bucket from the request URL. */
  bucket: string;
  /** Form fields other than the file, in order, names as sent (matched case-insensitively). */
  fields: Array<[name: string, value: string]>;
  /** The file part's filename, substituted for `${filename}` in the key. */
  filename: string;
}

export interface ContentLengthRange {
  minBytes: number;
  maxBytes: number;
}

export interface VerifiedPostPolicy {
  identity: Identity;
  region?: string;
  /** The object key, `${filename}` substituted. */
  key: string;
  successActionStatus: 200 | 201 | 204;
  successActionRedirect?: string;
  /** Object headers carried by the form, as a PutObject would have them (content-type, x-amz-meta-*, x-amz-acl, ...). */
  headers: Headers;
  /** `tagging` field: an S3 Tagging XML document. */
  taggingXml?: string;
  contentLengthRange?: ContentLengthRange;
}

export interface PostPolicyOptions {
  credentials: CredentialStore;
  nowMs: number;
}

/** Fields a policy need not mention (AWS: the signature, the file, the policy, `x-ignore-*`). */
const exemptFields = new Set(["x-amz-signature", "file", "policy", "submit"]);

/** Form fields that are about the upload, not headers of the stored object. */
const controlFields = new Set([
  "key",
  "bucket",
  "policy",
  "success_action_status",
  "success_action_redirect",
  "redirect",
  "tagging",
  "acl",
  "x-amz-algorithm",
  "x-amz-credential",
  "x-amz-date",
  "x-amz-signature",
  "x-amz-security-token",
  "submit",
]);

const objectHeaderFields = new Set([
  "cache-control",
  "content-type",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
]);

export function verifyPostPolicy(
  request: PostPolicyRequest,
  options: PostPolicyOptions,
): VerifiedPostPolicy {
  const fields = lowercaseFields(request.fields);
  const key = objectKey(fields, request.filename);
  const policyBase64 = fields.get("policy");
  if (policyBase64 === undefined) {
    return { identity: { kind: "anonymous" }, key, ...uploadOutcome(fields) };
  }
  const { identity, region } = verifyPolicySignature(policyBase64, fields, options);
  const policy = parsePolicyDocument(policyBase64);
  if (options.nowMs > policy.expirationMs) {
    throw new AuthError("AccessDenied", "Invalid according to Policy: Policy expired.");
  }
  const formValues = new Map(fields);
  formValues.set("bucket", request.bucket);
  formValues.set("key", key);
  const contentLengthRange = checkConditions(policy.conditions, formValues);
  checkEveryFieldCovered(fields, policy.conditions);
  return { identity, region, key, contentLengthRange, ...uploadOutcome(fields) };
}

/** Fails with EntityTooSmall / EntityTooLarge when the uploaded size is outside the policy's range. */
export function checkPostContentLength(
  range: ContentLengthRange | undefined,
  sizeBytes: number,
): void {
  if (range === undefined) return;
  if (sizeBytes < range.minBytes) {
    throw new AuthError(
      "EntityTooSmall",
      "Your proposed upload is smaller than the minimum allowed size",
    );
  }
  if (sizeBytes > range.maxBytes) {
    throw new AuthError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
  }
}

function lowercaseFields(fields: Array<[string, string]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    if (out.has(lower)) {
      throw new AuthError("InvalidArgument", `Cannot accept POST form field "${name}" twice`);
    }
    out.set(lower, value);
  }
  return out;
}

function objectKey(fields: Map<string, string>, filename: string): string {
  const key = fields.get("key");
  if (key === undefined || key === "") {
    throw new AuthError("InvalidArgument", "Bucket POST must contain a field named 'key'.");
  }
  return key.replaceAll("${filename}", filename);
}

function uploadOutcome(fields: Map<string, string>) {
  const status = fields.get("success_action_status");
  const successActionStatus: 200 | 201 | 204 = status === "200"
    ? 200
    : status === "201"
    ? 201
    : 204;
  const successActionRedirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  const headers = new Headers();
  for (const [name, value] of fields) {
    if (controlFields.has(name)) continue;
    if (objectHeaderFields.has(name) || name.startsWith("x-amz-")) headers.set(name, value);
  }
  const acl = fields.get("acl");
  if (acl !== undefined) headers.set("x-amz-acl", acl);
  return { successActionStatus, successActionRedirect, headers, taggingXml: fields.get("tagging") };
}

// ---- signature ----

function verifyPolicySignature(
  policyBase64: string,
  fields: Map<string, string>,
  options: PostPolicyOptions,
): { identity: Identity; region: string } {
  if (fields.has("awsaccesskeyid") || fields.has("signature")) {
    throw new AuthError(
      "InvalidRequest",
      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    );
  }
  const required = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) {
      throw new AuthError("InvalidArgument", `Bucket POST must contain a field named '${name}'.`);
    }
    return value;
  };
  if (required("x-amz-algorithm") !== sigV4Algorithm) {
    throw new AuthError("InvalidArgument", `x-amz-algorithm must be ${sigV4Algorithm}`);
  }
  if (fields.has("x-amz-security-token")) {
    throw new AuthError("InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  const scope = parsePostCredential(required("x-amz-credential"));
  const amzDate = required("x-amz-date");
  if (parseAmzDate(amzDate) === undefined || amzDate.slice(0, 8) !== scope.date) {
    throw new AuthError(
      "InvalidArgument",
      `Cannot use x-amz-date "${amzDate}" with the credential's date`,
    );
  }
  const secret = options.credentials.lookupSecret(scope.accessKey);
  if (secret === undefined) {
    throw new AuthError(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  const expected = signatureHex(deriveSigningKey(secret, scope), policyBase64);
  if (!signaturesEqual(expected, required("x-amz-signature"))) {
    throw new AuthError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
    );
  }
  const kind = scope.accessKey === options.credentials.rootAccessKey ? "root" : "user";
  return { identity: { kind, accessKey: scope.accessKey }, region: scope.region };
}

function parsePostCredential(credential: string): SigningScope {
  const pieces = credential.split("/");
  const [date, region, service, terminator] = pieces.slice(-4);
  if (
    pieces.length < 5 || !/^\d{8}$/.test(date) || service !== s3Service ||
    terminator !== sigV4Terminator || region === ""
  ) {
    throw new AuthError("InvalidArgument", `Cannot parse x-amz-credential "${credential}"`);
  }
  return { accessKey: pieces.slice(0, -4).join("/"), date, region, service };
}

// ---- policy document ----

type Condition =
  | { op: "eq" | "starts-with"; field: string; value: string; text: string }
  | { op: "content-length-range"; minBytes: number; maxBytes: number; text: string };

interface PolicyDocument {
  expirationMs: number;
  conditions: Condition[];
}

function invalidPolicy(reason: string): AuthError {
  return new AuthError("InvalidPolicyDocument", `Invalid Policy: ${reason}`);
}

function parsePolicyDocument(policyBase64: string): PolicyDocument {
  let document: unknown;
  try {
    const bytes = Uint8Array.from(atob(policyBase64), (c) => c.charCodeAt(0));
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw invalidPolicy("Invalid JSON.");
  }
  const { expiration, conditions } = document as Record<string, unknown>;
  if (typeof expiration !== "string") throw invalidPolicy("Policy missing expiration.");
  const expirationMs = Date.parse(expiration);
  if (Number.isNaN(expirationMs)) {
    throw invalidPolicy(`Invalid 'expiration' value: '${expiration}'`);
  }
  if (!Array.isArray(conditions)) throw invalidPolicy("Policy missing conditions.");
  return { expirationMs, conditions: conditions.flatMap(parseCondition) };
}

function parseCondition(raw: unknown): Condition[] {
  const text = JSON.stringify(raw);
  if (Array.isArray(raw)) return [parseArrayCondition(raw, text)];
  if (typeof raw === "object" && raw !== null) {
    return Object.entries(raw).map(([field, value]) => {
      if (typeof value !== "string") {
        throw invalidPolicy(`Condition value must be a string: ${text}`);
      }
      return { op: "eq" as const, field: field.toLowerCase(), value, text };
    });
  }
  throw invalidPolicy(`Invalid condition: ${text}`);
}

function parseArrayCondition(raw: unknown[], text: string): Condition {
  const op = typeof raw[0] === "string" ? raw[0].toLowerCase() : "";
  if (raw.length !== 3) throw invalidPolicy(`Condition must have 3 items: ${text}`);
  if (op === "content-length-range") {
    const [minBytes, maxBytes] = [Number(raw[1]), Number(raw[2])];
    if (
      !Number.isSafeInteger(minBytes) || !Number.isSafeInteger(maxBytes) || minBytes < 0 ||
      minBytes > maxBytes
    ) {
      throw invalidPolicy(`Invalid content-length-range: ${text}`);
    }
    return { op, minBytes, maxBytes, text };
  }
  if (op !== "eq" && op !== "starts-with") {
    throw invalidPolicy(`Unknown condition operator: ${text}`);
  }
  const [field, value] = [raw[1], raw[2]];
  if (typeof field !== "string" || !field.startsWith("$") || typeof value !== "string") {
    throw invalidPolicy(`Invalid condition: ${text}`);
  }
  return { op, field: field.slice(1).toLowerCase(), value, text };
}

function checkConditions(
  conditions: Condition[],
  formValues: Map<string, string>,
): ContentLengthRange | undefined {
  let range: ContentLengthRange | undefined;
  for (const condition of conditions) {
    if (condition.op === "content-length-range") {
      range = { minBytes: condition.minBytes, maxBytes: condition.maxBytes };
      continue;
    }
    const actual = formValues.get(condition.field);
    const ok = actual !== undefined &&
      (condition.op === "eq" ? actual === condition.value : actual.startsWith(condition.value));
    if (!ok) {
      throw new AuthError(
        "AccessDenied",
        `Invalid according to Policy: Policy Condition failed: ${condition.text}`,
      );
    }
  }
  return range;
}

function checkEveryFieldCovered(fields: Map<string, string>, conditions: Condition[]): void {
  const covered = new Set(conditions.map((c) => (c.op === "content-length-range" ? "" : c.field)));
  for (const name of fields.keys()) {
    if (exemptFields.has(name) || name.startsWith("x-ignore-") || covered.has(name)) continue;
    throw new AuthError(
      "AccessDenied",
      `Invalid according to Policy: Extra input fields: ${name}`,
    );
  }
}
