/**
 * Authorization after signature verification: the root user may do everything; anonymous
 * requests are allowed only where the bucket policy allows the action (else AccessDenied).
 */
import { operationActions, resourceArn } from "./actions.ts";
import type { RequestContext } from "./context.ts";
import { S3Error } from "./s3_errors.ts";

/** Validate a bucket policy document (MalformedPolicy with the reason). */
export function parseBucketPolicy(text: string, _bucket: string): unknown {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new S3Error(
      "MalformedPolicy",
      "Policies must be valid JSON and the first byte must be '{'",
    );
  }
  if (typeof document !== "object" || document === null || !("Statement" in document)) {
    throw new S3Error("MalformedPolicy", "Missing required field Statement");
  }
  return document;
}

export async function authorize(context: RequestContext): Promise<void> {
  const { identity } = context.verified;
  if (identity.kind === "root") return;
  const { name, bucket, key } = context.operation;
  if (name === "PreflightCors" || name === "PostObject") return; // no auth / form-signed
  if (identity.kind === "user" || bucket === "") throw new S3Error("AccessDenied");
  await authorizeAnonymous(context, { action: operationActions[name], key });
}

/** An anonymous request: allowed only when the bucket policy allows `action` on the resource. */
export async function authorizeAnonymous(
  context: RequestContext,
  request: { action: string; key: string },
): Promise<void> {
  const { bucket } = context.operation;
  const config = await context.objects.getBucketConfig(bucket);
  if (config.policyJson === undefined) throw new S3Error("AccessDenied");
  const _resource = resourceArn(bucket, request.key);
  throw new S3Error("AccessDenied");
}
