/**
 * Authorization after signature verification: the root user may do everything; anonymous
 * requests are allowed only where the bucket policy allows the action (explicit Deny wins),
 * else AccessDenied. Policies are parsed and evaluated by auth; this file supplies the request's
 * action, resource and condition keys.
 */
import { evaluatePolicy, parseBucketPolicy as parsePolicy } from "../auth/policy.ts";
import { operationActions, resourceArn } from "./actions.ts";
import type { RequestContext } from "./context.ts";
import { parseCopySource } from "./operations/copy.ts";
import { S3Error } from "./s3_errors.ts";

/** Validate a bucket policy document for `bucket` (MalformedPolicy with the reason). */
export function parseBucketPolicy(text: string, bucket: string): void {
  parsePolicy(text, bucket);
}

export async function authorize(context: RequestContext): Promise<void> {
  const { identity } = context.verified;
  if (identity.kind === "root") return;
  const { name, bucket, key } = context.operation;
  // No auth for preflight; POST forms carry their own signature; DeleteObjects checks each key.
  if (name === "PreflightCors" || name === "PostObject" || name === "DeleteObjects") return;
  if (identity.kind === "user" || bucket === "") throw new S3Error("AccessDenied");
  const action = name === "GetObject" && context.operation.query.has("versionId")
    ? "s3:GetObjectVersion"
    : operationActions[name];
  await authorizeAnonymous(context, { bucket, action, key });
  const copySource = context.request.headers.get("x-amz-copy-source");
  if ((name === "CopyObject" || name === "UploadPartCopy") && copySource !== null) {
    await authorizeCopySource(context, copySource);
  }
}

/** Reading the copy source needs s3:GetObject on it, under the source bucket's policy. */
async function authorizeCopySource(context: RequestContext, header: string): Promise<void> {
  const source = parseCopySource(header);
  await authorizeAnonymous(context, {
    bucket: source.bucket,
    action: "s3:GetObject",
    key: source.key,
  });
}

/** An anonymous request: allowed only when the bucket policy allows `action` on the resource. */
export async function authorizeAnonymous(
  context: RequestContext,
  request: { bucket: string; action: string; key: string },
): Promise<void> {
  const { bucket } = request;
  const config = await context.objects.getBucketConfig(bucket);
  if (config.policyJson === undefined) throw new S3Error("AccessDenied");
  const policy = parsePolicy(config.policyJson, bucket);
  const decision = evaluatePolicy(policy, {
    principal: "*",
    action: request.action,
    resource: resourceArn(bucket, request.key),
    conditions: conditionKeys(context),
  });
  if (decision !== "allow") throw new S3Error("AccessDenied");
}

/** The request's values for the condition keys S3 bucket policies use. */
export function conditionKeys(context: RequestContext): Record<string, string[]> {
  const headers = context.request.headers;
  const query = context.operation.query;
  const keys: Record<string, string[]> = {
    "aws:SecureTransport": [String(context.url.protocol === "https:")],
    "aws:CurrentTime": [context.now.toISOString()],
    "aws:EpochTime": [String(Math.floor(context.now.getTime() / 1000))],
    "s3:authType": [context.verified.presigned ? "REST-QUERY-STRING" : "REST-HEADER"],
  };
  if (context.remoteAddress) keys["aws:SourceIp"] = [context.remoteAddress];
  const fromHeaders: [string, string][] = [
    ["aws:Referer", "referer"],
    ["aws:UserAgent", "user-agent"],
    ["s3:x-amz-acl", "x-amz-acl"],
    ["s3:x-amz-content-sha256", "x-amz-content-sha256"],
    ["s3:x-amz-storage-class", "x-amz-storage-class"],
    ["s3:x-amz-copy-source", "x-amz-copy-source"],
    ["s3:x-amz-metadata-directive", "x-amz-metadata-directive"],
  ];
  for (const [key, header] of fromHeaders) {
    const value = headers.get(header);
    if (value !== null) keys[key] = [value];
  }
  const fromQuery: [string, string][] = [
    ["s3:prefix", "prefix"],
    ["s3:delimiter", "delimiter"],
    ["s3:max-keys", "max-keys"],
    ["s3:VersionId", "versionId"],
  ];
  for (const [key, param] of fromQuery) {
    const value = query.get(param);
    if (value !== null) keys[key] = [value];
  }
  return keys;
}
