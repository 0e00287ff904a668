/**
 * The condition keys of one request, as bucket policies see them (`aws:SourceIp`,
 * `aws:SecureTransport`, `s3:prefix`, `s3:x-amz-acl`, ...). The API calls this once per request
 * with what it knows; keys the request does not carry are left out, which IAM treats as missing.
 */
import type { ConditionContext } from "./policy_conditions.ts";
import { parseAmzDate } from "./sigv4_signing.ts";
import type { VerifiedRequest } from "./sigv4.ts";

export interface PolicyContextInput {
  verified: VerifiedRequest;
  headers: Headers;
  /** Decoded query parameters. */
  query: URLSearchParams;
  sourceIp: string;
  secureTransport: boolean;
  nowMs: number;
  /** Whether the request was a browser POST upload (sets `s3:authType` to POST). */
  postUpload?: boolean;
  /** Tags of the object the request acts on, for `s3:ExistingObjectTag/<key>`. */
  existingObjectTags?: Record<string, string>;
}

/** Request headers that S3 exposes as `s3:<header>` condition keys. */
const headerKeys = [
  "x-amz-acl",
  "x-amz-content-sha256",
  "x-amz-copy-source",
  "x-amz-grant-read",
  "x-amz-grant-write",
  "x-amz-grant-read-acp",
  "x-amz-grant-write-acp",
  "x-amz-grant-full-control",
  "x-amz-metadata-directive",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-customer-algorithm",
  "x-amz-storage-class",
  "x-amz-website-redirect-location",
];

const objectLockHeaders: Array<[string, string]> = [
  ["x-amz-object-lock-mode", "s3:object-lock-mode"],
  ["x-amz-object-lock-retain-until-date", "s3:object-lock-retain-until-date"],
  ["x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"],
];

export function policyConditionContext(input: PolicyContextInput): ConditionContext {
  const context: ConditionContext = {
    "aws:SourceIp": [input.sourceIp],
    "aws:SecureTransport": [String(input.secureTransport)],
    "aws:CurrentTime": [new Date(input.nowMs).toISOString()],
    "aws:EpochTime": [String(Math.floor(input.nowMs / 1000))],
  };
  const set = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) context[key] = [value];
  };
  set("aws:Referer", input.headers.get("referer"));
  set("aws:UserAgent", input.headers.get("user-agent"));
  addIdentityKeys(context, input);
  for (const name of ["prefix", "delimiter", "max-keys"]) set(`s3:${name}`, input.query.get(name));
  set("s3:VersionId", input.query.get("versionId"));
  for (const header of headerKeys) set(`s3:${header}`, input.headers.get(header));
  for (const [header, key] of objectLockHeaders) set(key, input.headers.get(header));
  addTagKeys(context, input.headers.get("x-amz-tagging"), input.existingObjectTags);
  return context;
}

function addIdentityKeys(context: ConditionContext, input: PolicyContextInput): void {
  const { identity, signingContext, presigned } = input.verified;
  if (identity.kind === "anonymous") {
    context["aws:PrincipalType"] = ["Anonymous"];
    return;
  }
  context["aws:PrincipalType"] = [identity.kind === "root" ? "Account" : "User"];
  context["aws:userid"] = [identity.accessKey];
  context["aws:username"] = [identity.accessKey];
  context["s3:signatureversion"] = ["AWS4-HMAC-SHA256"];
  context["s3:authType"] = [
    input.postUpload ? "POST" : presigned ? "REST-QUERY-STRING" : "REST-HEADER",
  ];
  const signedMs = signingContext === undefined ? undefined : parseAmzDate(signingContext.amzDate);
  if (signedMs !== undefined) {
    context["s3:signatureAge"] = [String(Math.max(0, input.nowMs - signedMs))];
  }
}

function addTagKeys(
  context: ConditionContext,
  taggingHeader: string | null,
  existingObjectTags: Record<string, string> | undefined,
): void {
  if (taggingHeader !== null) {
    const tags = new URLSearchParams(taggingHeader);
    context["s3:RequestObjectTagKeys"] = [...new Set(tags.keys())];
    for (const [key, value] of tags) context[`s3:RequestObjectTag/${key}`] = [value];
  }
  for (const [key, value] of Object.entries(existingObjectTags ?? {})) {
    context[`s3:ExistingObjectTag/${key}`] = [value];
  }
}
