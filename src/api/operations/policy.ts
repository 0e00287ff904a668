/** Get/Put/DeleteBucketPolicy: the JSON document is validated by auth and stored as sent. */
import { bucketPolicyMaxBytes } from "../../limits.ts";
import type { RequestContext } from "../context.ts";
import { readBodyText } from "../request_body.ts";
import { emptyResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { parseBucketPolicy } from "../authorize.ts";

export async function putBucketPolicy(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  const text = await readBodyText(context, bucketPolicyMaxBytes);
  parseBucketPolicy(text, bucket);
  await context.objects.updateBucketConfig(bucket, { policyJson: text });
  return emptyResponse(204);
}

export async function getBucketPolicy(context: RequestContext): Promise<Response> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  if (config.policyJson === undefined) throw new S3Error("NoSuchBucketPolicy");
  return new Response(config.policyJson, {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

export async function deleteBucketPolicy(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  await context.objects.updateBucketConfig(context.operation.bucket, { policyJson: undefined });
  return emptyResponse(204);
}
